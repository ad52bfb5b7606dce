// `npm run bench`: in ONE process run, per database (SQLite, then PostgreSQL on a throwaway cluster):
// the machine's ceiling (bare Fastify hello, bare better-sqlite3 read; own process), then Schakel's key
// paths with autocannon against the real server (`schakel serve`, own process) on a seeded database.
//
//   BENCH_SECONDS  seconds per path (default 5)        BENCH_SCALE  data set size (default 1 = issue 9's volume)
//   BENCH_DIALECTS sqlite,postgres (default both)      BENCH_SQLITE_FILE  reuse/keep the seeded SQLite file
//   BENCH_POSTGRES_URL  an existing PostgreSQL database (seeded on first use, kept) instead of a throwaway cluster
//   BENCH_PATHS    only the paths whose name contains one of these comma-separated words (for an A/B)
//   BENCH_PROBE_SECONDS  seconds of hello measured again right after each path (default 2; 0: none): whether the
//                  machine ran at the speed of the run's ceiling while that path was measured
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import cliProgress from "cli-progress";
import { sql } from "kysely";
import { getMeta } from "../src/platform/meta";
import { catchUpDue, runClaimedDailyJobs } from "../src/platform/daily";
import { lastDailyRun } from "../src/platform/daily-runs";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { seedScale } from "../src/modules/scale/service";
import { startCluster } from "../test/support/postgres-cluster";
import { type BenchResult, measure, peakRssMb, WARMUP_SECONDS } from "./harness";
import { pagesReport, scanPages } from "./pages";
import { fixtures, pageWeight, removeBenchReports, sessions, targets, timedExport } from "./paths";
import { hasServerCodeCache, startCeilings, startSchakel, stop } from "./servers";
import { runCommand } from "./verify";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const scale = Number(process.env.BENCH_SCALE ?? 1);
const dialects = (process.env.BENCH_DIALECTS ?? "sqlite,postgres").split(",");
// A fixed master key for the synthetic data only (fictional people), so a seeded file can be reused.
const MASTER_KEY = Buffer.alloc(32, 7).toString("base64");
const env = { SCHAKEL_MASTER_KEY: MASTER_KEY };
const probeSeconds = Number(process.env.BENCH_PROBE_SECONDS ?? 2);
if (!Number.isFinite(probeSeconds) || probeSeconds < 0) {
  console.error(`BENCH_PROBE_SECONDS must be a number of seconds >= 0 (0: no probe), not "${process.env.BENCH_PROBE_SECONDS}"`);
  process.exit(2);
}
const onlyPaths = process.env.BENCH_PATHS?.split(",").map((w) => w.trim()).filter(Boolean);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
const out: string[] = [];
const say = (line = "") => {
  console.log(line);
  out.push(line);
};

async function seeded(databaseUrl: string) {
  const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", DATABASE_URL: databaseUrl, ...env }) });
  try {
    // A reused database may carry login failures of an earlier (interrupted) run: start unthrottled.
    await ctx.database.db.deleteFrom("login_throttle").execute();
    const meta = await getMeta(ctx.database.db, "scale_seeded");
    if (meta && JSON.parse(meta).scale === scale) {
      await steadyState(ctx);
      return { seedSeconds: null, fixtures: await fixtures(ctx) };
    }
    const bar = new cliProgress.SingleBar({ format: `seeding ${ctx.database.dialect} {bar} {percentage}% | {value}/{total} rows | {phase}` }, cliProgress.Presets.shades_classic);
    bar.start(1, 0, { phase: "" });
    const r = await seedScale(ctx, { scale, seed: 1, progress: (d, t, phase) => { bar.setTotal(t); bar.update(d, { phase }); } });
    bar.stop();
    await steadyState(ctx);
    return { seedSeconds: r.seconds, fixtures: await fixtures(ctx) };
  } finally {
    await ctx.close();
  }
}

/**
 * The database as a running installation has it, before anything is measured:
 * - today's daily jobs done (otherwise the server's catch-up, 60 s after its start, runs them in the middle of
 *   the measured paths: a first purge of a seeded data set is a large write);
 * - PostgreSQL: a checkpoint, so the seed's gigabyte of dirty pages is not written back during the measurements
 *   (the checkpointer spreads it over minutes).
 */
