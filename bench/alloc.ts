// `npm run bench:alloc -- <path name part>`: the bytes a request of ONE benchmark path allocates on the server's
// JavaScript heap, and the functions that allocate them (V8's sampling heap profiler, collected objects kept:
// bench/alloc-preload.cjs). What a request allocates decides how often the young generation is collected, and
// how much of a request's garbage is still alive (32 requests in flight) when it is: the GC share of a profile.
// Sampled (one sample per ~8 KB): figures within a few percent. Against the seeded database of `npm run bench`.
//
//   BENCH_SECONDS  seconds of load sampled (default 5, after 2 s unsampled)
//   BENCH_DB       another seeded SQLite file      BENCH_DATABASE_URL  a seeded database by URL instead
import fs from "node:fs";
import path from "node:path";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { measure } from "./harness";
import { fixtures, floorTargets, sessions, targets } from "./paths";
import { startSchakel, stop } from "./servers";

const ROOT = path.resolve(import.meta.dirname, "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const wanted = process.argv[2] ?? "case page";
const file = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : path.join(ROOT, ".tmp/bench/scale-1.db");
const env = { SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"), DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${file}` };
const out = path.join(ROOT, ".tmp/bench/profiles", `alloc-${Date.now()}.heapprofile`);
fs.mkdirSync(path.dirname(out), { recursive: true });

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", ...env }) });
const f = await fixtures(ctx);
await ctx.database.db.deleteFrom("login_throttle").execute();
await ctx.close();
process.env.BENCH_SERVER_FLAGS = `${process.env.BENCH_SERVER_FLAGS ?? ""} --require ${path.join(ROOT, "bench/alloc-preload.cjs")}`;
process.env.BENCH_ALLOC_OUT = out;
const server = await startSchakel(env);
let answered = 0;
try {
  const s = await sessions(server.base, f);
  const target = [...floorTargets(server.base, s), ...targets(server.base, s, f)].find((t) => t.name.includes(wanted));
  if (!target) throw new Error(`no benchmark path matches "${wanted}"`);
  await measure(target, 2);
  server.child.kill("SIGUSR2");
  const r = await measure(target, seconds, 0);
  server.child.kill("SIGUSR2");
  answered = r.answered;
  console.log(`${target.name}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors, ${r.non2xx} non-2xx`);
  for (let i = 0; i < 200 && !fs.existsSync(out); i++) await new Promise((res) => setTimeout(res, 50));
} finally {
  await stop(server.child);
}
const profile = JSON.parse(fs.readFileSync(out, "utf8")) as { head: Node; error?: string };
if (profile.error) throw new Error(`the heap profiler failed: ${profile.error}`);
const self = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
const where = (u: string) => u.replace(`file://${ROOT}/`, "").replace(`${ROOT}/`, "");
const walk = (node: Node, files: Set<string>) => {
  const fr = node.callFrame;
  const key = `${fr.functionName || "(anonymous)"} ${where(fr.url)}:${fr.lineNumber + 1}`;
  const u = where(fr.url).replace(/node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*/, "node_modules/$1");
  const inside = u && !files.has(u) ? new Set([...files, u]) : files;
  if (node.selfSize) {
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const x of inside) byFile.set(x, (byFile.get(x) ?? 0) + node.selfSize);
  }
  for (const c of node.children) walk(c, inside);
};
walk(profile.head, new Set());
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / answered / 1024).toFixed(1).padStart(6)} KB/request  ${k}`)
    .join("\n");
console.log(`\nallocated while sampled: ${(total / 2 ** 20).toFixed(0)} MB over ${answered} requests: ${(total / answered / 1024).toFixed(1)} KB a request`);
console.log(`\nby allocating function (self):\n${top(self, 30)}\n\nby file (inclusive):\n${top(byFile, 20)}\n\nprofile: ${path.relative(ROOT, out)} (Chrome DevTools, Memory)`);
