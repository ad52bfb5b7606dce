// Coverage report speed on a register with 10 years of history for every Flemish municipality
// (2019-2029: each municipality changes LIVC every one to two years, with gaps, own and
// inter-municipal cells, status changes and obstacles). Target: under 50 ms for any date.
//
//   node --import tsx bench/coverage.ts            (or call benchCoverage() from bench/run.ts)
//   BENCH_DATABASE_URL=postgres://... to measure on PostgreSQL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { coverageReport } from "../src/modules/monitoring/service";
import { importObstacles, importRegister, listLivcs, municipalityVersions, setStatus } from "../src/modules/registry/service";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { addDays } from "../src/platform/db/values";

export interface CoverageBenchResult {
  dialect: string;
  memberships: number;
  dates: number;
  coldMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  perDate: { date: string; ms: number }[];
}

let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86400000;

/** Builds the 10-year register through the real CSV import (so every row passes the overlap rules). */
async function buildHistory(ctx: Awaited<ReturnType<typeof openContext>>): Promise<number> {
  const versions = await municipalityVersions(ctx.database.db);
  const lines = ["livc_code,livc_name,nis,joined_on,left_on"];
  const obstacles = ["nis,recorded_on,reason,note"];
  const reasons = ["few_cases", "capacity", "legal_uncertainty", "partner_reluctance", "other_platform"];
  for (const v of versions) {
    const zone = (v.validFrom >= "2025-01-01" ? v.policeZoneFrom2025 : v.policeZone) ?? v.nis;
    const zoneCode = `Z-${zone.replace(/[^A-Za-z0-9]/g, "").slice(0, 30)}`;
    let day = v.validFrom < "2019-01-01" ? "2019-01-01" : v.validFrom;
    const end = v.validTo ? addDays(v.validTo, 1) : "2030-01-01";
    while (day < end) {
      const length = 300 + Math.floor(random() * 400);
      const next = [addDays(day, length), end].sort()[0];
      const r = random();
      if (r < 0.15) obstacles.push(`${v.nis},${day},${reasons[Math.floor(random() * reasons.length)]},`);
      else {
        const [code, name] = r < 0.6 ? [`OWN-${v.nis}`, `LIVC ${v.name}`] : [zoneCode, `LIVC-R ${zoneCode}`];
        lines.push(`${code},"${name}",${v.nis},${day},${next === "2030-01-01" ? "" : next}`);
      }
      day = next;
    }
  }
  await importRegister(ctx.database, { actor: null }, `${lines.join("\n")}\n`, { file: "bench" });
  await importObstacles(ctx.database, { actor: null }, `${obstacles.join("\n")}\n`, { file: "bench-obstacles" });
  // Some life-status history too: a tenth of the cells go dormant or are dissolved for a while.
  for (const l of (await listLivcs(ctx.database.db)).filter(() => random() < 0.1)) {
    await setStatus(ctx.database, { actor: null }, l.id, random() < 0.5 ? "dormant" : "dissolved", "2023-01-01", null);
    await setStatus(ctx.database, { actor: null }, l.id, "operational", "2024-06-01", null);
  }
  return lines.length - 1;
}

export async function benchCoverage(opts: { databaseUrl?: string; dates?: number } = {}): Promise<CoverageBenchResult> {
  const databaseUrl = opts.databaseUrl ?? `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-coverage-")), "schakel.db")}`;
  const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "test", DATABASE_URL: databaseUrl }) });
  try {
    const memberships = await buildHistory(ctx);
    const db = ctx.database.db;
    // Cold: the first report after a change loads the whole register once (a handful of indexed queries).
    let t = performance.now();
    await coverageReport(db, "2020-03-10");
    const coldMs = performance.now() - t;
    const span = daysBetween("2019-01-01", "2029-12-31");
    const perDate: { date: string; ms: number }[] = [];
    for (let i = 0; i < (opts.dates ?? 200); i++) {
      const date = addDays("2019-01-01", Math.floor(random() * span));
      t = performance.now();
      await coverageReport(db, date);
      perDate.push({ date, ms: performance.now() - t });
    }
    const sorted = perDate.map((p) => p.ms).sort((a, b) => a - b);
    return {
      dialect: ctx.database.dialect,
      memberships,
      dates: perDate.length,
      coldMs,
      p50Ms: sorted[Math.floor(sorted.length / 2)],
      p95Ms: sorted[Math.floor(sorted.length * 0.95)],
      maxMs: sorted.at(-1) ?? 0,
      perDate,
    };
  } finally {
    await ctx.close();
  }
}

export function printCoverageBench(r: CoverageBenchResult, verbose = false): void {
  console.log(
    `Coverage report (${r.dialect}, ${r.memberships} membership rows over 2019-2029): cold ${r.coldMs.toFixed(1)} ms, ` +
      `${r.dates} dates p50 ${r.p50Ms.toFixed(2)} ms, p95 ${r.p95Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms (target < 50 ms per date; ` +
      `a max far above p95 is the machine being busy, run again on an idle machine)`,
  );
  if (verbose) for (const p of r.perDate) console.log(`  ${p.date}  ${p.ms.toFixed(2)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("bench/coverage.ts")) {
  const r = await benchCoverage({ databaseUrl: process.env.BENCH_DATABASE_URL });
  printCoverageBench(r, process.argv.includes("--verbose"));
  if (r.p95Ms >= 50) process.exitCode = 1;
}
