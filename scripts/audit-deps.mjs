#!/usr/bin/env node
// `npm run audit:deps`: npm audit of the runtime dependencies, failing on a high or critical advisory.
// A registry mirror without the advisory endpoint answers 405 (or 404/501): that is NOT a pass. Say so
// in one clear line and exit 3, so CI where the endpoint is reachable runs the real check.
import { spawnSync } from "node:child_process";

const r = spawnSync("npm", ["audit", "--omit=dev", "--audit-level=high"], { encoding: "utf8" });
const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
if (r.status !== 0 && /\b(405|404|501)\b|Method Not Allowed|audit endpoint|not supported/i.test(text) && !/vulnerabilit/i.test(r.stdout ?? "")) {
  const registry = spawnSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).stdout.trim();
  console.error(
    `npm audit could not run: the registry ${registry} (or the mirror behind it) does not offer the security-advisory endpoint (it answered: ${(/npm warn audit.*$/m.exec(text)?.[0] ?? /npm (error|ERR!).*$/m.exec(text)?.[0] ?? text.trim().split("\n")[0]).slice(0, 160)}).\n` +
      "This is NOT a pass. Run `npm run audit:deps` where https://registry.npmjs.org is reachable (CI), or set --registry to a registry that serves /-/npm/v1/security/advisories/bulk.",
  );
  process.exit(3);
}
process.stdout.write(r.stdout ?? "");
process.stderr.write(r.stderr ?? "");
process.exit(r.status ?? 1);
