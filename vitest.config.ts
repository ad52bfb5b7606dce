import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The stress and attack files first within their project. They are the longest (the crash test ~120 s, the
 * stored-XSS crawl ~85 s), but small files, and without vitest's duration cache (every CI run is a clean
 * clone) vitest starts the largest files first: session 11's CI started the crash test at 328 s of the unit
 * project's 432 s, and it ran alone for its last 37 s while the other workers had nothing left.
 */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => (/[\\/]test[\\/](stress|attack)[\\/]/.test(f.moduleId) ? 0 : 1);
    // vitest's order groups the files by project: each keeps its place, and inside it the long files go first.
    const projectAt = new Map<string, number>();
    for (const [i, f] of sorted.entries()) if (!projectAt.has(f.project.name)) projectAt.set(f.project.name, i);
    const rank = (f: TestSpecification) => projectAt.get(f.project.name)! * 2 + long(f);
    return [...sorted].sort((a, b) => rank(a) - rank(b)); // stable: vitest's order otherwise
  }
}

export default defineConfig({
  test: {
    globalSetup: ["test/setup/global.ts"],
    sequence: { sequencer: LongFilesFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most test time waits on PostgreSQL, spawned servers, Chromium and SMTP, not on this process:
    // vitest's default on 2 cores is ONE worker (cores - 1). Session 13, the unit project alone, same minutes:
    // three workers 387 s, four 365 s (5% of the CPU idle).
    maxWorkers: 4,
    // A 32 MB young generation (semi-space; V8's default here is 16 MB) for the workers, which run the app in
    // process: fewer scavenges, less promoted to the old generation. Session 14, eight in-process files, alternated:
    // 100-106 s of CPU with the default, 83-97 s with 32 MB (64 MB no better).
    execArgv: ["--max-semi-space-size=32"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
          exclude: ["test/browser/**", "node_modules/**"],
          pool: "forks",
          // Files in one worker share the module cache instead of importing the app afresh (~1.9 s a file,
          // 290 s of the run). Safe because every module-level cache is keyed by the database or context
          // object (WeakMap), and tests restore what they stub. Measured: unit project 292 s, import 29 s.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          // Two journeys at a time, after the rest (a project with its own maxWorkers is its own group). Session
          // 11 measured two at once as slower (548 s against 510 s one at a time) while axe's injection and
          // full-page screenshots kept Chromium busy; with axe-core run directly and viewport screenshots
          // (session 12) the journeys wait on more than Chromium: this project alone, 387 s two at a time; one at a
          // time it was 493 s alone and 494-528 s in clean-clone CI runs. Each journey has its own server (port 0), database and browser.
          fileParallelism: true,
          maxWorkers: 2,
          isolate: false,
          // After the unit group (vitest refuses two projects with different maxWorkers in one group).
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
        },
      },
    ],
  },
});
