import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDialects, freshDatabaseUrl, type TestContext, testConfig } from "../../test/support/db";
import { audit } from "../platform/audit";
import { openContext } from "../platform/bootstrap";
import { generateKeyText } from "../platform/crypto/master-key";
import { sqlitePath } from "../platform/db";
import { collectChecks, formatCheck } from "./doctor";
import { backupCheck, diskSpaceVerdict, postgresTlsVerdict } from "./doctor-checks";

/** `schakel doctor`'s checks of the database side (decision 0068), through its exported function on a real database. */
const HOUR = 3_600_000;
const lines = async (env: Record<string, string>, now?: Date) => (await collectChecks({ env: { NODE_ENV: "test", ...env }, now })).map(formatCheck);
const lineOf = (all: string[], text: string) => all.find((l) => l.includes(text));

for (const dialect of activeDialects()) {
  describe(`schakel doctor: daily jobs, audit head, connection [${dialect}]`, () => {
    const key = generateKeyText();
    let url: string;
    let ctx: TestContext;
    let env: Record<string, string>;

    beforeAll(async () => {
      url = await freshDatabaseUrl(dialect);
      env = { DATABASE_URL: url, SCHAKEL_MASTER_KEY: key };
      ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: key }) });
    }, 60_000);
    afterAll(async () => ctx?.close());

    /** The one finished run on record, as the daily run leaves it in daily_job_run. */
    const daily = async (run: { started: string; finished: string; today: string; failed: string[] }) => {
      await ctx.database.db.deleteFrom("daily_job_run").execute();
      await ctx.database.db
        .insertInto("daily_job_run")
        .values({ day: run.today, instance: "test", status: "done", started_at: run.started, heartbeat_at: run.finished, finished_at: run.finished, failed: run.failed.join(",") || null })
        .execute();
    };

    it("the daily jobs: not run on a new database is ok, on one older than a day a warning", async () => {
      const fresh = await lines(env);
      expect(fresh).toContain("ok       the daily jobs have not run yet on this new database (serve runs them)");
      const later = await lines(env, new Date(Date.now() + 50 * HOUR));
      expect(lineOf(later, "daily jobs")).toMatch(/^warning {2}the daily jobs never ran on this database \(made (49|50) hours ago\): they run inside "schakel serve"; is it running\?$/);
    });

    it("the daily jobs: a fresh run is ok, one 50 hours old or with a failed module is a PROBLEM", async () => {
      const now = new Date();
      const at = (hours: number) => new Date(now.getTime() - hours * HOUR).toISOString();
      await daily({ started: at(3.1), finished: at(3), today: "2026-11-30", failed: [] });
      expect(await lines(env, now)).toContain(`ok       the daily jobs last ran 3 hours ago (${at(3)}), every module's jobs succeeded`);

      await daily({ started: at(50.1), finished: at(50), today: "2026-11-28", failed: [] });
      const old = await lines(env, now);
      expect(old).toContain(`PROBLEM  the daily jobs last ran 50 hours ago (${at(50)}): they run inside "schakel serve"; is it running?`);

      await daily({ started: at(2.1), finished: at(2), today: "2026-11-30", failed: ["cases", "partners"] });
      const failed = await lines(env, now);
      expect(failed).toContain(`PROBLEM  the last daily jobs run (${at(2)}, 2 hours ago) failed for: cases, partners; the server log says why`);
      expect(failed.filter((l) => l.startsWith("PROBLEM"))).toHaveLength(1);
    });

    it("prints the audit chain's head: its number and hash prefix", async () => {
      await audit.recordFor(ctx, {}, { action: "doctor.test", resourceType: "database", outcome: "success" });
      const head = await ctx.database.db.selectFrom("audit_entry").select(["seq", "hash", "at"]).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
      expect(await lines(env)).toContain(
        `ok       audit chain head: entry ${head.seq}, hash ${head.hash.slice(0, 16)}... (${head.at}); keep it elsewhere, "schakel audit verify" checks the chain`,
      );
    });

    it("PROBLEM naming the migration when a newer release upgraded the database", async () => {
      const name = "2099010100_future_feature";
      await sql`insert into kysely_migration (name, timestamp) values (${name}, '2099-01-01T00:00:00.000Z')`.execute(ctx.database.db);
      try {
        const all = await lines(env);
        expect(all).toContain(`PROBLEM  This database was upgraded by a newer Schakel (migration ${name}); run that release, or restore the backup made before the upgrade with this release.`);
        expect(all.filter((l) => l.startsWith("PROBLEM"))).toHaveLength(1);
      } finally {
        await sql`delete from kysely_migration where name = ${name}`.execute(ctx.database.db);
      }
    });

    if (dialect === "postgres") {
      it("says whether the connection to PostgreSQL is TLS (the test cluster is on this machine)", async () => {
        expect(lineOf(await lines(env), "connection to PostgreSQL")).toMatch(/^ok {7}the connection to PostgreSQL (uses TLS|is not TLS; the server is on this machine \(127\.0\.0\.1\))$/);
      });
    }

    if (dialect === "sqlite") {
      it("warns when group or others may read the database file or list its folder; ok at 0600 / 0700", async () => {
        const file = path.resolve(sqlitePath(url));
        const dir = path.dirname(file);
        const files = [file, `${file}-wal`, `${file}-shm`].filter((f) => fs.existsSync(f));
        fs.chmodSync(file, 0o644);
        fs.chmodSync(dir, 0o755);
        const open = await lines(env);
        expect(open).toContain(`warning  the database file ${file} has mode 0644: group or others may read it; make it 0600 (chmod 600)`);
        expect(open).toContain(`warning  the database folder ${dir} has mode 0755: group or others may list it; make it 0700 (chmod 700)`);
        for (const f of files) fs.chmodSync(f, 0o600);
        fs.chmodSync(dir, 0o700);
        const closed = await lines(env);
        expect(closed).toContain(`ok       the database file and its folder ${dir} are for this account only`);
        expect(closed.filter((l) => l.startsWith("warning"))).toEqual([]);
        expect(lineOf(closed, "GiB free next to the database")).toMatch(/^(ok {7}|warning {2}only )\d+\.\d GiB free next to the database \(\d+% of \d+\.\d GiB, /);
      });
    }
  });
}

