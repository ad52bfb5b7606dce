import type SQLite from "better-sqlite3";

/**
 * Reads that follow each other on SQLite's one connection share one read transaction, a turn of at
 * most MAX_TURN_MS (issue 9, decision 0076).
 *
 * A statement outside a transaction is a transaction of its own: SQLite takes a read mark in the WAL
 * index before it and gives it back after it, two fcntl() system calls. On this machine those cost
 * ~6 us a statement, more than most of our statements themselves (a row by primary key: 7.8 us alone,
 * 0.44 us inside a transaction). A request's reads mostly follow each other without leaving the event
 * loop's round (better-sqlite3 is synchronous): they share one `begin` .. `commit`, and so do the reads
 * of the other requests handled in the same round.
 *
 * What a turn may hold: only statements SQLite reports as read-only that are plain queries (`select`,
 * `with ... select`). Anything else (a write, `insert ... returning`, a transaction's own `begin`, a
 * pragma) ends the turn first and runs as it did before, so this process always reads its own writes.
 * A turn ends when the event loop moves on (setImmediate) with nobody waiting for the connection, when a
 * request comes in (auth/hooks.ts: a request never reads a snapshot older than itself, so it sees what
 * another process committed before it was sent), or at a release after MAX_TURN_MS; a read that comes
 * when the turn is MAX_TURN_MS old begins a new one. Its reads see the database as it was at its first
 * read, never more than MAX_TURN_MS before. A turn never writes, so it never blocks a writer of another
 * process; a checkpoint (PASSIVE, checkpoint-worker.cjs) copies what the oldest open turn does not read.
 */
export const MAX_TURN_MS = 2;

export class ReadTurns {
  readonly #native: SQLite.Database;
  readonly #begin: SQLite.Statement;
  readonly #commit: SQLite.Statement;
  /** The oldest a turn's snapshot may get: MAX_TURN_MS; tests of the other rules raise it so a slow machine cannot end a turn early. */
  maxMs = MAX_TURN_MS;
  #open = false;
  #since = 0;
  #ending = false;
  /** Turns begun and reads run in them (tests, benchmarks). */
  turns = 0;
  reads = 0;

  constructor(native: SQLite.Database) {
    this.#native = native;
    this.#begin = native.prepare("begin");
    this.#commit = native.prepare("commit");
  }

  /** Whether a statement may run inside a turn: a read-only plain query. */
  static mayShare(stmt: SQLite.Statement, sqlText: string): boolean {
    return stmt.reader && stmt.readonly && /^\s*(select|with)\b/i.test(sqlText);
  }

  /** Before a read that may share: joins the open turn, or begins one unless a transaction is open. */
  read(): void {
    if (this.#native.inTransaction) {
      if (!this.#open) return; // the app's own transaction
      // No read uses a snapshot older than MAX_TURN_MS, whatever kept the turn open (a synchronous wait).
      if (performance.now() - this.#since < this.maxMs) {
        this.reads++;
        return;
      }
      this.end();
    }
    // A turn whose transaction SQLite ended itself (an error that rolls back) is over.
    this.#begin.run();
    this.#open = true;
    this.#since = performance.now();
    this.turns++;
    this.reads++;
  }

  /** Before any other statement: the open turn ends first. */
  end(): void {
    if (!this.#open) return;
    // A commit that fails (a statement still running) leaves the turn open, to be ended at the next try:
    // never a transaction left open that no one knows of.
    if (this.#native.inTransaction) this.#commit.run();
    this.#open = false;
  }

  /**
   * When the connection is let go: a turn MAX_TURN_MS old ends now; otherwise, once nobody waits, it ends when the
   * event loop moves on (setImmediate), so the reads of the requests handled in this round join in.
   */
  released(waiting: number): void {
    if (!this.#open) return;
    if (performance.now() - this.#since >= this.maxMs) this.#tryEnd();
    else if (waiting === 0 && !this.#ending) {
      // Nobody waits now; the reads of the requests this round of the event loop still handles join in.
      this.#ending = true;
      setImmediate(this.#endLater);
    }
  }

  readonly #endLater = () => {
    this.#ending = false;
    this.#tryEnd();
  };

  /** Ends the turn where no caller waits for the answer; on failure the next read or release tries again. */
  #tryEnd(): void {
    try {
      this.end();
    } catch {
      // still open: read() ends it before its snapshot gets older than MAX_TURN_MS
    }
  }

  get open(): boolean {
    return this.#open && this.#native.inTransaction;
  }
}
