import type { Database } from "../db";
import { entryHash, GENESIS_HASH } from "./chain";

export type VerifyResult =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/**
 * Walks the whole chain in seq order, in batches (keyset paging), recomputing every hash.
 * Detects changed, deleted, inserted and reordered entries; a cut-off tail is detected by comparing
 * the printed head hash and count with an earlier copy (docs/decisions: audit chain).
 */
export async function verifyAuditChain(database: Database, batchSize = 10_000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let entries = 0;
  const fetch = (from: number) => {
    // prev_hash is not read: the hash is recomputed with the previous entry's hash, which proves the link.
    const p = database.db
      .selectFrom("audit_entry")
      .select(["seq", "at", "actor_id", "actor_role", "livc_id", "action", "resource_type", "resource_id", "outcome", "client_address", "correlation_id", "hash"])
      .where("seq", ">", from)
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    p.catch(() => {}); // an early return must not leave an unhandled rejection behind
    return p;
  };
  let pending = fetch(0);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) break;
    // Fetch the next batch while this one is hashed (keyset paging on the last seq seen).
    if (rows.length === batchSize) pending = fetch(Number(rows[rows.length - 1].seq));
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, entries, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${seq})` };
      const hash = entryHash({ ...row, seq, prev_hash: prev });
      if (hash !== row.hash) return { ok: false, entries, brokenAt: seq, reason: `entry ${seq} was changed, or does not link to entry ${seq - 1}` };
      prev = row.hash;
      expectedSeq++;
      entries++;
    }
    if (rows.length < batchSize) break;
  }
  return { ok: true, entries, headHash: prev };
}
