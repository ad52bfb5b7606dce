import { spawn } from "node:child_process";
import path from "node:path";

/** Runs a schakel CLI command in its own process and returns its stdout. */
export function runCommand(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/schakel.js", ...args], { cwd: path.resolve(import.meta.dirname, ".."), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`schakel ${args.join(" ")} exited ${code}: ${out}`))));
  });
}
