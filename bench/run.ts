// `npm run bench`: the machine's ceiling (bare Fastify, bare better-sqlite3 read) and Schakel's key paths,
// measured in ONE process run so ratios hold on any machine. BENCH_SECONDS sets each run's length (default 5);
// BENCH_DATABASE_URL benchmarks against an existing (e.g. seeded or PostgreSQL) database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { seedDemo } from "../src/platform/demo";
import { buildApp } from "../src/platform/web/app";
import { type BenchResult, type BenchTarget, measure, memorySampler } from "./harness";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);

async function listen(app: ReturnType<typeof Fastify>): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const a = app.server.address();
  return `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
}

async function ceilings(): Promise<BenchResult[]> {
  const hello = Fastify();
  hello.get("/", async () => ({ hello: "world" }));
  const helloUrl = await listen(hello);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const db = new SQLite(path.join(dir, "ceiling.db"));
  db.pragma("journal_mode = WAL");
  db.exec("create table t (id integer primary key, v text); insert into t (v) values ('x');");
  const read = db.prepare("select v from t where id = 1");
  const sqliteApp = Fastify();
  sqliteApp.get("/", async () => read.get());
  const sqliteUrl = await listen(sqliteApp);
  const out = [await measure({ name: "ceiling: bare Fastify hello", url: helloUrl }, seconds), await measure({ name: "ceiling: bare better-sqlite3 read", url: sqliteUrl }, seconds)];
  await hello.close();
  await sqliteApp.close();
  db.close();
  return out;
}

async function main() {
  const results: BenchResult[] = await ceilings();
  const hello = results[0].rps;
  const started = performance.now();
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "schakel.db")}`;
  const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "test", DATABASE_URL: databaseUrl }) });
  if (!process.env.BENCH_DATABASE_URL) await seedDemo(ctx);
  const app = await buildApp(ctx, { logger: false });
  const base = await listen(app as unknown as ReturnType<typeof Fastify>);
  const startup = performance.now() - started;
  const targets: BenchTarget[] = [
    { name: "municipality register page", url: `${base}/municipalities?date=2025-01-01` },
    { name: "municipalities JSON", url: `${base}/api/v1/municipalities?date=2025-01-01` },
  ];
  const memory = memorySampler();
  for (const t of targets) results.push(await measure(t, seconds));
  const peak = memory.stop();
  await app.close();
  await ctx.close();

  const lines = [
    `| path | req/s | p50 ms | p97.5 ms | p99 ms | errors | non-2xx | ratio to hello |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...results.map((r) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${((r.rps / hello) * 100).toFixed(0)}% |`),
  ];
  console.log(`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${ctx.database.dialect}; ${seconds} s per path, 32 connections`);
  console.log(lines.join("\n"));
  console.log(`Start-up to ready: ${Math.round(startup)} ms (includes migrations and demo seeding on a fresh database). Peak RSS under load: ${Math.round(peak / 2 ** 20)} MB.`);
}

await main();
