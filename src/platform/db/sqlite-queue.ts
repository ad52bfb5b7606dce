import { type DatabaseConnection, type Driver, SqliteDialect, type SqliteDialectConfig } from "kysely";
import type { ReadTurns } from "./read-turns";

/**
 * Kysely's SQLite driver with its one connection handed to waiting queries in turn (issue 9).
 *
 * Kysely's SqliteDriver guards its single connection with a mutex whose waiters all await the same
 * promise and loop: each release woke every waiting query, one took the connection and the others
 * went back to waiting. While a transaction holds the connection across awaits (the audit group
 * commit, grouped report submissions), every query of every other request in flight waits, so each
 * release cost as many wake-ups as there were waiters: under load a quarter of all the server's
 * allocations (a case page view: ~130 KB) were those wake-ups. Here a release hands the connection to
 * the longest waiting query, and only that one wakes up. Kysely's own driver still does the work: its
 * mutex is free whenever this queue lets a query through, so it never waits.
 */
export class QueuedSqliteDialect extends SqliteDialect {
  readonly #turns: Pick<ReadTurns, "released"> | undefined;

  /** With `turns`, each release tells them how many wait (read-turns.ts: a turn ends at a release only when it is old enough, or later when nobody waits). */
  constructor(config: SqliteDialectConfig, turns?: Pick<ReadTurns, "released">) {
    super(config);
    this.#turns = turns;
  }

  override createDriver(): Driver {
    return new QueuedDriver(super.createDriver(), this.#turns);
  }
}

/** A lock handed over in arrival order: `unlock` wakes exactly one waiter, which then holds it. */
export class HandoverLock {
  #held = false;
  #waiting: (() => void)[] = [];

  /** Resolves when the caller holds the lock. */
  lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    // Handed over: the lock stays held, by the longest waiter.
    if (next) next();
    else this.#held = false;
  }

  /** How many callers wait (tests). */
  get waiting(): number {
    return this.#waiting.length;
  }
}

class QueuedDriver implements Driver {
  readonly #inner: Driver;
  readonly #lock = new HandoverLock();
  readonly #turns: Pick<ReadTurns, "released"> | undefined;

  constructor(inner: Driver, turns?: Pick<ReadTurns, "released">) {
    this.#inner = inner;
    this.#turns = turns;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock.lock();
    try {
      return await this.#inner.acquireConnection();
    } catch (e) {
      this.#lock.unlock();
      throw e;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.releaseConnection(connection);
    } finally {
      try {
        this.#turns?.released(this.#lock.waiting);
      } finally {
        this.#lock.unlock();
      }
    }
  }

  beginTransaction(...args: Parameters<Driver["beginTransaction"]>) {
    return this.#inner.beginTransaction(...args);
  }
  commitTransaction(connection: DatabaseConnection) {
    return this.#inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return this.#inner.rollbackTransaction(connection);
  }
  savepoint(...args: Parameters<NonNullable<Driver["savepoint"]>>) {
    return this.#inner.savepoint!(...args);
  }
  rollbackToSavepoint(...args: Parameters<NonNullable<Driver["rollbackToSavepoint"]>>) {
    return this.#inner.rollbackToSavepoint!(...args);
  }
  releaseSavepoint(...args: Parameters<NonNullable<Driver["releaseSavepoint"]>>) {
    return this.#inner.releaseSavepoint!(...args);
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
