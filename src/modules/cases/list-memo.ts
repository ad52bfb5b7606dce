import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";

/**
 * The case list's reads kept per list token (decisions 0075 and 0078). Triggers replace the token in
 * `case_list_revision` with every change to case_file, case_action or case_review, whoever makes it, in
 * the same transaction as the change (on SQLite at once; on PostgreSQL at its commit, deferred, so the
 * token row is the last lock a change takes). A list view reads the token once; a read asked again with
 * the same query, the same arguments (which carry the viewer's grants, read fresh on every request) and
 * the same token gives the rows read before. So a cached page is exactly what the query would return
 * now: a change to those tables gives a new token, and nothing read under an older token is used again.
 *
 * What is kept: the rows of the list queries (labels, statuses, dates, action and organisation ids; no
 * ciphertext, no identity) and, since decision 0087, of a case page's parts (its timeline, actions, minutes,
 * feedback forms, meetings and action owner choices: their ciphertext as stored, never plaintext; decrypted and
 * audited on every view; the case row itself is read fresh), frozen, for at most MAX_ENTRIES queries of the
 * current token. Changes to the tables those parts read replace the token too (migrations.ts: PAGE_TABLES).
 * Not kept: anything read inside a transaction, a search by person (audited), a case's identity.
 */
export interface ListReads {
  /** The rows of `read`, or those it gave before for the same key under the same token. */
  memo<T>(key: readonly unknown[], read: () => Promise<T>): Promise<T>;
}

/**
 * `query(db, ...args)` through the memo, keyed by its name and the very arguments it is run with, so a
 * key can never leave out an argument that changes the rows (the grants above all).
 */
export function keptQuery<A extends unknown[], T>(reads: ListReads, name: string, query: (db: Kysely<DB>, ...args: A) => Promise<T>, db: Kysely<DB>, ...args: A): Promise<T> {
  return reads.memo([name, ...args], () => query(db, ...args));
}

/** Reads every time: searches by person, reads inside a transaction, callers outside a list view. */
export const FRESH: ListReads = { memo: (_key, read) => read() };

/**
 * Queries kept per token: the list and its count per grants, filter and page, the three work lists, and since
 * decision 0087 the parts of case pages (up to eight a case).
 */
export const MAX_ENTRIES = 2_000;

interface Memo {
  token: string;
  entries: Map<string, Promise<unknown>>;
}

/** One memo per database (the Kysely instance), for the token it was filled under. */
const memos = new WeakMap<object, Memo>();

// With a bound value: on PostgreSQL a named statement (planned once) that can go out with the other reads of its
// turn (decision 0081); a text without parameters goes alone, parsed and planned every time.
const TOKEN = { sqlite: CompiledQuery.raw("select token from case_list_revision where id = ?", [1]), postgres: CompiledQuery.raw("select token from case_list_revision where id = $1", [1]) };

/**
 * Reads the list token once (one statement) and gives the memo of this view. `known`: the token as the request's
 * session statement read it (decision 0088), then no statement of its own.
 */
export async function listReads(database: Database, known?: string | null): Promise<ListReads> {
  if (database.db.isTransaction) return FRESH;
  const token = known ?? (await database.db.executeQuery<{ token: string }>(TOKEN[database.dialect])).rows[0]?.token;
  if (!token) return FRESH;
  let memo = memos.get(database.db);
  // Any other token (newer, or older when a slower view read it before a change): start anew. Equality
  // only: a token is random, so one seen before never comes back with other rows.
  if (memo?.token !== token) {
    memo = { token, entries: new Map() };
    memos.set(database.db, memo);
  }
  const mine = memo;
  return {
    memo<T>(key: readonly unknown[], read: () => Promise<T>): Promise<T> {
      // Another view has moved the memo to another token since this one read its token: read, keep nothing.
      if (memos.get(database.db) !== mine) return read();
      const k = JSON.stringify(key);
      const kept = mine.entries.get(k);
      if (kept) {
        // Most recently used last: the oldest entry is the first to go.
        mine.entries.delete(k);
        mine.entries.set(k, kept);
        return kept as Promise<T>;
      }
      const reading = read().then(frozen);
      mine.entries.set(k, reading);
      // A failed read is not kept (the next view reads again).
      reading.catch(() => {
        if (mine.entries.get(k) === reading) mine.entries.delete(k);
      });
      if (mine.entries.size > MAX_ENTRIES) mine.entries.delete(mine.entries.keys().next().value as string);
      return reading;
    },
  };
}

/** Kept rows are shared between views: frozen, so a caller changing one fails instead of changing the next view's. */
function frozen<T>(value: T): T {
  if (Array.isArray(value)) for (const row of value) if (row && typeof row === "object") Object.freeze(row);
  return Object.freeze(value);
}
