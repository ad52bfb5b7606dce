// Precompiles src/ into one ES module, dist/schakel.mjs, with esbuild (docs/decisions/0024-precompiled-bundle.md). bin/schakel.js
// calls ensureBundle() on every start: the bundle is rebuilt (~0.3 s) when it is missing or when any
// source file is newer, so there is no separate build step to forget. Dependencies stay external
// (loaded from node_modules as usual). `node scripts/bundle.mjs` builds it by hand.
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
export const BUNDLE = path.join(ROOT, "dist", "schakel.mjs");
const INPUTS = [path.join(ROOT, "src"), path.join(ROOT, "tsconfig.json"), path.join(ROOT, "package.json"), import.meta.filename];

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.isFile() && /\.test\.tsx?$/.test(e.name)) continue;
    max = Math.max(max, newest(path.join(p, e.name)));
  }
  return max;
}

/** The bundle's path, after (re)building it when a source is newer. Throws when esbuild fails. */
export async function ensureBundle() {
  const sources = Math.max(...INPUTS.map(newest));
  let built = -1;
  try {
    built = fs.statSync(BUNDLE).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= sources) return BUNDLE;
  const { build } = await import("esbuild");
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  // Built aside and renamed into place: a process starting meanwhile sees the old or the new file, never half of one.
  const dir = fs.mkdtempSync(path.join(path.dirname(BUNDLE), ".build-"));
  try {
    const out = path.join(dir, "schakel.mjs");
    await build({
      entryPoints: [path.join(ROOT, "src/cli/index.ts")],
      outfile: out,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      jsx: "automatic",
      jsxImportSource: "preact",
      sourcemap: "linked",
      logLevel: "error",
    });
    // Stamped with the newest source time seen before the build: a file edited during the build is newer, so the next start rebuilds.
    fs.utimesSync(out, new Date(), new Date(sources));
    fs.renameSync(`${out}.map`, `${BUNDLE}.map`);
    fs.renameSync(out, BUNDLE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return BUNDLE;
}

if (process.argv[1] === import.meta.filename) {
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  const started = performance.now();
  await ensureBundle();
  console.log(`${path.relative(process.cwd(), BUNDLE)} ready in ${Math.round(performance.now() - started)} ms`);
}