describe("schakel doctor: verdicts on figures another machine would have", () => {
  it("free disk space: a warning under 1 GiB or under 10% free", () => {
    const GIB = 1024 ** 3;
    expect(formatCheck(diskSpaceVerdict(0.5 * GIB, 100 * GIB, "/var/lib/schakel"))).toBe("warning  only 0.5 GiB free next to the database (0% of 100.0 GiB, /var/lib/schakel): keep at least 1 GiB and 10% free");
    expect(diskSpaceVerdict(5 * GIB, 100 * GIB, "/d").warn).toBe(true);
    expect(formatCheck(diskSpaceVerdict(20 * GIB, 100 * GIB, "/d"))).toBe("ok       20.0 GiB free next to the database (20% of 100.0 GiB, /d)");
  });

  it("PostgreSQL without TLS: a warning for a server elsewhere, ok on this machine or over a socket", () => {
    expect(formatCheck(postgresTlsVerdict(false, "db.gemeente.be"))).toBe(
      "warning  the connection to PostgreSQL (db.gemeente.be) is not TLS: add sslmode=verify-full (and sslrootcert) to DATABASE_URL (docs/OPERATIONS.md)",
    );
    expect(postgresTlsVerdict(false, "localhost").warn).toBeUndefined();
    expect(postgresTlsVerdict(false, "/var/run/postgresql").warn).toBeUndefined();
    expect(postgresTlsVerdict(false, "[::1]").warn).toBeUndefined();
    expect(formatCheck(postgresTlsVerdict(true, "db.gemeente.be"))).toBe("ok       the connection to PostgreSQL uses TLS");
  });
});

describe("schakel doctor --backups", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-doctor-backups-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (file: string, hoursAgo: number) => {
    const t = new Date(Date.now() - hoursAgo * HOUR);
    fs.utimesSync(path.join(dir, file), t, t);
  };

  it("warns when the folder holds no backup (other files do not count), PROBLEM when it cannot be read", () => {
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a backup");
    expect(formatCheck(backupCheck(dir))).toBe(`warning  no backup in ${dir}: schedule "schakel backup --out ${dir}/schakel-$(date +%F).sbk" every night`);
    expect(formatCheck(backupCheck(path.join(dir, "missing")))).toBe(`PROBLEM  cannot read the backup folder ${path.join(dir, "missing")}: ENOENT`);
  });

  it("ok for a backup younger than 26 hours (whatever its name), a warning when the newest is older; a .partial file is not one", () => {
    fs.writeFileSync(path.join(dir, "nightly.sbk"), `SCHAKEL-BACKUP 2\n${"x".repeat(2048)}`);
    at("nightly.sbk", 30);
    fs.writeFileSync(path.join(dir, "older-format.sbk"), "SCHAKEL-BACKUP 1\n{}\n");
    at("older-format.sbk", 40);
    fs.writeFileSync(path.join(dir, "tonight.sbk.partial"), "SCHAKEL-BACKUP 2\n");
    expect(formatCheck(backupCheck(dir))).toBe(`warning  the newest backup in ${dir} is nightly.sbk, 30 hours old (0.0 MiB): none from the last 26 hours; is the nightly backup running?`);
    at("older-format.sbk", 5);
    expect(formatCheck(backupCheck(dir))).toBe(`ok       the newest backup in ${dir} is older-format.sbk, 5 hours old (0.0 MiB)`);
  });
});
