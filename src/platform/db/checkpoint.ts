import path from "node:path";
import { Worker } from "node:worker_threads";
import { ROOT } from "../paths";
import type { Database } from "./index";

/**
 * WAL checkpoints of the server's SQLite database run in a worker thread with its own connection
 * (docs/decisions/0032). SQLite otherwise checkpoints inside the commit that crosses 1,000 WAL pages:
 * the request that commits it (an audited page view) waits while ~4 MB are copied into the database
 * file and synced, and every request behind it in the event loop waits too (issue 9: the p99 of the
 * audited case page). The server's own connection keeps a far-off automatic checkpoint as a backstop,
 * and goes back to SQLite's default if the worker fails.
 */
export interface Checkpointer {
  /** Resolves after the worker's next checkpoint with its result (WAL frames, frames copied). */
  next(): Promise<CheckpointResult>;
  /** Asks the worker for a checkpoint now (tests, and before a backup). */
  now(): Promise<CheckpointResult>;
  stop(): Promise<void>;
}

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** Backstop: the server's connection checkpoints by itself only past this many WAL pages (~64 MB). */
export const BACKSTOP_PAGES = 16_000;
const SQLITE_DEFAULT_PAGES = 1000;

export function startBackgroundCheckpoints(database: Database, opts: { intervalMs?: number } = {}): Checkpointer | null {
  const native = database.native;
  if (database.dialect !== "sqlite" || !native || native.memory) return null;
  native.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  // After a checkpoint the WAL restarts from its beginning; a file grown by a burst is cut back to 64 MB.
  native.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const worker = new Worker(path.join(ROOT, "src/platform/db/checkpoint-worker.cjs"), {
    workerData: { file: native.name, intervalMs: opts.intervalMs ?? 250 },
  });
  worker.unref();
  let waiting: ((r: CheckpointResult) => void)[] = [];
  let failed: Error | null = null;
  let stopped = false;
  const fallBack = (e: Error) => {
    if (failed || stopped) return;
    failed = e;
    if (native.open) native.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
  };
  worker.on("error", fallBack);
  worker.on("exit", () => fallBack(new Error("checkpoint worker exited")));
  worker.on("message", (m: Partial<CheckpointResult> & { error?: string; stopped?: boolean }) => {
    if (m.error || m.stopped || m.log === undefined) return;
    const r = { busy: m.busy ?? 0, log: m.log, checkpointed: m.checkpointed ?? 0 };
    const w = waiting;
    waiting = [];
    for (const resolve of w) resolve(r);
  });
  return {
    next() {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve) => waiting.push(resolve));
    },
    now() {
      const result = this.next();
      if (!failed) worker.postMessage("now");
      return result;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!failed) {
        const done = new Promise<void>((resolve) => {
          worker.on("message", (m: { stopped?: boolean }) => m.stopped && resolve());
          worker.once("exit", () => resolve());
        });
        worker.postMessage("stop");
        await Promise.race([done, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      await worker.terminate();
      if (native.open) native.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    },
  };
}
