import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PG_BIN = process.env.SCHAKEL_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export const postgresAvailable = () => fs.existsSync(path.join(PG_BIN, "initdb"));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * A throwaway PostgreSQL 15 cluster on a free loopback port, data in a temp dir.
 * As root it runs as the "postgres" system user, because initdb refuses root.
 */
export interface Cluster {
  url: string;
  /** Stops the server and removes its data directory. */
  stop(): void;
  /**
   * Stops the server and keeps the data. "fast" (default) is an operator's stop: sessions are
   * terminated, committed work is flushed. "immediate" is a crash; with this cluster's
   * synchronous_commit=off (speed) the last acknowledged commits may then be lost, as PostgreSQL documents.
   */
  halt(mode?: "fast" | "immediate"): void;
  /** Starts a halted server again on the same port and data. */
  resume(): void;
}

/**
 * `durable`: PostgreSQL's own defaults for flushing (fsync, synchronous commit, full page writes), as a
 * production server runs; the benchmark uses it. The tests run without them: faster, and a test never
 * outlives its cluster.
 */
export async function startCluster(opts: { durable?: boolean } = {}): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = path.join(PG_BIN, cmd);
    const res = asRoot ? spawnSync("runuser", ["-u", "postgres", "--", full, ...args], { encoding: "utf8" }) : spawnSync(full, args, { encoding: "utf8" });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr || res.stdout}`);
  };
  if (asRoot) execFileSync("chown", ["-R", "postgres", dir]);
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]);
  const port = await freePort();
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "log"),
      "-w",
      "-o",
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}${opts.durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"} -c max_connections=300`,
      "start",
    ]);
  start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        if (running) run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    halt(mode: "fast" | "immediate" = "fast") {
      run("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
      running = false;
    },
    resume() {
      start();
      running = true;
    },
  };
}
