/**
 * The real server as a child process: `node bin/schakel.js serve` with a test environment.
 * Loopback only; every process started here is stopped by its own pid.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const BIN = path.join(ROOT, "bin/schakel.js");
export const STRESS = process.env.SCHAKEL_STRESS === "1";

export const newMasterKey = () => randomBytes(32).toString("base64");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export interface ServerProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function serverEnv(databaseUrl: string, masterKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(process.env as Record<string, string>), NODE_ENV: "test", DATABASE_URL: databaseUrl, SCHAKEL_MASTER_KEY: masterKey, HOST: "127.0.0.1", LOG_LEVEL: "warn", ...extra };
}

/** Starts the server and resolves once it listens (its own start-up line). */
export async function startServerProcess(env: Record<string, string>, opts: { port?: number; timeoutMs?: number; nodeFlags?: string[] } = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), BIN, "serve"], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${opts.timeoutMs ?? 60_000} ms:\n${out}`)), opts.timeoutMs ?? 60_000);
    const check = () => {
      if (/Schakel listens on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs a CLI command of the real program and returns its exit status and output. */
export function runCli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
