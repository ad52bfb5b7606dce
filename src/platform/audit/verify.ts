import type { Database } from "../db";
import { entryHashOfFields, GENESIS_HASH } from "./chain";
import { canVerifyInParallel, verifyInParallel } from "./verify-parallel";

export type VerifyResult =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

const COLUMNS = ["seq", "at", "actor_id", "actor_role", "livc_id", "action", "resource_type", "resource_id", "outcome", "client_address", "correlation_id", "hash"] as const;
const HASH = COLUMNS.length - 1;

/**
 * Walks the whole chain in seq order, in batches (keyset paging), recomputing every hash.
 * Detects changed, deleted, inserted and reordered entries; a cut-off tail is detected by comparing
 * the printed head hash and count with an earlier copy (docs/decisions: audit chain).
 *
 * Rows are read as arrays in the hashed field order (on SQLite straight from the native handle,
 * on PostgreSQL the next batch is fetched while this one is hashed): building an object per row
 * and copying it cost more than the hashing itself (issue 9 profile).
 */
export async function verifyAuditChain(database: Database, batchSize = 20_000, opts: { parallelFrom?: number } = {}): Promise<VerifyResult> {
  // Long chains in a SQLite file: two halves verified at once (verify-parallel.ts), same result.
  if (canVerifyInParallel(database)) {
    const top = await database.db.selectFrom("audit_entry").select((eb) => eb.fn.max("seq").as("top")).executeTakeFirst();
    const total = Number(top?.top ?? 0);
    if (total >= (opts.parallelFrom ?? 200_000)) return verifyInParallel(database, total, batchSize);
  }
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let entries = 0;
  const fetch = batchFetcher(database, batchSize);
  let pending = fetch(0);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) break;
    if (rows.length === batchSize) pending = fetch(Number(rows[rows.length - 1][0]));
    for (const row of rows) {
      const seq = Number(row[0]);
      if (seq !== expectedSeq) return { ok: false, entries, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${seq})` };
      // prev_hash is not read: the hash is recomputed with the previous entry's hash, which proves the link.
      const stored = row[HASH] as string;
      row[0] = seq;
      row[HASH] = prev;
      if (entryHashOfFields(row) !== stored) return { ok: false, entries, brokenAt: seq, reason: `entry ${seq} was changed, or does not link to entry ${seq - 1}` };
      prev = stored;
      expectedSeq++;
      entries++;
    }
    if (rows.length < batchSize) break;
  }
  return { ok: true, entries, headHash: prev };
}

function batchFetcher(database: Database, batchSize: number): (after: number) => Promise<unknown[][]> {
  const native = database.native;
  if (native) {
    const stmt = native.prepare(`select ${COLUMNS.join(", ")} from audit_entry where seq > ? order by seq limit ?`).raw(true);
    // Yield to the event loop between batches so a long verify never starves other work.
    return (after) => new Promise((resolve, reject) => setImmediate(() => {
      try {
        resolve(stmt.all(after, batchSize) as unknown[][]);
      } catch (e) {
        reject(e);
      }
    }));
  }
  return (after) => {
    const p = database.db
      .selectFrom("audit_entry")
      .select([...COLUMNS])
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(batchSize)
      .execute()
      .then((rows) => rows.map((r) => COLUMNS.map((c) => r[c]) as unknown[]));
    p.catch(() => {}); // an early return must not leave an unhandled rejection behind
    return p;
  };
}
