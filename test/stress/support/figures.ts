import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./process";

/** Writes a family's last figures to test-artifacts/proof-of-safety/<family>.json and prints them. */
export function reportFigures(family: string, figures: Record<string, unknown>) {
  const dir = path.join(ROOT, "test-artifacts", "proof-of-safety");
  fs.mkdirSync(dir, { recursive: true });
  const record = { family, at: new Date().toISOString(), stress: process.env.SCHAKEL_STRESS === "1", ...figures };
  fs.writeFileSync(path.join(dir, `${family}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`[proof-of-safety] ${family}: ${JSON.stringify(figures)}`);
}
