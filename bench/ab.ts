// `npm run bench:ab -- <git rev> [path name parts]`: the server's CPU per request of the working tree (B)
// against another revision (A), both servers running at once on the same seeded SQLite file, measured in
// short alternating bursts (A, B, B, A, ...). On this VM the speed of everything moves by half within
// minutes (hello 22-53 us of CPU a request within one session): runs minutes apart compare the VM, not the
// change. Bursts of a few seconds, interleaved, see the same VM.
//
//   BENCH_ROUNDS  pairs of bursts (default 8)   BENCH_SECONDS  seconds a burst (default 2)
//   BENCH_RESTART_EVERY  both servers started anew every N pairs (default 2): a process keeps its own speed
//   BENCH_B_FLAGS  Node/V8 flags for B's server only (A/B of a flag against the same code: revision HEAD)
//   BENCH_CONNECTIONS  connections of the load (default 32); with 1, the p50 latencies of one person alone are compared too
//   BENCH_DATABASE_URL  another database than the SQLite file, e.g. a seeded PostgreSQL one (BENCH_POSTGRES_URL of
//     npm run bench): then PostgreSQL's CPU a request is measured too (every postgres process on the machine)
//   The revision is checked out in a temporary git worktree (node_modules linked); its bundle is built on start.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { cpuSeconds, measure, postgresCpuSeconds } from "./harness";
import { fixtures, sessions, targets } from "./paths";
import { startSchakel, stop } from "./servers";

