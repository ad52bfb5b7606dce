import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
// @ts-expect-error plain ES module without types (scripts/bundle.mjs)
import { BUNDLE, bundleIsFresh, codeCacheFile } from "../scripts/bundle.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });

export async function startCeilings(): Promise<{ hello: string; sqlite: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/ceiling-server.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve(String(d)));
    child.once("exit", (code) => reject(new Error(`ceiling server exited (${code})`)));
  });
  return { ...JSON.parse(line), child };
}

/** The Node flags `npm start` runs the server with (package.json "start"), so the benchmark measures the server as started. */
export const SERVER_NODE_FLAGS: string[] = (() => {
  const start: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start;
  return start.split(/\s+/).filter((w) => w.startsWith("--") && start.indexOf(w) < start.indexOf("bin/schakel.js"));
})();

/** True when the next `schakel serve` with SERVER_NODE_FLAGS starts from V8's code cache of the current bundle (decision 0073). */
export function hasServerCodeCache(): boolean {
  return bundleIsFresh() && fs.existsSync(codeCacheFile(BUNDLE, "serve", SERVER_NODE_FLAGS));
}

/** Spawns the real server (`schakel serve`, production mode) and times it from spawn to a 200 on /readyz. */
export async function startSchakel(env: Record<string, string>): Promise<{ base: string; child: ChildProcess; startupMs: number }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // BENCH_SERVER_FLAGS: more Node/V8 flags for this server (experiments with the heap's settings).
  const extra = (process.env.BENCH_SERVER_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...extra, "bin/schakel.js", "serve"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), SCHAKEL_PUBLIC_URL: base, LOG_LEVEL: "info", ...env },
    // BENCH_SERVER_STDOUT: a file for the server's standard output (e.g. with --trace-gc in BENCH_SERVER_FLAGS).
    stdio: ["ignore", process.env.BENCH_SERVER_STDOUT ? fs.openSync(process.env.BENCH_SERVER_STDOUT, "a") : "ignore", "inherit"],
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error("schakel serve exited before it was ready");
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { base, child, startupMs: performance.now() - started };
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
