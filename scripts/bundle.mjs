// Precompiles src/ and its packages into one CommonJS file, dist/schakel.cjs, with esbuild (decisions 0024 and 0073).
// bin/schakel.js calls ensureBundle() on every start: the bundle is rebuilt (~2 s) when it is missing or when any
// source file is newer, so there is no separate build step to forget; then loadBundle() runs it with V8's code cache.
// `node scripts/bundle.mjs` builds it by hand.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire, SourceMap } from "node:module";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "..");
export const BUNDLE = path.join(ROOT, "dist", "schakel.cjs");
// The lock file too: the packages inlined below come from node_modules, so an update of one must rebuild.
const inputsOf = (root) => [path.join(root, "src"), path.join(root, "tsconfig.json"), path.join(root, "package.json"), path.join(root, "package-lock.json"), import.meta.filename];

/**
 * Packages loaded from node_modules at run time; every other package is compiled INTO the bundle (decision 0073:
 * with V8's code cache a start no longer compiles the bundle, so one file is cheaper than resolving, reading and
 * compiling hundreds of package files). Native addons must stay outside; pdfmake reads its font files next to its
 * own code; esbuild and tsx are the build itself. The development packages never run in the bundle.
 */
export const EXTERNAL = ["better-sqlite3", "@node-rs/argon2", "pdfmake", "esbuild", "tsx"];
const externalOf = (root) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  return [...EXTERNAL, ...Object.keys(pkg.devDependencies ?? {})];
};
const bundleOf = (root) => path.join(root, "dist", "schakel.cjs");
/** The code caches of one bundle: one per Node version, architecture and node flags (V8 refuses a cache made under others). */
const cachesOf = (bundle) => fs.readdirSync(path.dirname(bundle)).filter((f) => f.startsWith(`${path.basename(bundle)}.`) && f.endsWith(".v8cache"));

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
    const out = path.join(dir, path.basename(BUNDLE));
    // Built for its final place (the map's source paths are relative to it), written aside.
    const result = await build({
      entryPoints: [path.join(root, "src/cli/index.ts")],
      outfile: BUNDLE,
      write: false,
      bundle: true,
      platform: "node",
      // CommonJS, run by loadBundle() as one vm.Script: Node 20 keeps no code cache for ES modules.
      format: "cjs",
      target: "node20",
      external: externalOf(root),
      define: { "import.meta.url": "__schakel_bundle_url", "import.meta.dirname": "__dirname", "import.meta.filename": "__filename" },
      banner: { js: 'const __schakel_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
      // Code in ASCII only (non-ASCII escaped; comments are copied as they are), read by loadBundle() as one-byte text.
      charset: "ascii",
      metafile: true,
      jsx: "automatic",
      jsxImportSource: "preact",
      sourcemap: "linked",
      // Stack traces need the mappings, not a copy of every source (3.8 of the map's 5.9 MB): Node reads and
      // decodes the whole map at every start outside production (~60 ms of each CLI run the tests spawn).
      sourcesContent: false,
      logLevel: "error",
    });
    // A vm.Script loaded from a code cache loses Node's dynamic-import callback: import() of a package left in
    // node_modules would fail at run time ("A dynamic import callback was not specified"). Refused here instead.
    const dynamic = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && i.kind === "dynamic-import").map((i) => i.path));
    if (dynamic.length) throw new Error(`scripts/bundle.mjs: src/ loads ${dynamic.join(", ")} with import(); a package outside the bundle must be loaded with require (createRequire), see decision 0073`);
    for (const file of result.outputFiles) fs.writeFileSync(path.join(dir, path.basename(file.path)), file.contents);
    // Stamped with the newest source time seen before the build: a file edited during the build is newer, so the next start rebuilds.
    // Rounded UP to the millisecond: a Date holds whole milliseconds, file times hold nanoseconds, and a
    // stamp rounded down was older than its newest source, so EVERY start rebuilt the bundle (issue 9:
    // ~0.3-0.45 s of each start-up).
    fs.utimesSync(out, new Date(), new Date(Math.ceil(sources)));
    fs.renameSync(`${out}.map`, `${BUNDLE}.map`);
    fs.renameSync(out, BUNDLE);
    // The caches of the bundle replaced, and the ES module bundle of earlier versions.
    for (const f of [...cachesOf(BUNDLE), "schakel.mjs", "schakel.mjs.map"]) fs.rmSync(path.join(path.dirname(BUNDLE), f), { force: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return BUNDLE;
}

const CACHE_MAGIC = "schakel-v8-code-cache 2";

/** The code cache `loadBundle()` reads and writes for a command run with these node flags. */
export function codeCacheFile(bundle, cacheName, execArgv = process.execArgv) {
  const flags = createHash("sha256").update(`${process.version} ${process.arch} ${execArgv.join(" ")}`).digest("hex").slice(0, 12);
  return `${bundle}.${cacheName.replace(/[^a-z0-9-]/gi, "") || "default"}.${flags}.v8cache`;
}

/**
 * Runs the bundle (decision 0073): returns its exports, `saveCodeCache()`, and whether a code cache was used.
 * The bundle is compiled as one vm.Script with V8's code cache, `<bundle>.<name>.<flags>.v8cache`: the compiled code
 * of the functions a run had used when the cache was written, so the next start skips parsing and compiling them
 * (Node 20 keeps no code cache for ES modules or require()). One cache per `cacheName` (bin/schakel.js: the
 * command), because V8 reads a whole cache at every start: the server's holds its start-up, a CLI command's what
 * that command ran. One per Node version, architecture and node flags too (V8 refuses a cache made under others).
 * The header names the bundle by size and CRC-32 and carries the CRC-32 of the cached data: V8 checks only the
 * source's length, and not the data. A cache is written once, by the first run that had none (or one that was
 * refused): when it calls `saveCodeCache()` (the server, once it listens) or at its successful exit, through a
 * temporary file renamed into place. Without a writable dist/ every start compiles, as before.
 * `mapStackTraces` (outside production): stack frames in the bundle name the file and line in src/, from the
 * bundle's source map, read at the first trace that needs it and not at every start.
 */
export function loadBundle(bundle, { mapStackTraces = false, cacheName = "default" } = {}) {
  const bytes = fs.readFileSync(bundle);
  // The cache file: one header line (the bundle's size and CRC-32, the cached data's CRC-32), then V8's data.
  const bundleId = `${CACHE_MAGIC} ${bytes.length} ${zlib.crc32(bytes)}`;
  const cacheHeader = (data) => Buffer.from(`${bundleId} ${zlib.crc32(data)}\n`, "latin1");
  const cacheFile = codeCacheFile(bundle, cacheName);
  let cachedData;
  try {
    // V8 checks a cache's version, flags and source length, not its content: the header's checksum does.
    const cache = fs.readFileSync(cacheFile);
    const eol = cache.indexOf(10);
    const data = cache.subarray(eol + 1);
    if (eol > 0 && cache.subarray(0, eol + 1).equals(cacheHeader(data))) cachedData = data;
  } catch {
    // no cache yet
  }
  // Read as one-byte text (~45 ms less than decoding UTF-8): esbuild escapes every non-ASCII character in code
  // (charset: "ascii"), so other bytes can only be in comments, where reading them as other characters changes nothing.
  // The wrapper on a line of its own, and lineOffset -1: line numbers in stack traces are the bundle's own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${bytes.toString("latin1")}\n})`, {
    filename: bundle,
    lineOffset: -1,
    cachedData,
  });
  const cacheUsed = Boolean(cachedData) && !script.cachedDataRejected;
  let saved = cacheUsed;
  const saveCodeCache = () => {
    if (saved) return;
    saved = true;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      const data = script.createCachedData();
      fs.writeFileSync(tmp, Buffer.concat([cacheHeader(data), data]), { mode: 0o600 });
      fs.renameSync(tmp, cacheFile);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  };
  // At the exit of a run that succeeded (a mistyped command writes no cache of its own).
  if (!saved) process.once("exit", (code) => code === 0 && saveCodeCache());
  if (mapStackTraces) mapStackTracesOf(bundle);
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return { exports: module.exports, saveCodeCache, cacheUsed };
}

