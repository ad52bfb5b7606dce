// `npm run bench:cpu -- [path name parts, comma-separated]`: the server's CPU time per request on chosen
// benchmark paths (SQLite file of `npm run bench`), for A/B comparisons of a change on this noisy VM.
// "floor" picks the two floor paths (paths.ts floorTargets): `npm run bench:cpu -- "floor,coverage JSON"`
// splits an authenticated request into what every request costs, the session, and the path's own work.
// Requests/s with 32 connections moves with whatever else the machine does (the hello ceiling moved
// 20,000-45,000 req/s within minutes); this gives the CPU the server process itself spent per answered
// request (utime + stime from /proc, over the same load as `npm run bench`), free of autocannon's share of
// the two cores. It still moves with the VM (+-10% between rounds in session 15): alternate A and B. Each
// round starts the server anew (a process keeps its own speed: session 19).
//
//   BENCH_SECONDS  seconds of load per path (default 5)   BENCH_ROUNDS  rounds over the paths (default 3)
//   BENCH_DB       another seeded SQLite file
//   BENCH_DATABASE_URL  a seeded database by URL instead (postgres://... seeded by `BENCH_POSTGRES_URL=... npm run bench`)
import path from "node:path";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { cpuSeconds, measure } from "./harness";
import { fixtures, floorTargets, sessions, targets } from "./paths";
import { startCeilings, startSchakel, stop } from "./servers";

const ROOT = path.resolve(import.meta.dirname, "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const wanted = (process.argv[2] ?? "case list,case page,coverage JSON").split(",").map((w) => w.trim()).filter(Boolean);
const file = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : path.join(ROOT, ".tmp/bench/scale-1.db");
const env = { SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"), DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${file}` };

const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", ...env }) });
const f = await fixtures(ctx);
await ctx.database.db.deleteFrom("login_throttle").execute();
await ctx.close();
let server = await startSchakel(env);
// The hello ceiling's own CPU per request in the same rounds: the ratio targets are against it.
const ceilings = await startCeilings();
try {
  const s = await sessions(server.base, f);
  const candidates = (base: string) => [...floorTargets(base, s), ...targets(base, s, f)];
  const chosen = candidates(server.base).filter((t) => wanted.some((w) => t.name.includes(w)));
  if (chosen.length === 0) throw new Error(`no benchmark path matches ${wanted.join(", ")}`);
  const hello = { name: "hello (ceiling)", url: ceilings.hello, headers: {} };
  const per = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    // A server process keeps its own speed (session 19: 11% between two of the same code, up to 1.8x in a
    // state of frequent full GCs): each round measures a new one, warmed up unmeasured first.
    if (r > 0) {
      await stop(server.child);
      server = await startSchakel(env);
    }
    const current = candidates(server.base).filter((t) => wanted.some((w) => t.name.includes(w)));
    for (const t of current) await measure(t, 1);
    for (const t of [hello, ...current]) {
      const pid = t === hello ? ceilings.child.pid! : server.child.pid!;
      const before = cpuSeconds(pid);
      const res = await measure(t, seconds);
      const cpu = cpuSeconds(pid) - before;
      // The CPU covers the warm-up too: divided by every response of the run.
      const us = (cpu * 1e6) / res.answered;
      per.set(t.name, [...(per.get(t.name) ?? []), us]);
      console.log(`${t.name}: ${res.rps} req/s, server CPU ${us.toFixed(0)} us/request`);
    }
  }
  // "x hello": the path's CPU a request over hello's in the same rounds. Where the server's one core is the
  // bottleneck (every Schakel path here), throughput is about 1 / CPU: the ratio targets ask for at most
  // 2x (coverage JSON, dashboard: >= 50% of hello) and 4x (case list and page: >= 25%).
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const helloMedian = median(per.get(hello.name) ?? [Number.NaN]);
  console.log("\n| path | server CPU per request (us), each round | median | over hello | x hello |\n| --- | --- | ---: | ---: | ---: |");
  for (const [name, v] of per) {
    const m = median(v);
    console.log(`| ${name} | ${v.map((x) => x.toFixed(0)).join(", ")} | ${m.toFixed(0)} | ${name === hello.name ? "" : `+${(m - helloMedian).toFixed(0)}`} | ${(m / helloMedian).toFixed(1)} |`);
  }
} finally {
  await stop(server.child);
  await stop(ceilings.child);
}
