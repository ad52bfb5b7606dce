#!/usr/bin/env node
// `npm run test:later [-- days]`: the whole `npm test` as if it ran that many days from now (default 400), to find
// tests that pass today and fail with time: a fixed date that becomes past, a birth date whose person comes of age.
// Every process of the run (Node, its children, PostgreSQL, Chromium) sees the same shifted clock through
// libfaketime's LD_PRELOAD (Debian's `faketime`, installed with apt when missing and running as root). A relative
// shift ("+400d"), not a fixed moment: with "@<date>" each process would start its clock at that moment anew, and a
// child started later would be earlier than its parent. File times come from the kernel and are not shifted.
import { spawnSync } from "node:child_process";
import path from "node:path";

const days = process.argv[2] ?? process.env.SCHAKEL_LATER_DAYS ?? "400";
if (!/^\d{1,5}$/.test(days)) {
  console.error(`test:later: the number of days must be a whole number, not "${days}" (npm run test:later -- 400).`);
  process.exit(2);
}
const present = () => spawnSync("faketime", ["-f", "+0d", "true"]).status === 0;
if (!present()) {
  if (process.getuid?.() === 0) {
    console.log("faketime is missing: installing it with apt-get...");
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "faketime"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  if (!present()) {
    console.error("test:later needs faketime (apt-get install faketime).");
    process.exit(1);
  }
}
const shifted = spawnSync("faketime", ["-f", `+${days}d`, "date", "-u", "+%Y-%m-%d %H:%M UTC"], { encoding: "utf8" }).stdout.trim();
console.log(`== npm test as if on ${shifted} (${days} days from now)`);
const r = spawnSync("faketime", ["-f", `+${days}d`, process.execPath, path.join(import.meta.dirname, "test.mjs"), ...process.argv.slice(3)], { stdio: "inherit" });
process.exit(r.status ?? 1);