async function steadyState(ctx: Awaited<ReturnType<typeof openContext>>) {
  if (catchUpDue(await lastDailyRun(ctx.database.db), new Date())) {
    const t0 = performance.now();
    const quiet = { info() {}, error(obj: Record<string, unknown>, msg: string) { say(`daily jobs: ${msg} ${JSON.stringify(obj)}`); } };
    const outcome = await runClaimedDailyJobs(ctx, quiet);
    say(`Daily jobs run once before measuring (${outcome}): ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
  }
  if (ctx.database.dialect === "postgres") await sql`checkpoint`.execute(ctx.database.db);
}

const row = (r: BenchResult, hello: number, note = "", helloAfter?: number) =>
  `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.coldMax} | ${r.errors} | ${r.non2xx} | ${((r.rps / hello) * 100).toFixed(0)}% | ${helloAfter === undefined ? "" : helloAfter} | ${note} |`;

async function benchDialect(dialect: string, databaseUrl: string) {
  say(`\n## ${dialect} (scale ${scale}; load average at start ${load()})`);
  const { seedSeconds, fixtures: f } = await seeded(databaseUrl);
  if (seedSeconds !== null) say(`Seeded scale ${scale} in ${seedSeconds.toFixed(0)} s.`);
  const ceilings = await startCeilings();
  const hello = await measure({ name: "ceiling: bare Fastify hello", url: ceilings.hello }, seconds);
  const sqliteRead = await measure({ name: "ceiling: bare better-sqlite3 read", url: ceilings.sqlite }, seconds);
  // The ceiling's process stays up (idle) while the paths run: hello is measured again right after each one.
  const helloProbe = async () => (probeSeconds > 0 ? (await measure({ name: "hello (probe)", url: ceilings.hello }, probeSeconds)).rps : undefined);
  // Decision 0073: the first start of a new bundle compiles it and writes its code cache; every later one reads it.
  const cached = hasServerCodeCache();
  let server: Awaited<ReturnType<typeof startSchakel>>;
  try {
    server = await startSchakel({ ...env, DATABASE_URL: databaseUrl });
    if (!cached) {
      say(`Start-up to ready, first start of this bundle (compiles it, then writes its code cache): ${Math.round(server.startupMs)} ms.`);
      await stop(server.child);
      server = await startSchakel({ ...env, DATABASE_URL: databaseUrl });
    }
  } catch (e) {
    await stop(ceilings.child);
    throw e;
  }
  say(`Start-up to ready (spawn -> 200 on /readyz, seeded database, from the code cache): ${Math.round(server.startupMs)} ms (target < 1500 ms).`);
  try {
    const s = await sessions(server.base, f);
    const runStart = new Date().toISOString();
    const results: { r: BenchResult; note: string; helloAfter: number | undefined }[] = [];
    for (const t of targets(server.base, s, f)) {
      if (onlyPaths && !onlyPaths.some((w) => t.name.includes(w))) continue;
      const probe = await fetch(t.url, { method: t.method ?? "GET", headers: t.headers, body: t.method === "POST" ? t.body : undefined, redirect: "manual" });
      if (probe.status === 404) {
        say(`(skipped: ${t.name} answers 404 in this tree)`);
        continue;
      }
      const r = await measure(t, seconds);
      const helloAfter = await helloProbe();
      const ratio = r.rps / hello.rps;
      const note =
        t.kind === "case" ? (ratio >= 0.25 && r.p99 < 50 ? "meets >= 25%, p99 < 50 ms" : "MISSES >= 25% / p99 < 50 ms")
        : t.kind === "coverage" || t.kind === "dashboard" ? (ratio >= 0.5 ? "meets >= 50%" : "MISSES >= 50%")
        : t.kind === "report" ? (r.rps >= 500 ? "meets >= 500/s" : "MISSES >= 500/s")
        : "";
      results.push({ r, note: `${note}${note ? "; " : ""}${Math.round(r.bytes / 102.4) / 10} KB/resp`, helloAfter });
      console.log(`  ${t.name}: ${r.rps} req/s, p99 ${r.p99} ms${helloAfter === undefined ? "" : `; hello right after ${helloAfter} req/s`} (load ${load()})`);
      if (t.kind === "report") {
        const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", DATABASE_URL: databaseUrl, ...env }) });
        try {
          console.log(`  (removed the ${await removeBenchReports(ctx, f.reporterEmail, runStart)} reports this run submitted)`);
        } finally {
          await ctx.close();
        }
      }
    }
    say("");
    say(`Each path: ${WARMUP_SECONDS} s of warm-up on the same 32 connections, then ${seconds} s measured (req/s and percentiles of the requests sent after the warm-up). "warm-up max": the slowest response while the 32 new connections were being accepted (libuv accepts one new connection per event-loop turn; bench/harness.ts).`);
    say("");
    if (probeSeconds > 0) {
      say(`"hello right after": the same hello route measured again for ${probeSeconds} s right after the path (its own warm-up first). The ratio and the target are the issue's: to the hello measured at the start of this run. A hello right after far below the one at the start says the machine itself ran slower while that path was measured (these virtual machines change speed by the minute).`);
      say("");
    }
    say("| path | req/s | p50 ms | p95 ms | p99 ms | warm-up max ms | errors | non-2xx | ratio to hello | hello right after | target |");
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    say(row(hello, hello.rps));
    say(row(sqliteRead, hello.rps));
    for (const { r, note, helloAfter } of results) say(row(r, hello.rps, note, helloAfter));
    say(`\nPeak RSS of the Schakel server after the load runs: ${peakRssMb(server.child.pid!)} MB (target < 300 MB). Load average now: ${load()}.`);
    if (onlyPaths) return; // an A/B of chosen paths: the rest of the run is not needed

    // Coverage for any date, cold per date (each date computed once, then cached): sequential single requests.
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const date = new Date(Date.UTC(2019, 0, 1) + i * 47 * 86_400_000).toISOString().slice(0, 10);
      const t0 = performance.now();
      const res = await fetch(`${server.base}/api/v1/monitoring/coverage?date=${date}`, { headers: { cookie: s.analyst.cookie } });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    }
    const cold = times.shift()!;
    times.sort((a, b) => a - b);
    say(`Coverage JSON for 40 different dates 2019-2024, first request per date (HTTP round trip included): the very first (loads the register timeline once per revision) ${cold.toFixed(1)} ms; the other 39: median ${times[19].toFixed(1)} ms, p95 ${times[36].toFixed(1)} ms, max ${times[38].toFixed(1)} ms (target < 50 ms).`);

    const exp = await timedExport(`${server.base}/audit/export.csv?from=${f.exportFrom}&to=${f.exportTo}`, s.dpo.cookie, server.child.pid!);
    say(`CSV export (DPO audit export ${f.exportFrom}..${f.exportTo}): ${exp.rows} rows, ${exp.mb} MB in ${exp.ms} ms (first byte after ${exp.firstByteMs} ms; status ${exp.status}); server RSS ${exp.rssBeforeMb} MB before, ${exp.rssPeakMb} MB peak (target < 3000 ms, flat memory).`);

    say("\nFirst-load page weight (HTML + its CSS and JS, compressed as sent to a browser asking for br/gzip; target < 60 KB each):\n");
    say("| page | status | encoding | HTML bytes | assets | asset bytes | total KB |");
    say("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
    for (const [p, cookie] of [["/login", ""], ["/cases", s.chair.cookie], [`/cases/${f.caseId}`, s.chair.cookie], ["/reports/new", s.reporter.cookie], ["/monitoring", s.analyst.cookie], ["/monitoring/participation", s.analyst.cookie], ["/registry", s.analyst.cookie], ["/municipalities?date=2025-01-01", ""]] as const) {
      const w = await pageWeight(server.base, p, cookie);
      say(`| ${w.path.replace(f.caseId, ":id")} | ${w.status} | ${w.encoding} | ${w.htmlBytes} | ${w.assets} | ${w.assetBytes} | ${w.totalKb} |`);
    }
    say(`\nPeak RSS of the Schakel server over the whole run: ${peakRssMb(server.child.pid!)} MB (target < 300 MB).`);
  } finally {
    await stop(server.child);
    await stop(ceilings.child);
  }
  if (onlyPaths) return;
  if (dialect === "SQLite") {
    // Every page, not a chosen few (in process, so the seeded file must not be busy with the server).
    const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "production", SCHAKEL_PUBLIC_URL: "http://127.0.0.1", DATABASE_URL: databaseUrl, ...env }) });
    try {
      say("");
      for (const line of pagesReport(await scanPages(ctx))) say(line);
    } finally {
      await ctx.close();
    }
  }
  const verify = await runCommand(["audit", "verify"], { ...env, NODE_ENV: "production", DATABASE_URL: databaseUrl });
  say(`schakel audit verify: ${verify.trim().split("\n")[0]} (target >= 200,000 entries/s; load average ${load()}).`);
}

