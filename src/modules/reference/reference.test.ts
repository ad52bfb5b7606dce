import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { CsvError } from "../../platform/csv";
import { DEFAULT_REFERENCE_DIR, importReferenceData, readReferenceData } from "./importer";
import { municipalitiesOn, municipalityHistory, municipalitySetOn } from "./service";

describeEachDialect("reference data", (ctx) => {
  it("has 300 municipalities on 2024-12-31 and 285 on 2025-01-01", async () => {
    expect(await municipalitiesOn(ctx().database.db, "2024-12-31")).toHaveLength(300);
    expect(await municipalitiesOn(ctx().database.db, "2025-01-01")).toHaveLength(285);
    expect(await municipalitiesOn(ctx().database.db, "2019-01-01")).toHaveLength(300);
  });

  it("keeps Gent as 44021 in both sets and moves Hasselt from 71022 to 71072", async () => {
    const db = ctx().database.db;
    const before = await municipalitiesOn(db, "2024-12-31", "hasselt");
    const after = await municipalitiesOn(db, "2025-01-01", "hasselt");
    expect(before.map((m) => m.nis)).toEqual(["71022"]);
    expect(after.map((m) => m.nis)).toEqual(["71072"]);
    expect((await municipalitiesOn(db, "2024-12-31", "Gent")).find((m) => m.name === "Gent")?.nis).toBe("44021");
    expect((await municipalitiesOn(db, "2025-06-01", "Gent")).find((m) => m.name === "Gent")?.nis).toBe("44021");
  });

  it("searches by NIS prefix and by name without accents", async () => {
    const db = ctx().database.db;
    expect((await municipalitiesOn(db, "2025-01-01", "44021")).map((m) => m.name)).toEqual(["Gent"]);
    const rows = await municipalitiesOn(db, "2025-01-01", "herent");
    expect(rows.every((m) => m.name.toLowerCase().includes("herent"))).toBe(true);
  });

  it("gives every municipality a police zone on both sides of the mergers", async () => {
    const db = ctx().database.db;
    for (const date of ["2020-03-10", "2025-03-10"]) {
      const rows = await municipalitiesOn(db, date);
      expect(rows.filter((m) => !m.police_zone)).toEqual([]);
    }
  });

  it("shows the merger history of Hasselt and its successor", async () => {
    const db = ctx().database.db;
    const old = await municipalityHistory(db, "71022");
    expect(old?.versions.at(-1)?.valid_to).toBe("2024-12-31");
    expect(old?.mergedInto.map((m) => m.nis)).toEqual(["71072"]);
    const merged = await municipalityHistory(db, "71072");
    expect(merged?.predecessors.map((p) => p.nis).sort()).toEqual(["71022", "73040"]);
    expect(await municipalityHistory(db, "99999")).toBeNull();
  });

  it("re-importing the same files changes nothing", async () => {
    const r = await importReferenceData(ctx().database);
    expect(r.changed).toBe(false);
    expect(await municipalitiesOn(ctx().database.db, "2024-12-31")).toHaveLength(300);
  });

  it("a corrupt file stops the import with file, line and reason, and changes nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ref-"));
    fs.cpSync(DEFAULT_REFERENCE_DIR, dir, { recursive: true });
    const file = path.join(dir, "municipalities-2025.csv");
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines[4] = "1100X,Boom,Antwerpen,Antwerpen";
    fs.writeFileSync(file, lines.join("\n"));
    const err = await importReferenceData(ctx().database, dir).catch((e) => e);
    expect(err).toBeInstanceOf(CsvError);
    expect(err.message).toMatch(/municipalities-2025\.csv line 5: nis "1100X" is not a 5-digit NIS code/);
    expect(await municipalitiesOn(ctx().database.db, "2025-01-01")).toHaveLength(285);
  });
});

describe("reference files", () => {
  it("rejects a police zone row for an unknown municipality", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ref-"));
    fs.cpSync(DEFAULT_REFERENCE_DIR, dir, { recursive: true });
    fs.appendFileSync(path.join(dir, "police-zones.csv"), "5440,PZ Aalst,99999,Nergenshuizen,ipz74,5440,test\n");
    expect(() => readReferenceData(dir)).toThrow(/police-zones\.csv line 287: nis 99999 is not a 2025 municipality/);
  });

  it("knows which municipality set a date uses", () => {
    expect(municipalitySetOn("2024-12-31")).toBe("2019");
    expect(municipalitySetOn("2025-01-01")).toBe("2025");
  });
});