const ROOT = path.resolve(import.meta.dirname, "..");
const rev = process.argv[2];
if (!rev) throw new Error("usage: npm run bench:ab -- <git rev> [path name parts, comma-separated]");
const wanted = (process.argv[3] ?? "case list,case page,coverage JSON").split(",").map((w) => w.trim()).filter(Boolean);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const file = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : path.join(ROOT, ".tmp/bench/scale-1.db");
const databaseUrl = process.env.BENCH_DATABASE_URL ?? `sqlite:${file}`;
const postgres = databaseUrl.startsWith("postgres");
const env = { SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"), DATABASE_URL: databaseUrl };


const tree = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-ab-"));
execFileSync("git", ["worktree", "add", "--detach", tree, rev], { cwd: ROOT, stdio: "ignore" });
fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"));
const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", ...env }) });
const f = await fixtures(ctx);
await ctx.database.db.deleteFrom("login_throttle").execute();
await ctx.close();
const { startSchakel: startOther } = (await import(path.join(tree, "bench/servers.ts"))) as { startSchakel: typeof startSchakel };
// BENCH_B_FLAGS: Node/V8 flags for B only (A/B of a flag: give HEAD as the revision).
// Both servers trace their GCs to a file of their own (revisions from session 19 on take BENCH_SERVER_*):
// a server can settle in a state with a full mark-compact every few hundred ms for its whole life (decided
// by V8's heuristics, not by the code), and two servers of the SAME code differed by 11% in 4 of 4 pairs
// (session 19): a process keeps its own speed. So both are started anew every BENCH_RESTART_EVERY pairs
// (default 2), in turn first, and the pairs of several processes are compared.
const serverFlags = process.env.BENCH_SERVER_FLAGS ?? "";
const restartEvery = Math.max(1, Number(process.env.BENCH_RESTART_EVERY ?? 2));
const gcLog = { a: path.join(tree, "gc-a.log"), b: path.join(tree, "gc-b.log") };
for (const f of Object.values(gcLog)) fs.writeFileSync(f, "");
type Server = Awaited<ReturnType<typeof startSchakel>>;
const servers: { a?: Server; b?: Server } = {};
async function start(side: "a" | "b") {
  process.env.BENCH_SERVER_FLAGS = `${serverFlags} --trace-gc ${side === "b" ? (process.env.BENCH_B_FLAGS ?? "") : ""}`;
  process.env.BENCH_SERVER_STDOUT = gcLog[side];
  servers[side] = await (side === "a" ? startOther : startSchakel)(env);
}
async function restart(firstA: boolean) {
  for (const side of ["a", "b"] as const) if (servers[side]) await stop(servers[side].child);
  for (const side of firstA ? (["a", "b"] as const) : (["b", "a"] as const)) await start(side);
}
const markCompacts = (side: "a" | "b") => (fs.readFileSync(gcLog[side], "utf8").match(/Mark-Compact/g) ?? []).length;
try {
  await restart(true);
  // One login serves both: the session is in the database they share (and outlives the processes).
  const s = await sessions(servers.b!.base, f);
  let started = 0;
  for (const name of wanted) {
    const m = { a: [] as number[], b: [] as number[] };
    const pg = { a: [] as number[], b: [] as number[] };
    const p50 = { a: [] as number[], b: [] as number[] };
    const gc = { a: { mc: 0, n: 0 }, b: { mc: 0, n: 0 } };
    let label = name;
    for (let r = 0; r < rounds; r++) {
      if (r > 0 && r % restartEvery === 0) await restart(++started % 2 === 0);
      const target = (side: "a" | "b") => {
        const t = targets(servers[side]!.base, s, f).find((x) => x.name.includes(name));
        if (!t) throw new Error(`no benchmark path matches ${name}`);
        label = t.name;
        return { ...t, connections };
      };
      // A B, then B A: neither side always goes first.
      for (const side of r % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const)) {
        const server = servers[side]!;
        // A new process warms up (JIT, caches) unmeasured first.
        if (r % restartEvery === 0) await measure(target(side), 1, 0.5);
        const before = cpuSeconds(server.child.pid!);
        const pgBefore = postgres ? postgresCpuSeconds() : 0;
        const mcBefore = markCompacts(side);
        const res = await measure(target(side), seconds, 0.5);
        m[side].push(((cpuSeconds(server.child.pid!) - before) * 1e6) / res.answered);
        p50[side].push(res.p50);
        if (postgres) pg[side].push(((postgresCpuSeconds() - pgBefore) * 1e6) / res.answered);
        gc[side].mc += markCompacts(side) - mcBefore;
        gc[side].n += res.answered;
      }
    }
    // A revision before session 19 writes no GC trace: its count is unknown.
    const perK = (side: "a" | "b") => (fs.statSync(gcLog[side]).size === 0 ? "?" : ((gc[side].mc * 1000) / gc[side].n).toFixed(2));
    const med = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
    const ratios = m.b.map((x, i) => x / m.a[i]);
    console.log(`${label}: p50 latency at ${connections} connection(s): A ${med(p50.a)} ms, B ${med(p50.b)} ms (medians of ${rounds})`);
    if (postgres) {
      const total = (side: "a" | "b") => m[side].map((x, i) => x + pg[side][i]);
      const both = total("b").map((x, i) => x / total("a")[i]);
      console.log(
        `${label}: PostgreSQL's CPU a request: A ${med(pg.a).toFixed(0)} us, B ${med(pg.b).toFixed(0)} us; server and PostgreSQL together: A ${med(total("a")).toFixed(0)} us, B ${med(total("b")).toFixed(0)} us, B/A per pair: median ${med(both).toFixed(3)}, ${both.filter((x) => x < 1).length} of ${rounds} pairs B lower`,
      );
    }
    console.log(
      `${label}: A ${med(m.a).toFixed(0)} us, B ${med(m.b).toFixed(0)} us of server CPU a request (medians of ${rounds}, servers restarted every ${restartEvery} pairs); B/A per pair: median ${med(ratios).toFixed(3)}, ${ratios.filter((x) => x < 1).length} of ${rounds} pairs B lower; full GCs per 1,000 requests: A ${perK("a")}, B ${perK("b")}`,
    );
  }
} finally {
  for (const side of ["a", "b"] as const) if (servers[side]) await stop(servers[side].child);
  execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: ROOT, stdio: "ignore" });
}
