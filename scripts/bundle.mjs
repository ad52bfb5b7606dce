// Precompiles src/ into one ES module, dist/schakel.mjs, with esbuild (docs/decisions/0024-precompiled-bundle.md). bin/schakel.js
// calls ensureBundle() on every start: the bundle is rebuilt (~0.3 s) when it is missing or when any
// source file is newer, so there is no separate build step to forget. Dependencies stay external
// (loaded from node_modules as usual), except the few in INLINED. `node scripts/bundle.mjs` builds it by hand.
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
export const BUNDLE = path.join(ROOT, "dist", "schakel.mjs");
// The lock file too: the packages inlined below come from node_modules, so an update of one must rebuild.
const inputsOf = (root) => [path.join(root, "src"), path.join(root, "tsconfig.json"), path.join(root, "package.json"), path.join(root, "package-lock.json"), import.meta.filename];

/**
 * Packages compiled INTO the bundle. Both are ES modules of hundreds of small files, and loading them from
 * node_modules (resolve, read and compile each file) was the largest single part of a start: kysely and zod
 * together ~100-250 ms of ~1.3 s (issue 9, session 10; measured by importing bundles built both ways). The
 * other packages stay external: inlining them too (6 MB of bundle) was not faster, and native addons must be.
 */
export const INLINED = ["kysely", "zod"];
const externalOf = (root) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies }).filter((name) => !INLINED.includes(name));
};
const bundleOf = (root) => path.join(root, "dist", "schakel.mjs");

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0; // an optional input (no lock file)
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.isFile() && /\.test\.tsx?$/.test(e.name)) continue;
    max = Math.max(max, newest(path.join(p, e.name)));
  }
  return max;
}

/** True when the bundle exists and no source is newer (then a start does not rebuild it). */
export function bundleIsFresh(root = ROOT) {
  try {
    return fs.statSync(bundleOf(root)).mtimeMs >= Math.max(...inputsOf(root).map(newest));
  } catch {
    return false;
  }
}

/** The bundle's path, after (re)building it when a source is newer. Throws when esbuild fails. */
export async function ensureBundle(root = ROOT) {
  const BUNDLE = bundleOf(root);
  const sources = Math.max(...inputsOf(root).map(newest));
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
    // Built for its final place (the map's source paths are relative to it), written aside.
    const result = await build({
      entryPoints: [path.join(root, "src/cli/index.ts")],
      outfile: BUNDLE,
      write: false,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: externalOf(root),
      jsx: "automatic",
      jsxImportSource: "preact",
      sourcemap: "linked",
      // Stack traces need the mappings, not a copy of every source (3.8 of the map's 5.9 MB): Node reads and
      // decodes the whole map at every start outside production (~60 ms of each CLI run the tests spawn).
      sourcesContent: false,
      logLevel: "error",
    });
    for (const file of result.outputFiles) fs.writeFileSync(path.join(dir, path.basename(file.path)), file.contents);
    // Stamped with the newest source time seen before the build: a file edited during the build is newer, so the next start rebuilds.
    // Rounded UP to the millisecond: a Date holds whole milliseconds, file times hold nanoseconds, and a
    // stamp rounded down was older than its newest source, so EVERY start rebuilt the bundle (issue 9:
    // ~0.3-0.45 s of each start-up).
    fs.utimesSync(out, new Date(), new Date(Math.ceil(sources)));
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
