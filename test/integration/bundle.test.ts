import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";
import { expect, it } from "vitest";
// @ts-expect-error plain ES module without types (scripts/bundle.mjs)
import { bundleIsFresh, codeCacheFile, ensureBundle, EXTERNAL, loadBundle } from "../../scripts/bundle.mjs";
import { BIN, newMasterKey, serverEnv, startServerProcess } from "../stress/support/process";

/** A project of one source file, in a temporary folder: what ensureBundle needs. */
function tinyProject(source = "export const answer: number = 42;\n") {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-bundle-"));
  const entry = path.join(root, "src", "cli", "index.ts");
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, source);
  fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
  fs.writeFileSync(path.join(root, "package.json"), '{ "type": "module" }\n');
  return { root, entry };
}

// bin/schakel.js runs from dist/schakel.cjs and rebuilds it only when a source is newer (decision 0024).
// File times carry nanoseconds; the bundle's stamp once lost them, so every start rebuilt it.
it("builds the bundle once: a source time with a fraction of a millisecond does not make every start rebuild", async () => {
  const { root, entry } = tinyProject();
  try {
    // The newest source, a little in the future, at a time that is not a whole millisecond.
    const seconds = Math.floor(Date.now() / 1000) + 60 + 0.4735774;
    fs.utimesSync(entry, seconds, seconds);
    expect(fs.statSync(entry).mtimeMs % 1).not.toBe(0);

    const bundle = await ensureBundle(root);
    expect(fs.readFileSync(bundle, "utf8")).toContain("42");
    expect(bundleIsFresh(root)).toBe(true);
    const inode = fs.statSync(bundle).ino;
    await ensureBundle(root);
    expect(fs.statSync(bundle).ino).toBe(inode);

    // A source edited after the build still makes the next start rebuild.
    fs.writeFileSync(entry, "export const answer: number = 43;\n");
    fs.utimesSync(entry, seconds + 5, seconds + 5);
    expect(bundleIsFresh(root)).toBe(false);
    await ensureBundle(root);
    expect(fs.readFileSync(bundle, "utf8")).toContain("43");
    expect(bundleIsFresh(root)).toBe(true);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// Decision 0073: every package is compiled into the bundle except the few that must stay in node_modules (native
// addons, pdfmake's fonts), which are required; import() of such a package is refused when the bundle is built,
// since a vm.Script loaded from a code cache has no dynamic-import callback. A changed lock file rebuilds.
it("compiles every package but the external ones into the bundle, refuses import() of an external one, and rebuilds when the lock file changes", async () => {
  const bundle = await ensureBundle();
  expect(path.basename(bundle)).toBe("schakel.cjs");
  const text = fs.readFileSync(bundle, "utf8");
  const required = new Set([...text.matchAll(/\brequire\("([^"./][^"]*)"\)/g)].map((m) => m[1]));
  for (const name of ["fastify", "kysely", "zod", "pg", "nodemailer", "pino"]) {
    expect(required.has(name)).toBe(false);
    expect(text).toContain(`node_modules/${name}/`); // esbuild's comment above each inlined file
  }
  expect(required.has("@node-rs/argon2")).toBe(true);
  expect(EXTERNAL).toContain("better-sqlite3");
  expect(text).toContain('requirePackage("better-sqlite3")'); // the native driver, loaded when a SQLite database is opened

  const refused = tinyProject('export const load = () => import("pdfmake");\n');
  try {
    await expect(ensureBundle(refused.root)).rejects.toThrow(/loads pdfmake with import\(\).*require/);
  } finally {
    fs.rmSync(refused.root, { recursive: true, force: true });
  }

  const { root } = tinyProject();
  try {
    await ensureBundle(root);
    expect(bundleIsFresh(root)).toBe(true);
    const later = Date.now() / 1000 + 120;
    fs.writeFileSync(path.join(root, "package-lock.json"), "{}\n");
    fs.utimesSync(path.join(root, "package-lock.json"), later, later);
    expect(bundleIsFresh(root)).toBe(false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// Decision 0073: the bundle runs with V8's code cache, one file per command and node flags, written once and named
// after the bundle it belongs to; a rebuilt bundle, a damaged cache or one V8 refuses is compiled afresh, never run.
// Each load is its own Node process, as each start is (V8 also keeps compiled scripts within one process).
it("runs the bundle from its code cache, and never from a damaged cache or the cache of another bundle", async () => {
  const { root, entry } = tinyProject("export const answer = (n: number): number => n * 6;\n");
  try {
    const bundle = await ensureBundle(root);
    const runner = path.join(root, "run.mjs");
    fs.writeFileSync(
      runner,
      [
        `import { loadBundle } from ${JSON.stringify(pathToFileURL(path.resolve("scripts/bundle.mjs")).href)};`,
        "const loaded = loadBundle(process.argv[2], { cacheName: process.argv[3] });",
        "console.log(JSON.stringify({ used: loaded.cacheUsed, answer: loaded.exports.answer(7) }));",
        "",
      ].join("\n"),
    );
    const load = (cacheName = "serve") => JSON.parse(execFileSync(process.execPath, [runner, bundle, cacheName], { encoding: "utf8" })) as { used: boolean; answer: number };
    const caches = () => fs.readdirSync(path.dirname(bundle)).filter((f) => f.endsWith(".v8cache"));

    expect(load()).toEqual({ used: false, answer: 42 }); // and writes the cache at its exit
    expect(caches()).toEqual([expect.stringMatching(/^schakel\.cjs\.serve\.[0-9a-f]{12}\.v8cache$/)]);
    const file = path.join(path.dirname(bundle), caches()[0]!);
    const cache = fs.readFileSync(file);
    const eol = cache.indexOf(10);
    expect(cache.subarray(0, eol).toString("latin1")).toBe(`schakel-v8-code-cache 2 ${fs.statSync(bundle).size} ${zlib.crc32(fs.readFileSync(bundle))} ${zlib.crc32(cache.subarray(eol + 1))}`);
    expect(load()).toEqual({ used: true, answer: 42 });
    expect(fs.readFileSync(file).equals(cache)).toBe(true); // not written again
    expect(load("migrate").used).toBe(false); // each command its own cache
    expect(load("migrate").used).toBe(true);

    // Damaged data under an intact header: refused by the header's checksum.
    const damaged = Buffer.from(cache);
    damaged[damaged.length - 100] ^= 0xff;
    fs.writeFileSync(file, damaged);
    expect(load()).toEqual({ used: false, answer: 42 });
    expect(load().used).toBe(true); // written again by the run before
    // Data V8 refuses, under a header that matches it: compiled afresh, still right.
    const garbage = Buffer.alloc(cache.length - eol - 1, 7);
    fs.writeFileSync(file, Buffer.concat([Buffer.from(`${cache.subarray(0, eol).toString("latin1").replace(/ \d+$/, "")} ${zlib.crc32(garbage)}\n`, "latin1"), garbage]));
    expect(load()).toEqual({ used: false, answer: 42 });
    expect(load().used).toBe(true);

    // Another bundle of the same length: V8 alone would take this cache (it checks only the length); the header does not.
    const old = fs.readFileSync(file);
    fs.writeFileSync(entry, "export const answer = (n: number): number => n * 8;\n");
    const later = Date.now() / 1000 + 60;
    fs.utimesSync(entry, later, later);
    const before = fs.statSync(bundle).size;
    await ensureBundle(root);
    expect(fs.statSync(bundle).size).toBe(before);
    expect(caches()).toEqual([]); // a rebuild removes the caches of the bundle it replaces
    fs.writeFileSync(file, old);
    expect(load()).toEqual({ used: false, answer: 56 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// bin/schakel.js's wiring of decision 0073: a CLI command writes its cache at a successful exit (a mistyped one
// none), the server as soon as it listens (killed then, it has run no exit handler). A node flag no other test uses
// gives this test cache files of its own.
it("writes a CLI command's code cache at its successful exit and the server's once it listens", async () => {
  const flags = ["--stack-size=983"];
  const bundle = await ensureBundle();
  const files = ["help", "serve", "no-such-command"].map((name) => codeCacheFile(bundle, name, flags)) as [string, string, string];
  const [help, serve, mistyped] = files;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-cache-"));
  try {
    for (const f of files) fs.rmSync(f, { force: true });
    expect(spawnSync(process.execPath, [...flags, BIN, "no-such-command"], { encoding: "utf8" }).status).not.toBe(0);
    expect(fs.existsSync(mistyped)).toBe(false);
    expect(spawnSync(process.execPath, [...flags, BIN, "--help"], { encoding: "utf8" }).status).toBe(0);
    expect(fs.existsSync(help)).toBe(true);
    expect(fs.existsSync(serve)).toBe(false);

    const server = await startServerProcess(serverEnv(`sqlite:${path.join(tmp, "s.db")}`, newMasterKey()), { nodeFlags: flags });
    try {
      await expect.poll(() => fs.existsSync(serve), { timeout: 15_000 }).toBe(true);
    } finally {
      await server.kill("SIGKILL");
    }
  } finally {
    for (const f of files) fs.rmSync(f, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// Outside production, a stack frame in the bundle names its file and line in src/ (Node's own source maps do not
// apply to a vm.Script): mapped by bin/schakel.js's loader from the bundle's source map.
it("maps the bundle's stack frames to src/ when asked", async () => {
  const { root } = tinyProject(["export function fail(): never {", '  throw new Error("failed here");', "}", ""].join("\n"));
  const previous = Error.prepareStackTrace;
  try {
    const bundle = await ensureBundle(root);
    const plain = loadBundle(bundle, {});
    let stack = "";
    try {
      plain.exports.fail();
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    expect(stack).toContain(`${bundle}:`);
    loadBundle(bundle, { mapStackTraces: true });
    try {
      plain.exports.fail();
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    expect(stack.split("\n")[0]).toBe("Error: failed here");
    expect(stack.split("\n")[1]).toBe(`    at fail (${path.join(root, "src", "cli", "index.ts")}:2:9)`);
  } finally {
    Error.prepareStackTrace = previous;
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// Stack traces outside production map into src/ through the bundle's source map. Its source paths were
// relative to the temporary build folder, one level too deep, so every trace named a file that does not
// exist (/work/src/... for /work/main/src/...); the map now carries mappings only (no copies of the sources).
it("writes a source map whose every source is a file that exists, without copies of the sources", async () => {
  const bundle = await ensureBundle();
  const map = JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")) as { sources: string[]; sourcesContent?: unknown };
  expect(map.sourcesContent).toBeUndefined();
  expect(map.sources).toContain("../src/cli/index.ts");
  // Inlined packages that ship their own maps name their original sources, which npm packages need not carry:
  // for those, the package folder exists.
  const exists = (s: string) => {
    const file = path.resolve(path.dirname(bundle), s);
    const pkg = /^\.\.\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1];
    return fs.existsSync(file) || (pkg !== undefined && fs.existsSync(path.resolve(path.dirname(bundle), "..", "node_modules", pkg, "package.json")));
  };
  expect(map.sources.filter((s) => !exists(s))).toEqual([]);
});
