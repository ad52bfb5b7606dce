import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error plain ES module without types (scripts/bundle.mjs)
import { bundleIsFresh, ensureBundle, INLINED } from "../../scripts/bundle.mjs";

/** A project of one source file, in a temporary folder: what ensureBundle needs. */
function tinyProject() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-bundle-"));
  const entry = path.join(root, "src", "cli", "index.ts");
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, "export const answer: number = 42;\n");
  fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
  fs.writeFileSync(path.join(root, "package.json"), '{ "type": "module" }\n');
  return { root, entry };
}

// bin/schakel.js runs from dist/schakel.mjs and rebuilds it only when a source is newer (decision 0024).
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

// Decision 0024, session 10: kysely and zod are compiled into the bundle (their hundreds of files were the
// largest part of a start), every other package stays in node_modules, and a changed lock file rebuilds.
it("compiles the inlined packages into the bundle, keeps the others external, and rebuilds when the lock file changes", async () => {
  const bundle = await ensureBundle();
  const text = fs.readFileSync(bundle, "utf8");
  const imported = new Set([...text.matchAll(/^import[^;]*?from "([^"]+)";/gms)].map((m) => m[1]));
  for (const name of INLINED) {
    expect(imported.has(name)).toBe(false);
    expect(text).toContain(`node_modules/${name}/`); // esbuild's comment above each inlined file
  }
  expect(imported.has("fastify")).toBe(true);
  expect(imported.has("better-sqlite3")).toBe(false); // each database driver is loaded when opened
  expect(text).toMatch(/import\("pg"\)/);

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

// Stack traces outside production map into src/ through the bundle's source map. Its source paths were
// relative to the temporary build folder, one level too deep, so every trace named a file that does not
// exist (/work/src/... for /work/main/src/...); the map now carries mappings only (no copies of the sources).
it("writes a source map whose every source is a file that exists, without copies of the sources", async () => {
  const bundle = await ensureBundle();
  const map = JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")) as { sources: string[]; sourcesContent?: unknown };
  expect(map.sourcesContent).toBeUndefined();
  expect(map.sources).toContain("../src/cli/index.ts");
  const missing = map.sources.filter((s) => !fs.existsSync(path.resolve(path.dirname(bundle), s)));
  expect(missing).toEqual([]);
});
