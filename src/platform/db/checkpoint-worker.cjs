// Background WAL checkpoints for the server's SQLite file (src/platform/db/checkpoint.ts): its own
// connection, in a worker thread, so copying the WAL into the database file and the fsync that follows
// never stall the event loop. PASSIVE: never waits for, nor blocks, readers and the writer.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
const checkpoint = () => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: String(e?.message) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "now") return checkpoint();
  if (m !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
