import type { PostgresPool, PostgresPoolClient } from "kysely";
import type pg from "pg";

/**
 * PostgreSQL (decision 0081): reads asked for outside a transaction in the same turn of the event loop go to
 * PostgreSQL together, on one connection in pipeline mode, written to the socket in one system call. A page's
 * independent reads (a case page's actions, events, minutes, feedback, meetings, owners: a `Promise.all`)
 * each took a pool connection, a `writev` and a wake-up of another PostgreSQL process; now the page's turn
 * takes one. Each read stays its own statement (named, bound, with its own Sync): its rows, types and errors
 * are what they were; an error in one fails that one only.
 *
 * Not batched: anything but a plain `select` (writes, `with`, locks, sequences), cursors (streams), and every
 * statement of a transaction (Kysely takes a connection and begins): those get a connection of their own.
 */
export type Send = (client: pg.PoolClient, text: string, values?: readonly unknown[]) => Promise<unknown>;

/**
 * Batches on their way at once. Under load the reads of later turns wait for one of them and go together: fewer,
 * larger batches (session 23, at 32 connections against no limit: case page 0.920, case list 0.936 of the CPU; 1 in
 * flight gave the same, 4 nothing on the list). Two, so one slow read never holds up every other.
 */
const MAX_IN_FLIGHT = 2;
const PLAIN_READ = /^\s*select\b/i;
const NOT_PLAIN = /\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b|\b(nextval|setval|pg_advisory\w*|pg_try_advisory\w*|set_config|pg_notify|pg_sleep\w*)\s*\(/i;

/**
 * Whether a statement may join a batch: a read with parameters (the extended protocol: a Sync of its own), no
 * locks, no side effects.
 */
export function batchable(text: unknown, values?: readonly unknown[]): text is string {
  return typeof text === "string" && values !== undefined && values.length > 0 && PLAIN_READ.test(text) && !NOT_PLAIN.test(text);
}

interface Waiting {
  text: string;
  values: readonly unknown[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class ReadBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly pipelined: pg.Pool,
    private readonly send: Send,
    /** A turn with one read sends it on a connection of this pool, as without batching. */
    private readonly single: pg.Pool,
  ) {}

  /** Closes the pipelined connections (the single pool is its owner's to close). */
  end(): Promise<void> {
    return this.pipelined.end();
  }

  read(text: string, values: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ text, values, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's promise jobs: every read a page's Promise.all asks for is in the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    // Two batches on their way at most: the reads of later turns wait for one of them and go together.
    if (this.inFlight >= MAX_IN_FLIGHT || this.waiting.length === 0) return;
    this.inFlight += 1;
    try {
      await this.sendBatch();
    } finally {
      this.inFlight -= 1;
      if (this.waiting.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    }
  }

  private async sendBatch(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    let client: pg.PoolClient;
    try {
      // One read alone: the connection it would have had without batching (the backend that ran the
      // turn's writes stays the warm one; one person alone measured 1.12x the database's CPU otherwise).
      client = await (batch.length === 1 ? this.single : this.pipelined).connect();
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    // Every message of every read in one write: pg corks per statement, this corks around them all.
    const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
    stream?.cork?.();
    // An error PostgreSQL answers (a SQLSTATE) fails its read only; any other (the connection lost), or one
    // that says the connection is going (class 08, or 57P01-57P03: the backend terminated or shutting down),
    // also retires the connection instead of giving it back to the pool.
    let broken = false;
    const fail = (w: Waiting) => (e: unknown) => {
      const code = e && typeof e === "object" ? (e as { code?: unknown }).code : undefined;
      if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith("08") || code.startsWith("57P")) broken = true;
      w.reject(e);
    };
    const sent: Promise<unknown>[] = [];
    try {
      for (const w of batch) {
        try {
          sent.push(this.send(client, w.text, w.values).then(w.resolve, fail(w)));
        } catch (e) {
          fail(w)(e);
        }
      }
    } finally {
      stream?.uncork?.();
    }
    await Promise.all(sent);
    client.release(broken);
  }
}

/**
 * The pool Kysely sees: a connection is a promise to run statements. A plain read on a connection that has not
 * run anything else joins the turn's batch; the first statement of any other kind (a `begin`, a write, a cursor)
 * takes a real connection, which then runs every later statement of that connection, in order.
 */
export function batchingPool(pool: pg.Pool, batcher: ReadBatcher, send: Send): PostgresPool {
  return {
    async connect() {
      let real: Promise<pg.PoolClient> | undefined;
      const pinned = () => {
        real ??= pool.connect();
        return real;
      };
      return {
        query(textOrCursor: unknown, values?: readonly unknown[]) {
          if (!real && batchable(textOrCursor, values)) return batcher.read(textOrCursor, values!);
          if (typeof textOrCursor === "string") return pinned().then((c) => send(c, textOrCursor, values));
          return pinned().then((c) => (c.query as (a: unknown, b?: unknown) => unknown)(textOrCursor, values));
        },
        release() {
          if (real) void real.then((c) => c.release(), () => {});
        },
      } as unknown as PostgresPoolClient;
    },
    end: async () => {
      await Promise.all([pool.end(), batcher.end()]);
    },
  };
}
