// `npm run bench:ab -- <git rev> [path name parts]`: the server's CPU per request of the working tree (B)
// against another revision (A), both servers running at once on the same seeded SQLite file, measured in
// short alternating bursts (A, B, B, A, ...). On this VM the speed of everything moves by half within
// minutes (hello 22-53 us of CPU a request within one session): runs minutes apart compare the VM, not the
// change. Bursts of a few seconds, interleaved, see the same VM.
//
//   BENCH_ROUNDS  pairs of bursts (default 8)   BENCH_SECONDS  seconds a burst (default 2)
//   BENCH_B_FLAGS  Node/V8 flags for B's server only (A/B of a flag against the same code: revision HEAD)
//   The revision is checked out in a temporary git worktree (node_modules linked); its bundle is built on start.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { cpuSeconds, measure } from "./harness";
import { fixtures, sessions, targets } from "./paths";
import { startSchakel, stop } from "./servers";

const ROOT = path.resolve(import.meta.dirname, "..");
const rev = process.argv[2];
if (!rev) throw new Error("usage: npm run bench:ab -- <git rev> [path name parts, comma-separated]");
const wanted = (process.argv[3] ?? "case list,case page,coverage JSON").split(",").map((w) => w.trim()).filter(Boolean);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const file = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : path.join(ROOT, ".tmp/bench/scale-1.db");
const env = { SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"), DATABASE_URL: `sqlite:${file}` };


const tree = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-ab-"));
execFileSync("git", ["worktree", "add", "--detach", tree, rev], { cwd: ROOT, stdio: "ignore" });
fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"));
const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", ...env }) });
const f = await fixtures(ctx);
await ctx.database.db.deleteFrom("login_throttle").execute();
await ctx.close();
const { startSchakel: startOther } = (await import(path.join(tree, "bench/servers.ts"))) as { startSchakel: typeof startSchakel };
// BENCH_B_FLAGS: Node/V8 flags for B only (A/B of a flag: give HEAD as the revision).
const serverFlags = process.env.BENCH_SERVER_FLAGS;
process.env.BENCH_SERVER_FLAGS = serverFlags ?? "";
const a = await startOther(env);
process.env.BENCH_SERVER_FLAGS = `${serverFlags ?? ""} ${process.env.BENCH_B_FLAGS ?? ""}`;
const b = await startSchakel(env);
try {
  // One login serves both: the session is in the database they share.
  const s = await sessions(b.base, f);
  const per = new Map<string, { a: number[]; b: number[] }>();
  for (const name of wanted) {
    const ta = targets(a.base, s, f).find((t) => t.name.includes(name));
    const tb = targets(b.base, s, f).find((t) => t.name.includes(name));
    if (!ta || !tb) throw new Error(`no benchmark path matches ${name}`);
    const m = { a: [] as number[], b: [] as number[] };
    per.set(ta.name, m);
    for (let r = 0; r < rounds; r++) {
      // A B, then B A: neither side always goes first.
      for (const side of r % 2 === 0 ? (["a", "b"] as const) : (["b", "a"] as const)) {
        const server = side === "a" ? a : b;
        const before = cpuSeconds(server.child.pid!);
        const res = await measure(side === "a" ? ta : tb, seconds, 0.5);
        m[side].push(((cpuSeconds(server.child.pid!) - before) * 1e6) / res.answered);
      }
    }
    const med = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
    const ratios = m.b.map((x, i) => x / m.a[i]);
    console.log(`${ta.name}: A ${med(m.a).toFixed(0)} us, B ${med(m.b).toFixed(0)} us of server CPU a request (medians of ${rounds}); B/A per pair: median ${med(ratios).toFixed(3)}, ${ratios.filter((x) => x < 1).length} of ${rounds} pairs B lower`);
  }
} finally {
  await stop(a.child);
  await stop(b.child);
  execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: ROOT, stdio: "ignore" });
}
