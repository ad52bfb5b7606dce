// `npm run bench:backup`: backup and restore at a given scale (decision 0067). Per database: seeds (or
// reuses) a scale database, then in a CHILD process with a small heap cap (--max-old-space-size, as in
// production) runs the streamed backup, and in another child restores that file into an empty
// database. Reports time, file size, rows and the child's peak RSS (the memory must stay flat).
//
//   BENCH_SCALE    data set size (default 0.1)        BENCH_DIALECTS  sqlite,postgres (default sqlite)
//   BENCH_SQLITE_FILE  reuse/keep the seeded SQLite file (default .tmp/bench/scale-<N>.db)
//   BENCH_HEAP_MB  the children's --max-old-space-size (default 128)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { loadMasterKey } from "../src/platform/crypto/master-key";
import { getMeta } from "../src/platform/meta";
import { seedScale } from "../src/modules/scale/service";
import { openBackupFile, restoreBackup, writeBackup } from "../src/modules/backup/service";
import { startCluster } from "../test/support/postgres-cluster";

const scale = Number(process.env.BENCH_SCALE ?? 0.1);
const dialects = (process.env.BENCH_DIALECTS ?? "sqlite").split(",");
const heapMb = Number(process.env.BENCH_HEAP_MB ?? 128);
// The fixed synthetic-data key of bench/run.ts, so a database seeded there is reused here.
const env = { SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") };
const work = path.resolve(import.meta.dirname, "../.tmp/bench");
const config = (url: string) => loadConfig({ ...process.env, NODE_ENV: "development", DATABASE_URL: url, ...env });
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

/** In a child: one backup or one restore, then one JSON line with the time and the peak RSS. */
async function child(kind: string, url: string, file: string) {
  const ctx = await openContext({ config: config(url) });
  try {
    const master = loadMasterKey(ctx.config, () => {});
    const started = performance.now();
    let rows = 0;
    if (kind === "backup") {
      const { manifest } = await writeBackup(ctx.database, master, file);
      rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    } else {
      rows = (await restoreBackup(ctx.database, await openBackupFile(file, master))).rows;
    }
    const ms = performance.now() - started;
    console.log(JSON.stringify({ ms, rows, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }));
  } finally {
    await ctx.close();
  }
}

function runChild(kind: string, url: string, file: string): { ms: number; rows: number; peakRssMb: number } {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, "--import", "tsx", import.meta.filename, "--child", kind, url, file], { encoding: "utf8", env: { ...process.env, LOG_LEVEL: "silent" }, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${kind} failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

async function seeded(url: string) {
  const ctx = await openContext({ config: config(url) });
  try {
    const meta = await getMeta(ctx.database.db, "scale_seeded");
    if (meta && JSON.parse(meta).scale === scale) return null;
    return (await seedScale(ctx, { scale, seed: 1 })).seconds;
  } finally {
    await ctx.close();
  }
}

async function benchDialect(name: string, source: string, target: () => Promise<string>) {
  const seedSeconds = await seeded(source);
  if (seedSeconds !== null) console.error(`(${name}: seeded scale ${scale} in ${seedSeconds.toFixed(0)} s)`);
  const file = path.join(work, `backup-${scale}-${name.split(" ")[0].toLowerCase()}.sbk`);
  const b = runChild("backup", source, file);
  const size = fs.statSync(file).size;
  const into = await target();
  const r = runChild("restore", into, file);
  fs.rmSync(file, { force: true });
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(
    `| ${name} | ${scale} | ${b.rows.toLocaleString("en")} | ${(b.ms / 1000).toFixed(1)} s | ${mb(size)} MiB | ${b.peakRssMb} MB | ${(r.ms / 1000).toFixed(1)} s | ${r.peakRssMb} MB | ${load()} |`,
  );
}

async function main() {
  fs.mkdirSync(work, { recursive: true });
  console.log(`# Backup benchmark ${new Date().toISOString()}: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, children at --max-old-space-size=${heapMb}; load average ${load()}`);
  console.log("| database | scale | rows | backup | file | backup peak RSS | restore (verify + insert + check) | restore peak RSS | load after |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  if (dialects.includes("sqlite")) {
    const file = process.env.BENCH_SQLITE_FILE ?? path.join(work, `scale-${scale}.db`);
    const restored = path.join(work, `restore-${scale}.db`);
    await benchDialect("SQLite", `sqlite:${file}`, async () => {
      for (const f of [restored, `${restored}-wal`, `${restored}-shm`]) fs.rmSync(f, { force: true });
      const ctx = await openContext({ config: config(`sqlite:${restored}`) });
      await ctx.close();
      return `sqlite:${restored}`;
    });
    for (const f of [restored, `${restored}-wal`, `${restored}-shm`]) fs.rmSync(f, { force: true });
  }
  if (dialects.includes("postgres")) {
    const cluster = await startCluster();
    try {
      const targetUrl = cluster.url.replace(/\/[^/]*$/, "/restore_target");
      await benchDialect("PostgreSQL 15", cluster.url, async () => {
        const ctx = await openContext({ config: config(cluster.url) });
        await sql.raw("create database restore_target").execute(ctx.database.db);
        await ctx.close();
        const t = await openContext({ config: config(targetUrl) });
        await t.close();
        return targetUrl;
      });
    } finally {
      cluster.stop();
    }
  }
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
