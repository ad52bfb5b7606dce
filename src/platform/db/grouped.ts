import type { Kysely } from "kysely";
import type { Database } from "./index";
import type { DB } from "./schema";

/**
 * Group commit for write transactions (issue 9, docs/decisions/0070-grouped-write-transactions.md).
 *
 * On SQLite every commit writes each page its transaction changed to the WAL: a report submission
 * changes ~33 pages (the report row and its ten indexes, its event, its alerts, two audit entries), and
 * most of those pages are the same ones the next submission changes. The write transactions that wait
 * together therefore share ONE transaction:
 * - a failing one is undone alone, exactly as its own transaction would have been, and the others go on:
 *   the shared transaction is rolled back, its caller gets its error, and the others run again in a new
 *   one (decision 0084; until then each work had a savepoint, whose journal of the ~33 pages went to a
 *   temporary file on SQLite for every submission). So a work may run more than once before it commits;
 *   it must have no effect outside the database (mails go after the commit);
 * - every caller's promise settles only after the shared COMMIT: nothing is reported done before it is
 *   durable, and a failed commit rejects every caller in it;
 * - the batch starts after the current turn of the event loop, so it holds the transactions that arrived
 *   in that turn and while the previous batch was writing; it never waits longer for company.
 * A work function must do all its database work through the `trx` it is given (on SQLite the transaction
 * holds the one connection), which every `db.transaction().execute(work)` already requires.
 *
 * PostgreSQL the same, for another reason: a submission's audit entries take the chain's advisory lock
 * (platform/audit), so the submissions' transactions run one after the other from their first audited
 * write to their commit, each waiting for its own WAL flush. Shared, a batch waits for one flush. And the
 * entries its works record are written at its end, in one append (decision 0091, atSharedEnd below).
 */
export function groupedTransaction<T>(database: Pick<Database, "db">, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  let q = queues.get(database.db);
  if (!q) {
    q = { pending: [], running: false, transactions: 0, works: 0 };
    queues.set(database.db, q);
  }
  const queue = q;
  return new Promise<T>((resolve, reject) => {
    queue.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    if (queue.running) return;
    queue.running = true;
    setImmediate(() => void drain(database.db, queue));
  });
}

interface Pending {
  work: (trx: Kysely<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  pending: Pending[];
  running: boolean;
  /** Counted for the benchmark and the tests: shared transactions begun, and the works they held. */
  transactions: number;
  works: number;
}
const queues = new WeakMap<Kysely<DB>, Queue>();

/** How many shared transactions ran on this database, and how many works they held. */
export function groupedStats(database: Pick<Database, "db">): { transactions: number; works: number } {
  const q = queues.get(database.db);
  return { transactions: q?.transactions ?? 0, works: q?.works ?? 0 };
}
/**
 * Tasks a shared transaction runs once all of its works have run, just before its COMMIT, in the order they were
 * given (decision 0091: the audit entries its works recorded, written in one append). Per transaction object: a
 * batch that runs again after a failing work starts with none, so what the undone run gave goes with it.
 */
const endTasks = new WeakMap<Kysely<DB>, (() => Promise<void>)[]>();

/**
 * Gives a shared transaction a task for its end (before its COMMIT). False when `trx` is not a shared transaction
 * (groupedTransaction's), which then has no end of ours to run it at: the caller does its work at once instead.
 * A task that fails fails the whole batch, as a failed COMMIT does: every caller in it is rejected, nothing kept.
 */
export function atSharedEnd(trx: Kysely<DB>, task: () => Promise<void>): boolean {
  const tasks = endTasks.get(trx);
  if (!tasks) return false;
  tasks.push(task);
  return true;
}

/** Enough to share the pages; small enough that a reader waiting for the connection is not held long. */
export const MAX_GROUP = 32;

async function drain(db: Kysely<DB>, q: Queue): Promise<void> {
  try {
    while (q.pending.length > 0) await commitTogether(db, q, q.pending.splice(0, MAX_GROUP));
  } finally {
    q.running = false;
  }
}

/**
 * Decision 0084: the works run one after the other in one shared transaction, without savepoints. When one
 * throws, the transaction is rolled back, that work's caller gets its error, and the others run again in a new
 * transaction: the same outcome as a savepoint per work, without the savepoints.
 */
async function commitTogether(db: Kysely<DB>, q: Queue, works: Pending[]): Promise<void> {
  let batch = works;
  while (batch.length > 0) {
    q.transactions++;
    q.works += batch.length;
    const values: unknown[] = [];
    const failed = { index: -1, error: undefined as unknown };
    try {
      await db.transaction().execute(async (trx) => {
        const tasks: (() => Promise<void>)[] = [];
        endTasks.set(trx, tasks);
        for (const [i, item] of batch.entries()) {
          try {
            values.push(await item.work(trx));
          } catch (error) {
            failed.index = i;
            failed.error = error;
            throw error;
          }
        }
        endTasks.delete(trx);
        for (const task of tasks) await task();
      });
    } catch (error) {
      // Every work ran and the shared transaction could not commit: nothing in it was kept, so every caller
      // hears of it.
      if (failed.index < 0) {
        for (const item of batch) item.reject(error);
        return;
      }
      batch[failed.index].reject(failed.error);
      batch = batch.filter((_, i) => i !== failed.index);
      continue;
    }
    for (const [i, item] of batch.entries()) item.resolve(values[i]);
    return;
  }
}
