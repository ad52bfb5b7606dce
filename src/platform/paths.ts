import fs from "node:fs";
import path from "node:path";

/**
 * The project folder (the one with package.json). Found by walking up from this file, so it is the
 * same whether the code runs from src/ (tsx, vitest) or from the precompiled bundle in dist/
 * (docs/decisions/0024-precompiled-bundle.md).
 */
export const ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
