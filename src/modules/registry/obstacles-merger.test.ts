/**
 * Obstacles recorded for the parts of a 2025 merger carry over to the successor (decision 0033),
 * with the real reference data: the merger is looked up in the crosswalk file, not made up.
 */
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { buildApp } from "../../platform/web/app";
import { coverageReport, dashboardData } from "../monitoring/service";
import { DEFAULT_REFERENCE_DIR } from "../reference/service";
import { importObstacles, registerTimeline } from "./service";

const cli = { actor: null };

/** The crosswalk's rows: old code -> new code, from the shared reference data. */
function crosswalk(): { oldNis: string; oldName: string; newNis: string; newName: string }[] {
  const lines = fs.readFileSync(path.join(DEFAULT_REFERENCE_DIR, "nis-2019-to-2025.csv"), "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((l) => {
    const [oldNis, oldName, newNis, newName] = l.split(",");
    return { oldNis, oldName, newNis, newName };
  });
}
const partsOf = (newNis: string) =>
  crosswalk()
    .filter((r) => r.newNis === newNis)
    .map((r) => ({ nis: r.oldNis, name: r.oldName }))
    .sort((a, b) => a.nis.localeCompare(b.nis));

describeEachDialect("Obstacles across the 2025 mergers", (ctx) => {
  // Beveren-Kruibeke-Zwijndrecht: a new code for three former municipalities.
  const BKZ = "46030";
  let parts: { nis: string; name: string }[];
  let app: FastifyInstance;
  let analyst: LoginSession;

  beforeAll(async () => {
    parts = partsOf(BKZ);
    expect(parts.map((p) => p.nis)).toEqual(["11056", "46003", "46013"]);
    expect(parts.map((p) => p.name)).toEqual(["Zwijndrecht", "Beveren", "Kruibeke"]);
    // Antwerpen kept its code and took in Borsbeek.
    expect(partsOf("11002").map((p) => p.nis)).toEqual(["11002", "11007"]);
    const csv = [
      "nis,recorded_on,reason,note",
      "11056,2023-05-10,capacity,",
      "46003,2022-03-01,few_cases,",
      "46003,2023-01-01,few_cases,later again",
      "46013,2024-06-01,capacity,Wacht op de fusie",
      "46030,2025-02-01,partner_reluctance,",
      "11002,2020-01-10,legal_uncertainty,",
      "11007,2021-06-01,few_cases,",
      "11002,2025-02-01,legal_uncertainty,",
    ].join("\n");
    expect(await importObstacles(ctx().database, cli, `${csv}\n`)).toMatchObject({ added: 8 });
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("before the merger each part counts its own obstacles; the successor does not exist yet", async () => {
    const r = await coverageReport(ctx().database.db, "2024-12-31");
    expect(r.set).toBe("2019");
    expect(r.without.some((w) => w.nis === BKZ)).toBe(false);
    expect(r.obstacles).toEqual([
      { reason: "few_cases", municipalities: 2, inherited: 0 }, // Beveren, Borsbeek
      { reason: "capacity", municipalities: 2, inherited: 0 }, // Zwijndrecht, Kruibeke
      { reason: "legal_uncertainty", municipalities: 1, inherited: 0 }, // Antwerpen
    ]);
  });

  it("after the merger the successor shows each part's obstacles with the former municipality and date", async () => {
    const { timeline } = await registerTimeline(ctx().database.db);
    const shown = timeline.obstaclesOn(BKZ, "2025-03-10");
    expect(shown.map((o) => [o.reason, o.recorded_on, o.formerly?.nis ?? null, o.formerly?.name ?? null])).toEqual([
      ["partner_reluctance", "2025-02-01", null, null],
      ["few_cases", "2022-03-01", "46003", "Beveren"],
      ["capacity", "2023-05-10", "11056", "Zwijndrecht"],
      ["capacity", "2024-06-01", "46013", "Kruibeke"],
    ]);
    // Before its own obstacle was recorded, only the inherited ones.
    expect(timeline.obstaclesOn(BKZ, "2025-01-15").every((o) => o.formerly !== null)).toBe(true);
    // The former municipalities themselves no longer exist on the date.
    expect(timeline.obstaclesOn("11056", "2025-03-10")).toEqual([]);
    // Same code: the 2019 Antwerpen's obstacle is the former municipality's, the 2025 one is its own.
    expect(timeline.obstaclesOn("11002", "2025-03-10").map((o) => [o.recorded_on, o.formerly?.nis ?? null])).toEqual([
      ["2025-02-01", null],
      ["2020-01-10", "11002"],
      ["2021-06-01", "11007"],
    ]);
  });

  it("counts each category once per successor, flagged inherited when only a former part recorded it", async () => {
    const db = ctx().database.db;
    const r = await coverageReport(db, "2025-03-10");
    expect(r.set).toBe("2025");
    expect(r.without.some((w) => w.nis === BKZ)).toBe(true);
    // BKZ: few_cases (inherited), capacity (inherited, two parts = once), partner_reluctance (own).
    // Antwerpen: few_cases (inherited from Borsbeek), legal_uncertainty (own since 2025-02-01).
    expect(r.obstacles).toEqual([
      { reason: "few_cases", municipalities: 2, inherited: 2 },
      { reason: "capacity", municipalities: 1, inherited: 1 },
      { reason: "legal_uncertainty", municipalities: 1, inherited: 0 },
      { reason: "partner_reluctance", municipalities: 1, inherited: 0 },
    ]);
    const early = await coverageReport(db, "2025-01-15");
    expect(early.obstacles).toEqual([
      { reason: "few_cases", municipalities: 2, inherited: 2 },
      { reason: "capacity", municipalities: 1, inherited: 1 },
      { reason: "legal_uncertainty", municipalities: 1, inherited: 1 },
    ]);
    const d = await dashboardData(db, "2025-03-10");
    const bkz = d.withoutDetails.find((w) => w.nis === BKZ)!;
    expect(bkz.reasons.filter((o) => o.formerly).map((o) => o.formerly!.name)).toEqual(["Beveren", "Zwijndrecht", "Kruibeke"]);
  });

  it("shows the carried obstacles on the coverage page, in the CSV and the API, marked with the former municipality", async () => {
    const page = await app.inject({ url: "/monitoring?date=2025-03-10", headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("geregistreerd voor de voormalige gemeente Zwijndrecht (11056) op 10 mei 2023");
    expect(page.body).toContain("geregistreerd voor de voormalige gemeente Borsbeek (11007)");
    expect(page.body).toContain("Waarvan alleen via een voormalige gemeente");
    const fr = await app.inject({ url: "/monitoring?date=2025-03-10&lang=fr", headers: analyst.headers() });
    expect(fr.body).toMatch(/enregistré pour l.ancienne commune Kruibeke \(46013\)/);
    const csv = await app.inject({ url: "/monitoring/coverage.csv?date=2025-03-10", headers: analyst.headers() });
    expect(csv.statusCode).toBe(200);
    const row = csv.body.split("\n").find((l) => l.includes(`;${BKZ};`))!;
    expect(row).toContain("few_cases (2022-03-01, recorded for former municipality Beveren 46003)");
    expect(row).toContain("capacity (2024-06-01, recorded for former municipality Kruibeke 46013): Wacht op de fusie");
    expect(row).toContain("partner_reluctance (2025-02-01)");
    const pdf = await app.inject({ url: "/monitoring/coverage.pdf?date=2025-03-10", headers: analyst.headers() });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.body.startsWith("%PDF")).toBe(true);
    const api = await app.inject({ url: "/api/v1/monitoring/coverage?date=2025-03-10", headers: analyst.headers() });
    expect(api.json().obstacles).toContainEqual({ reason: "capacity", municipalities: 1, inherited: 1 });
  });

  it("a successor that continues its parts' LIVC shows no obstacles (they only explain a missing LIVC)", async () => {
    const database = ctx().database;
    await makeTestLivc(database, cli, livcInput("BKZ", "LIVC Waasland-Noord", { founded_on: "2022-01-01" }), parts.map((p) => p.nis), "2024-09-01");
    const r = await coverageReport(database.db, "2025-03-10");
    expect(r.without.some((w) => w.nis === BKZ)).toBe(false);
    expect(r.obstacles).toEqual([
      { reason: "few_cases", municipalities: 1, inherited: 1 },
      { reason: "legal_uncertainty", municipalities: 1, inherited: 0 },
    ]);
  });
});
