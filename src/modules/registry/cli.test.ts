import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { activeDialects, freshDatabaseUrl } from "../../../test/support/db";
import { main } from "../../cli";

const testdata = path.join(import.meta.dirname, "testdata");

/** Runs the real CLI in-process and collects what it printed. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
  const url = process.env.DATABASE_URL ?? "";
  if (!url.startsWith(`sqlite:${os.tmpdir()}`) && !url.startsWith("postgres")) throw new Error("the CLI test runs only against a throwaway test database");
  try {
    const code = await main(["node", "schakel", ...args]);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    process.exitCode = undefined;
  }
}

for (const dialect of activeDialects()) {
  describe(`schakel registry / report coverage [${dialect}]`, () => {
    // The CLI reads DATABASE_URL like in production; each suite points it at its own fresh database.
    const saved = process.env.DATABASE_URL;
    let url = "";
    beforeAll(async () => {
      url = await freshDatabaseUrl(dialect);
    }, 60_000);
    afterAll(() => {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    });

    beforeEach(() => {
      process.env.DATABASE_URL = url;
    });

    it("refuses a bad file with every error as line N: reason, exit 1, nothing imported", async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cli-")), "bad.csv");
      fs.writeFileSync(file, "livc_code;livc_name;nis;joined_on;left_on\nA;LIVC A;44021;2020-01-01;2019-01-01\nA;LIVC A;4402;2020-01-01;\n");
      const r = await run("registry", "import", file);
      expect(r.code).toBe(1);
      expect(r.err.split("\n").slice(0, 2)).toEqual([
        "line 2: left_on 2019-01-01 is not after joined_on 2020-01-01",
        'line 3: nis "4402" is not a 5-digit NIS code',
      ]);
      const report = JSON.parse((await run("report", "coverage", "--date", "2020-03-10")).out);
      expect(report.covered).toBe(0);
    });

    it("dry-runs, imports, and re-imports without change", async () => {
      const file = path.join(testdata, "register.csv");
      const dry = await run("registry", "import", file, "--dry-run");
      expect(dry.code).toBe(0);
      expect(dry.out).toContain("Dry run, nothing changed");
      expect(JSON.parse((await run("report", "coverage", "--date", "2020-03-10")).out).covered).toBe(0);
      expect((await run("registry", "import", file)).out).toContain("11 memberships added");
      expect((await run("registry", "import", file)).out).toContain("0 memberships added, 0 updated, 11 unchanged");
      expect((await run("registry", "import-obstacles", path.join(testdata, "obstacles.csv"))).out).toContain("6 obstacles added");
    });

    it("writes the report as JSON, CSV and PDF, and refuses a date before 2019", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
      const json = JSON.parse((await run("report", "coverage", "--date", "2025-03-10")).out);
      expect(json).toMatchObject({ date: "2025-03-10", set: "2025", municipalities: 285, covered: 5 });
      expect((await run("report", "coverage", "--date", "2020-03-10", "--format", "csv", "--out", path.join(dir, "r.csv"))).code).toBe(0);
      expect(fs.readFileSync(path.join(dir, "r.csv"), "utf8").startsWith("\uFEFFdate;set;nis;")).toBe(true);
      expect((await run("report", "coverage", "--date", "2020-03-10", "--format", "pdf", "--out", path.join(dir, "r.pdf"))).code).toBe(0);
      expect(fs.readFileSync(path.join(dir, "r.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
      const early = await run("report", "coverage", "--date", "2018-12-31");
      expect(early.code).toBe(1);
      expect(early.err).toContain("The LIVC register starts on 2019-01-01");
      expect((await run("report", "coverage", "--date", "2020-03-10", "--format", "xml")).code).toBe(2);
    });
  });
}