async function main() {
  say(`# Schakel benchmark ${new Date().toISOString()}`);
  say(`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}; ${WARMUP_SECONDS} s warm-up + ${seconds} s measured per path, 32 connections; autocannon in this process, each server in its own process. Load average: ${load()}.`);
  if (dialects.includes("sqlite")) {
    const file = process.env.BENCH_SQLITE_FILE ?? path.join(path.resolve(import.meta.dirname, "../.tmp/bench"), `scale-${scale}.db`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await benchDialect("SQLite", `sqlite:${file}`);
  }
  if (dialects.includes("postgres") && process.env.BENCH_POSTGRES_URL) {
    await benchDialect("PostgreSQL 15", process.env.BENCH_POSTGRES_URL);
  } else if (dialects.includes("postgres")) {
    // As a production server flushes: the tests' cluster turns fsync and synchronous commit off.
    const cluster = await startCluster({ durable: true });
    try {
      await benchDialect("PostgreSQL 15", cluster.url);
    } finally {
      cluster.stop();
    }
  }
  const report = path.resolve(import.meta.dirname, "../.tmp/bench/last-run.md");
  fs.mkdirSync(path.dirname(report), { recursive: true });
  fs.writeFileSync(report, `${out.join("\n")}\n`);
  console.log(`\n(written to ${path.relative(process.cwd(), report)})`);
}

await main();
