#!/usr/bin/env -S node --max-semi-space-size=8
// Runs Schakel from dist/schakel.mjs, precompiled from src/ by esbuild and rebuilt automatically when a
// source is newer (scripts/bundle.mjs, docs/decisions/0024-precompiled-bundle.md): starting from one
// file is about twice as fast and lighter than compiling ~230 modules through tsx at every start.
// When the bundle cannot be built (e.g. a read-only install), the sources run through tsx as before.
import { pathToFileURL } from "node:url";
import { ensureBundle } from "../scripts/bundle.mjs";

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
if (bundle) {
  // Stack traces point into src/ outside production (the bundle's source map).
  if (process.env.NODE_ENV !== "production") process.setSourceMapsEnabled(true);
  cli = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/index.ts");
}
const code = await cli.main(process.argv);
if (code !== 0) process.exit(code);
