import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error plain ES module without types (scripts/bundle.mjs)
import { bundleIsFresh, ensureBundle } from "../../scripts/bundle.mjs";

// bin/schakel.js runs from dist/schakel.mjs and rebuilds it only when a source is newer (decision 0024).
// File times carry nanoseconds; the bundle's stamp once lost them, so every start rebuilt it.
it("builds the bundle once: a source time with a fraction of a millisecond does not make every start rebuild", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-bundle-"));
  try {
    const entry = path.join(root, "src", "cli", "index.ts");
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.writeFileSync(entry, "export const answer: number = 42;\n");
    fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
    fs.writeFileSync(path.join(root, "package.json"), '{ "type": "module" }\n');
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