/** Error.prepareStackTrace that maps the bundle's frames through its source map (Node's own mapping skips a vm.Script). */
function mapStackTracesOf(bundle) {
  let map;
  const entry = (line, column) => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")));
      } catch {
        map = null;
      }
    }
    const e = map?.findEntry(line - 1, column - 1);
    return e?.originalSource ? e : null;
  };
  Error.prepareStackTrace = (error, frames) => {
    let head;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = "Error";
    }
    const lines = frames.map((f) => {
      const e = f.getFileName() === bundle ? entry(f.getLineNumber(), f.getColumnNumber()) : null;
      if (!e) return `    at ${f}`;
      const where = `${path.resolve(path.dirname(bundle), e.originalSource)}:${e.originalLine + 1}:${e.originalColumn + 1}`;
      const method = f.getMethodName();
      const name = f.getFunctionName() ?? (method ? `${f.getTypeName()}.${method}` : null);
      const prefix = `${f.isAsync() ? "async " : ""}${f.isConstructor() ? "new " : ""}`;
      return `    at ${prefix}${name ? `${name} (${where})` : where}`;
    });
    return [head, ...lines].join("\n");
  };
}

if (process.argv[1] === import.meta.filename) {
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  const started = performance.now();
  await ensureBundle();
  console.log(`${path.relative(process.cwd(), BUNDLE)} ready in ${Math.round(performance.now() - started)} ms`);
}
