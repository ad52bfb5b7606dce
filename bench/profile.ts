// `npm run bench:profile -- <path name part>`: runs ONE of the benchmark's paths against the seeded
// SQLite database (see run.ts; seed it first with `npm run bench`) with the server under the V8 CPU
// profiler, then prints the functions with the most self time and the source files with the most
// inclusive time. The .cpuprofile stays in .tmp/bench/profiles (open it in Chrome DevTools).
//
//   BENCH_SECONDS  seconds of load (default 5)      BENCH_SCALE  which seeded file (default 1)
//   BENCH_DB       another seeded SQLite file instead
//   BENCH_DATABASE_URL  a seeded database by URL instead (postgres://... seeded by `BENCH_POSTGRES_URL=... npm run bench`)
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { openContext } from "../src/platform/bootstrap";
import { loadConfig } from "../src/platform/config";
import { measure } from "./harness";
import { fixtures, floorTargets, sessions, targets } from "./paths";
import { freePort, SERVER_NODE_FLAGS, stop } from "./servers";

const ROOT = path.resolve(import.meta.dirname, "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const scale = Number(process.env.BENCH_SCALE ?? 1);
const wanted = process.argv[2] ?? "case list";
const file = process.env.BENCH_DB ? path.resolve(process.env.BENCH_DB) : path.join(ROOT, ".tmp/bench", `scale-${scale}.db`);
const env = { SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"), DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${file}` };
const dir = path.join(ROOT, ".tmp/bench/profiles");

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

async function serve(): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  fs.mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, "--cpu-prof", `--cpu-prof-dir=${dir}`, "bin/schakel.js", "serve"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), SCHAKEL_PUBLIC_URL: base, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return { base, child };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function summarise(profileFile: string) {
  const p = JSON.parse(fs.readFileSync(profileFile, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusiveFile = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(p.samples[i])!;
    const f = n.callFrame;
    if (f.functionName === "(idle)" || f.functionName === "(program)") continue;
    total += dt;
    const key = `${f.functionName || "(anonymous)"} ${f.url.replace(`file://${ROOT}/`, "")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const u = byId.get(id)!.callFrame.url.replace(`file://${ROOT}/`, "").replace(/node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*/, "node_modules/$1");
      if (!u || seen.has(u)) continue;
      seen.add(u);
      inclusiveFile.set(u, (inclusiveFile.get(u) ?? 0) + dt);
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`).join("\n");
  console.log(`\nbusy CPU in the profile: ${(total / 1e6).toFixed(2)} s\n\nself time:\n${top(self, 35)}\n\ninclusive time by file:\n${top(inclusiveFile, 35)}`);
}

const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "development", ...env }) });
const f = await fixtures(ctx);
await ctx.database.db.deleteFrom("login_throttle").execute();
await ctx.close();
const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
const server = await serve();
try {
  const s = await sessions(server.base, f);
  const target = [...floorTargets(server.base, s), ...targets(server.base, s, f)].find((t) => t.name.includes(wanted));
  if (!target) throw new Error(`no benchmark path matches "${wanted}"`);
  const r = await measure(target, seconds);
  console.log(`${target.name}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors, ${r.non2xx} non-2xx, ${r.bytes} B/resp`);
} finally {
  // Also when a login fails: never leave the profiled server running.
  await stop(server.child);
}
// One profile per thread: the main thread's (the requests) is the biggest; the checkpoint worker's is small.
const written = fs.readdirSync(dir).filter((n) => n.endsWith(".cpuprofile") && !before.has(n));
const main = written.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0];
for (const w of written) console.log(`profile: ${path.relative(ROOT, path.join(dir, w))}${w === main ? " (main thread, summarised below)" : ""}`);
if (main) summarise(path.join(dir, main));
