#!/usr/bin/env node
// `npm test`: type check, lint, unit and integration tests on SQLite and PostgreSQL 15, browser tests in Chromium.
// Missing PostgreSQL or Chromium is installed with apt when running as root; otherwise the suite is skipped
// with one line saying why. SCHAKEL_TEST_STRICT=1 turns any skip into a failure.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const strict = process.env.SCHAKEL_TEST_STRICT === "1";
const isRoot = process.getuid?.() === 0;
const PG_BIN = process.env.SCHAKEL_PG_BIN ?? "/usr/lib/postgresql/15/bin";
// Chromium's headless shell (Debian's chromium-headless-shell: the same Blink and V8 as the full browser, without
// its user interface), as Playwright itself runs headless Chromium. Session 14, three journeys: 35-40% less Chromium
// CPU than the full browser in headless mode (decision 0074). The full browser is the fallback.
const HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell";
const FULL_CHROMIUM = "/usr/bin/chromium";
const env = { ...process.env };
const skipped = [];

let aptUpdated = false;
function aptInstall(packages) {
  if (!aptUpdated) {
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    aptUpdated = true;
  }
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.status === 0;
}

function ensure(name, present, packages, skipVar) {
  if (present()) return;
  if (isRoot) {
    console.log(`${name} is missing: installing ${packages.join(", ")} with apt-get...`);
    if (aptInstall(packages) && present()) return;
  }
  const why = isRoot ? "apt-get could not install it" : `it is not installed and installing needs root (apt-get install ${packages.join(" ")})`;
  skipped.push(`${name} suite skipped: ${why}.`);
  env[skipVar] = "1";
}

ensure("PostgreSQL", () => fs.existsSync(path.join(PG_BIN, "initdb")), ["postgresql-15"], "SCHAKEL_SKIP_POSTGRES");
const chosenChromium = () => process.env.SCHAKEL_CHROMIUM ?? [HEADLESS_SHELL, FULL_CHROMIUM].find((f) => fs.existsSync(f));
// Installed when missing, even with the full browser present: the shell is what the journeys should run in.
if (!process.env.SCHAKEL_CHROMIUM && !fs.existsSync(HEADLESS_SHELL) && isRoot) {
  console.log("Chromium's headless shell is missing: installing chromium-headless-shell with apt-get...");
  aptInstall(["chromium-headless-shell", "fonts-dejavu-core"]);
}
ensure("Browser", () => fs.existsSync(chosenChromium() ?? ""), ["chromium-headless-shell", "fonts-dejavu-core"], "SCHAKEL_SKIP_BROWSER");
if (chosenChromium()) env.SCHAKEL_CHROMIUM = chosenChromium();
if (!process.env.SCHAKEL_CHROMIUM && env.SCHAKEL_CHROMIUM === FULL_CHROMIUM) console.log("Browser tests run in the full Chromium: its headless shell (chromium-headless-shell) is not installed; slower.");
// PDF reports are checked by extracting their text with pdftotext.
ensure("PDF text extraction", () => spawnSync("pdftotext", ["-v"]).status === 0, ["poppler-utils"], "SCHAKEL_SKIP_PDFTEXT");

for (const line of skipped) console.log(line);
if (strict && skipped.length > 0) {
  console.error("SCHAKEL_TEST_STRICT=1: a skipped suite is a failure.");
  process.exit(1);
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);
function step(title, cmd, args) {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env, cwd: root });
  if (r.status !== 0) {
    console.error(`${title} failed.`);
    process.exit(r.status ?? 1);
  }
}

step("Type check", bin("tsc"), ["--noEmit"]);
step("Lint", bin("biome"), ["lint"]);
// The CLI the tests spawn runs from the precompiled bundle: build it once here rather than in parallel test workers.
step("Bundle", process.execPath, [path.join(root, "scripts", "bundle.mjs")]);

const reportFile = path.join(root, "test-artifacts", "vitest-report.json");
fs.mkdirSync(path.dirname(reportFile), { recursive: true });
console.log("\n== Unit, integration (SQLite + PostgreSQL) and browser tests");
const run = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`, ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
  cwd: root,
});
let summary = "";
try {
  const r = JSON.parse(fs.readFileSync(reportFile, "utf8"));
  const skippedTests = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed${skippedTests ? `, ${skippedTests} skipped` : ""}`;
  if (strict && skippedTests > 0) {
    console.error(`SCHAKEL_TEST_STRICT=1: ${skippedTests} skipped tests are a failure.`);
    console.log(`tests: ${summary}`);
    process.exit(1);
  }
} catch {
  summary = "";
}
for (const line of skipped) console.log(line);
if (summary) console.log(`tests: ${summary}`);
process.exit(run.status ?? 1);
