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
export async function verifyAuditChain(database: Database, batchSize = 20_000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const rows = await database.db
      .selectFrom("audit_entry")
      .selectAll()
      .where("seq", ">=", expectedSeq)
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, entries, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${seq})` };
      if (row.prev_hash !== prev) return { ok: false, entries, brokenAt: seq, reason: `entry ${seq} does not link to entry ${seq - 1}` };
      const hash = entryHash({ ...row, seq });
      if (hash !== row.hash) return { ok: false, entries, brokenAt: seq, reason: `entry ${seq} was changed (its hash does not match its content)` };
      prev = row.hash;
      expectedSeq++;
      entries++;
    }
    if (rows.length < batchSize) break;
  }
  return { ok: true, entries, headHash: prev };
}
