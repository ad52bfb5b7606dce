#!/usr/bin/env -S node --max-semi-space-size=16
// Runs Schakel from dist/schakel.cjs, precompiled from src/ and its packages by esbuild and rebuilt automatically
// when a source is newer (scripts/bundle.mjs; decisions 0024 and 0073), with V8's code cache: starting from one
// cached file is several times faster than compiling ~230 modules through tsx at every start.
// When the bundle cannot be built (e.g. a read-only install), the sources run through tsx as before.
import { ensureBundle, loadBundle } from "../scripts/bundle.mjs";

// Files Schakel creates (the SQLite database, its WAL, the data folder, keys, backups, the bundle) are for
// this account only (ops audit s8, 12: they were 0644/0755, readable by every local user).
process.umask(0o077);

let bundle = null;
try {
  bundle = await ensureBundle();
} catch {
  // no bundle: run the sources
}
let cli;
let started;
if (bundle) {
  // Stack traces point into src/ outside production (the bundle's source map). One code cache per command.
  const command = process.argv.slice(2).find((a) => !a.startsWith("-")) ?? "help";
  const loaded = loadBundle(bundle, { mapStackTraces: process.env.NODE_ENV !== "production", cacheName: command });
  cli = loaded.exports;
  started = loaded.saveCodeCache;
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/index.ts");
}
// The server calls `started` once it listens: its code cache holds its start-up, not every request served.
const code = await cli.main(process.argv, { started });
if (code !== 0) process.exit(code);
