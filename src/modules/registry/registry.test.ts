import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput } from "../../../test/support/livc";
import { coverageReport } from "../monitoring/service";
import {
  addMembership,
  createLivc,
  importObstacles,
  importRegister,
  livcByCode,
  recordMergerDecision,
  RegistryImportError,
  RegistryRuleError,
  registerRevision,
  registerTimeline,
  setStatus,
} from "./service";

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "testdata", name), "utf8");
const cli = { actor: null };

describeEachDialect("LIVC register from a CSV", (ctx) => {
  it("imports the register, then a re-import of the same file changes nothing", async () => {
    const r = await importRegister(ctx().database, cli, fixture("register.csv"));
    expect(r).toMatchObject({ rows: 11, livcsCreated: 8, membershipsAdded: 11, membershipsUpdated: 0, unchanged: 0 });
    const revision = await registerRevision(ctx().database.db);
    const again = await importRegister(ctx().database, cli, fixture("register.csv"));
    expect(again).toMatchObject({ livcsCreated: 0, membershipsAdded: 0, membershipsUpdated: 0, unchanged: 11 });
    expect(await registerRevision(ctx().database.db)).toBe(revision);
  });

  it("answers the 2019 set before the mergers: own and inter-municipal LIVCs (one spanning a police zone)", async () => {
    const r = await coverageReport(ctx().database.db, "2020-03-10");
    expect(r.set).toBe("2019");
    expect(r.municipalities).toBe(300);
    expect(r.covered).toBe(11);
    expect(r.without_livc).toBe(289);
    expect(r.covered_by_own_livc).toBe(6);
    expect(r.covered_by_intermunicipal_livc).toBe(5);
    expect(r.livcs).toBe(8);
    expect(r.intermunicipal_livcs).toBe(2);
    expect(r.needs_decision).toEqual([]);
    expect(r.without).toHaveLength(289);
    expect(r.without[0]).toEqual({ nis: "11001", name: "Aartselaar" });
    expect(r.without.map((w) => w.nis)).toEqual([...r.without.map((w) => w.nis)].sort());
    const limburg = r.by_province.find((p) => p.province === "Limburg")!;
    expect(limburg.covered).toBe(5);
    expect(r.by_province.reduce((s, p) => s + p.municipalities, 0)).toBe(300);
    // The BHT cell covers exactly the police zone Beringen/Ham/Tessenderlo.
    const { timeline } = await registerTimeline(ctx().database.db);
    const bht = (await livcByCode(ctx().database.db, "BHT"))!;
    const members = timeline.coverageOn("2020-03-10").municipalities.filter((m) => m.livcId === bht.id);
    expect(members.map((m) => m.nis)).toEqual(["71004", "71057", "71069"]);
    expect(new Set(members.map((m) => m.policeZone))).toEqual(new Set(["PZ Beringen/Ham/Tessenderlo"]));
  });

  it("counts an earlier joined_on from 2019-01-01 and respects joined_on/left_on (left_on exclusive)", async () => {
    const db = ctx().database.db;
    const r = await coverageReport(db, "2019-03-01");
    expect(r.covered).toBe(7);
    expect((await coverageReport(db, "2019-01-01")).without.some((w) => w.nis === "44021")).toBe(false);
    expect((await coverageReport(db, "2020-05-31")).without.some((w) => w.nis === "23088")).toBe(false);
    expect((await coverageReport(db, "2020-06-01")).without.some((w) => w.nis === "23088")).toBe(true);
  });

  it("answers the 2025 set: continues merged municipalities whose parts shared an LIVC, lists the others under needs_decision", async () => {
    const db = ctx().database.db;
    const r = await coverageReport(db, "2025-03-10");
    expect(r.set).toBe("2025");
    expect(r.municipalities).toBe(285);
    // Gent, Leuven, Beringen + Tessenderlo-Ham (BHT), Antwerpen (with Borsbeek, both in ANT).
    expect(r.covered).toBe(5);
    expect(r.covered_by_intermunicipal_livc).toBe(2);
    expect(r.covered_by_own_livc).toBe(3);
    expect(r.livcs).toBe(4);
    expect(r.intermunicipal_livcs).toBe(1);
    // Hasselt = Hasselt (HAS) + Kortessem (KOR); Tielt = Tielt (TIE) + Meulebeke (none).
    expect(r.needs_decision).toEqual([
      { nis: "37022", name: "Tielt" },
      { nis: "71072", name: "Hasselt" },
    ]);
    expect(r.without).toContainEqual({ nis: "71072", name: "Hasselt" });
    expect(r.without_livc).toBe(280);
    // The day before the mergers, the parts are still in their own LIVCs.
    const before = await coverageReport(db, "2024-12-31");
    expect(before.municipalities).toBe(300);
    expect(before.needs_decision).toEqual([]);
    expect(before.without.some((w) => w.nis === "71022" || w.nis === "73040")).toBe(false);
  });

  it("refuses an overlapping membership, naming both LIVCs and their dates, and changes nothing", async () => {
    const database = ctx().database;
    const revision = await registerRevision(database.db);
    const csv = "livc_code;livc_name;nis;joined_on;left_on\nGENT2;LIVC Gent-Noord;44021;2020-01-01;2021-01-01\nNEW;Nieuw;11001;2020-01-01;\n";
    const err = await importRegister(database, cli, csv).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryImportError);
    expect(err.errors).toEqual([
      'line 2: municipality 44021 (Gent) would be in LIVC GENT "LIVC Gent" (2018-10-01 to open) and LIVC GENT2 "LIVC Gent-Noord" (2020-01-01 to 2021-01-01) at the same time',
    ]);
    expect(await registerRevision(database.db)).toBe(revision);
    expect(await livcByCode(database.db, "NEW")).toBeUndefined();
    // The same rule through the form path.
    const gent2 = await createLivc(database, cli, livcInput("GENT2", "LIVC Gent-Noord", { founded_on: null }));
    const formErr = await addMembership(database, cli, gent2, { nis: "44021", joined_on: "2024-01-01", left_on: null }).catch((e) => e);
    expect(formErr).toBeInstanceOf(RegistryRuleError);
    expect(formErr.code).toBe("overlap");
    expect(formErr.params).toMatchObject({ livc: "GENT (LIVC Gent)", from: "2018-10-01" });
  });

  it("lists every bad row as line N: reason, exits with nothing changed", async () => {
    const database = ctx().database;
    const revision = await registerRevision(database.db);
    const csv = [
      "livc_code,livc_name,nis,joined_on,left_on",
      "X1,Een,1100A,2020-01-01,",
      "X1,Een,11001,2020-02-30,",
      "X1,Een,11004,2020-05-01,2020-05-01",
      "X2,Twee,71072,2019-01-01,2024-06-01",
      "X2,Twee,99999,2020-01-01,",
      "X3,,11005,2020-01-01,",
      "X1,Een,11008,2020-01-01,",
    ].join("\n");
    const err = await importRegister(database, cli, csv, { dryRun: true }).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryImportError);
    expect(err.errors).toEqual([
      'line 2: nis "1100A" is not a 5-digit NIS code',
      'line 3: joined_on "2020-02-30" is not a date written YYYY-MM-DD',
      "line 4: left_on 2020-05-01 is not after joined_on 2020-05-01",
      "line 5: nis 71072 is not a Flemish municipality on any day from 2019-01-01 to 2024-06-01",
      "line 6: nis 99999 is not a Flemish municipality on any day from 2020-01-01 to today",
      "line 7: livc_name is empty",
    ]);
    const noDry = await importRegister(database, cli, csv).catch((e) => e);
    expect(noDry.errors).toHaveLength(6);
    expect(await registerRevision(database.db)).toBe(revision);
    expect(await livcByCode(database.db, "X1")).toBeUndefined();
    const header = await importRegister(database, cli, "code,name\nA,B\n").catch((e) => e);
    expect(header.errors[0]).toMatch(/^line 1: header must be "livc_code,livc_name,nis,joined_on,left_on"/);
  });

  it("a dry run reports what would change and changes nothing", async () => {
    const database = ctx().database;
    const revision = await registerRevision(database.db);
    const r = await importRegister(database, cli, "livc_code,livc_name,nis,joined_on,left_on\nVIL,LIVC Vilvoorde,23088,2019-01-10,2021-01-01\n", { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, membershipsUpdated: 1, membershipsAdded: 0 });
    expect(await registerRevision(database.db)).toBe(revision);
  });

  it("a membership of a dissolved municipality ends on 2025-01-01, so a new row for its successor does not overlap", async () => {
    const database = ctx().database;
    await importRegister(database, cli, "livc_code,livc_name,nis,joined_on,left_on\nANTW,LIVC Antwerpen (stad),11002,2025-06-01,\n");
    const r = await coverageReport(database.db, "2025-07-01");
    const { timeline } = await registerTimeline(database.db);
    const antw = (await livcByCode(database.db, "ANTW"))!;
    expect(timeline.coverageOn("2025-07-01").municipalities.find((m) => m.nis === "11002")?.livcId).toBe(antw.id);
    // Before the explicit row, the continued ANT membership holds.
    const ant = (await livcByCode(database.db, "ANT"))!;
    expect(timeline.coverageOn("2025-03-01").municipalities.find((m) => m.nis === "11002")?.livcId).toBe(ant.id);
    expect(r.covered).toBe(5);
  });

  it("a merger decision takes the municipality out of needs_decision", async () => {
    const database = ctx().database;
    const has = (await livcByCode(database.db, "HAS"))!;
    await recordMergerDecision(database, cli, "71072", { decision: "livc", livcId: has.id, joinedOn: "2025-01-01", note: "" });
    await recordMergerDecision(database, cli, "37022", { decision: "none", livcId: null, joinedOn: "2025-01-01", note: "under discussion" });
    const r = await coverageReport(database.db, "2025-03-10");
    expect(r.needs_decision).toEqual([]);
    expect(r.without.some((w) => w.nis === "71072")).toBe(false);
    expect(r.without.some((w) => w.nis === "37022")).toBe(true);
    const err = await recordMergerDecision(database, cli, "44021", { decision: "none", livcId: null, joinedOn: "2025-01-01", note: "" }).catch((e) => e);
    expect(err.code).toBe("not_merger");
  });

  it("a dissolved or still-being-set-up LIVC covers nobody", async () => {
    const database = ctx().database;
    const leuven = (await livcByCode(database.db, "LEUVEN"))!;
    await setStatus(database, cli, leuven.id, "being_set_up", "2019-05-01", null);
    await setStatus(database, cli, leuven.id, "operational", "2019-09-01", null);
    await setStatus(database, cli, leuven.id, "dissolved", "2023-01-01", null);
    const nis = (d: string) => coverageReport(database.db, d).then((r) => r.without.some((w) => w.nis === "24062"));
    expect(await nis("2019-06-01")).toBe(true);
    expect(await nis("2020-03-10")).toBe(false);
    expect(await nis("2023-06-01")).toBe(true);
  });

  it("imports obstacles all-or-nothing and idempotently, and counts reasons once per municipality", async () => {
    const database = ctx().database;
    const bad = "nis,recorded_on,reason,note\n11001,2020-01-01,few_cases,\n11002,2020-13-01,busy,\n11004,2020-01-01,other,\n";
    const err = await importObstacles(database, cli, bad).catch((e) => e);
    expect(err.errors).toEqual([
      'line 3: recorded_on "2020-13-01" is not a date written YYYY-MM-DD',
      'line 3: reason "busy" must be one of few_cases, capacity, legal_uncertainty, partner_reluctance, other_platform, other',
      'line 4: reason "other" needs a note',
    ]);
    const first = await importObstacles(database, cli, fixture("obstacles.csv"));
    expect(first).toEqual({ rows: 6, added: 6, unchanged: 0 });
    const revision = await registerRevision(database.db);
    expect(await importObstacles(database, cli, fixture("obstacles.csv"))).toEqual({ rows: 6, added: 0, unchanged: 6 });
    expect(await registerRevision(database.db)).toBe(revision);
    const r = await coverageReport(database.db, "2020-03-10");
    // Gent has an LIVC (its obstacle does not count); Boom's reason was recorded after the date.
    expect(r.obstacles).toEqual([
      { reason: "few_cases", municipalities: 2, inherited: 0 },
      { reason: "capacity", municipalities: 1, inherited: 0 },
      { reason: "other", municipalities: 1, inherited: 0 },
    ]);
  });

  it("refuses report dates before 2019-01-01", async () => {
    await expect(coverageReport(ctx().database.db, "2018-12-31")).rejects.toThrow(/starts on 2019-01-01/);
    await expect(coverageReport(ctx().database.db, "2020-02-30")).rejects.toThrow(/is not a date/);
  });
});
