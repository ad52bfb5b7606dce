import { type Kysely, sql } from "kysely";
import { audit } from "../audit";
import type { AppContext } from "../context";
import type { Database } from "../db";
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from "./encrypted-columns";
import { DecryptError, type FieldPlace, KEY_SWITCH_MS, KEYRING_RELOAD_MS, type Keyring } from "./keyring";

/**
 * Re-encryption (decision 0072): moves every field value under an older data key to the active one while
 * the server keeps running, so the older keys can be retired. Values are read in keyset-paged batches
 * outside a transaction and written back in one transaction per batch, each row only if it still holds the
 * value read (compare-and-set): a concurrent edit is never overwritten, and a value edited meanwhile is
 * already under the server's key or is picked up by the next pass. Stopping half-way loses nothing: the
 * next run starts from what is left.
 */

// biome-ignore lint/suspicious/noExplicitAny: the encrypted columns are walked by name, outside the typed schema
type AnyDb = Kysely<any>;
type Row = Record<string, string>;

export const BATCH_ROWS = 500;
// A pass after the first only meets rows edited during the previous one; three end any realistic race.
const PASSES = 3;

export interface ColumnCounts {
  table: string;
  column: string;
  reencrypted: number;
  /** Compare-and-set misses: the row was edited (or removed) between reading and writing it. */
  changedMeanwhile: number;
  /** Values under an older key that do not decrypt at their place (damaged or copied): left as they are. */
  unreadable: number;
}

export interface ReencryptResult {
  activeKeyId: string;
  olderKeyIds: string[];
  columns: ColumnCounts[];
  /** Values per older key after the run: a key at 0 can be retired. */
  remaining: Map<string, number>;
}

/** The field data keys, oldest first. */
export async function fieldDataKeys(database: Database): Promise<{ id: string; active: boolean }[]> {
  const rows = await database.db.selectFrom("data_key").select(["id", "active"]).where("purpose", "=", "field").orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, active: r.active === 1 }));
}

/**
 * Re-encrypts every value under an older field key with `keyring`'s active key, column by column, and
 * records the run (counts and key ids only) in the audit log.
 */
export async function reencryptFieldValues(
  ctx: Pick<AppContext, "database">,
  keyring: Keyring,
  opts: WalkOptions & { onColumn?: (c: ColumnCounts) => void } = {},
): Promise<ReencryptResult> {
  const db = ctx.database.db as AnyDb;
  const olderKeyIds = (await fieldDataKeys(ctx.database)).filter((k) => k.id !== keyring.activeKeyId).map((k) => k.id);
  const columns: ColumnCounts[] = [];
  for (const col of ENCRYPTED_COLUMNS) {
    const counts = { table: col.table, column: col.column, reencrypted: 0, changedMeanwhile: 0, unreadable: 0 };
    for (let pass = 0; pass < PASSES && olderKeyIds.length > 0; pass++) {
      const r = await walkColumn(db, col, keyring, olderKeyIds, opts);
      counts.reencrypted += r.reencrypted;
      counts.changedMeanwhile += r.changedMeanwhile;
      // Each pass meets the same unreadable values again: the last pass says how many are left.
      counts.unreadable = r.unreadable;
      if (r.changedMeanwhile === 0) break;
    }
    opts.onColumn?.(counts);
    columns.push(counts);
  }
  const result = { activeKeyId: keyring.activeKeyId, olderKeyIds, columns, remaining: await valuesPerKey(db, olderKeyIds) };
  await audit.recordFor(ctx, cliWho("reencrypt"), { action: "keys.reencrypt", resourceType: "data_key", resourceId: summaryOf(result), outcome: "success" });
  return result;
}

const cliWho = (command: string) => ({ actor: null, correlationId: `cli.keys.${command}` });

/** The audit entry's resource: key ids and counts, never a value (the entry has no other field for them). */
function summaryOf(r: ReencryptResult): string {
  const sum = (k: keyof Omit<ColumnCounts, "table" | "column">) => r.columns.reduce((n, c) => n + c[k], 0);
  const left = [...r.remaining].map(([id, n]) => `${id}=${n}`).join(",");
  return `to ${r.activeKeyId}; reencrypted ${sum("reencrypted")}; changed meanwhile ${sum("changedMeanwhile")}; unreadable ${sum("unreadable")}; left ${left || "none"}`;
}

/** A value sealed with `keyId`: its exact prefix (SQLite's LIKE would ignore case, and `_` is a LIKE wildcard). */
const underKey = (column: string, keyId: string) => {
  const prefix = `v1:${keyId}:`;
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${sql.lit(prefix.length)}) = ${prefix}`;
};

interface WalkOptions {
  batchRows?: number;
  /** Runs between reading a batch and writing it back: where the tests edit a row as the server would. */
  betweenReadAndWrite?: (col: EncryptedColumn) => Promise<void>;
}

/** One pass over a column: every value under one of `olderKeyIds`, batch by batch in key order. */
async function walkColumn(db: AnyDb, col: EncryptedColumn, keyring: Keyring, olderKeyIds: string[], opts: WalkOptions) {
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const counts = { reencrypted: 0, changedMeanwhile: 0, unreadable: 0 };
  let after: string[] | null = null;
  for (;;) {
    const rows = await readBatch(db, col, olderKeyIds, after, batchRows);
    if (rows.length === 0) return counts;
    after = col.key.map((k) => rows[rows.length - 1][k]);
    const writes: { row: Row; sealed: string }[] = [];
    for (const row of rows) {
      const place: FieldPlace = { table: col.table, column: col.column, rowId: col.rowId.map((c) => row[c]).join(":") };
      try {
        writes.push({ row, sealed: keyring.encrypt(place, keyring.decrypt(place, row[col.column])) });
      } catch (e) {
        if (!(e instanceof DecryptError)) throw e;
        counts.unreadable++;
      }
    }
    await opts.betweenReadAndWrite?.(col);
    const written = await writeBatch(db, col, writes);
    counts.reencrypted += written;
    counts.changedMeanwhile += writes.length - written;
    if (rows.length < batchRows) return counts;
  }
}

function readBatch(db: AnyDb, col: EncryptedColumn, olderKeyIds: string[], after: string[] | null, batchRows: number): Promise<Row[]> {
  const names = [...new Set([...col.key, ...col.rowId, col.column])];
  const keyTuple = sql.join(col.key.map((k) => sql.ref(k)));
  let q = db
    .selectFrom(col.table)
    .select(names)
    .where((eb) => eb.or(olderKeyIds.map((id) => underKey(col.column, id))));
  if (after) q = q.where(sql<boolean>`(${keyTuple}) > (${sql.join(after)})`);
  for (const k of col.key) q = q.orderBy(k);
  return q.limit(batchRows).execute() as Promise<Row[]>;
}

/** Writes a batch in one transaction, each row only where it still holds the value read; returns how many were written. */
function writeBatch(db: AnyDb, col: EncryptedColumn, writes: { row: Row; sealed: string }[]): Promise<number> {
  if (writes.length === 0) return Promise.resolve(0);
  return db.transaction().execute(async (trx) => {
    let n = 0;
    for (const { row, sealed } of writes) {
      let q = trx.updateTable(col.table).set({ [col.column]: sealed }).where(col.column, "=", row[col.column]);
      for (const k of col.key) q = q.where(k, "=", row[k]);
      n += Number((await q.executeTakeFirst()).numUpdatedRows);
    }
    return n;
  });
}

/** How many values each of `keyIds` still encrypts, over every encrypted column. */
export async function valuesPerKey(db: AnyDb, keyIds: string[]): Promise<Map<string, number>> {
  const out = new Map(keyIds.map((id) => [id, 0]));
  for (const col of ENCRYPTED_COLUMNS) {
    for (const id of keyIds) {
      const row = await db.selectFrom(col.table).select((eb) => eb.fn.countAll().as("n")).where(underKey(col.column, id)).executeTakeFirstOrThrow();
      out.set(id, out.get(id)! + Number(row.n));
    }
  }
  return out;
}

/** "field-1 (3 values), field-2 (1 value)": for the operator's messages. */
export const keysInUse = (counts: [string, number][]) => counts.map(([id, n]) => `${id} (${n} value${n === 1 ? "" : "s"})`).join(", ");

/** A retirement refused, as one line for the operator; `code` 2 for a wrong argument, 1 for a key still in use. */
export class RetireRefused extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

/**
 * Deletes older field data keys that encrypt no value: `ids`, or every such key when none are named.
 * All or nothing, in one transaction that counts the values again, so a key that took a value since the
 * re-encryption is refused. The blind-index key and the active field key are never retired.
 */
export async function retireFieldDataKeys(ctx: Pick<AppContext, "database">, ids: string[], now = Date.now()): Promise<{ retired: string[]; inUse: [string, number][] }> {
  return ctx.database.db.transaction().execute(async (trx) => {
    const keys = await trx.selectFrom("data_key").select(["id", "purpose", "active", "created_at"]).orderBy("created_at").orderBy("id").execute();
    for (const id of ids) {
      const key = keys.find((k) => k.id === id);
      if (!key) throw new RetireRefused(`No data key "${id}". Field data keys: ${keys.filter((k) => k.purpose === "field").map((k) => k.id).join(", ")}.`, 2);
      if (key.purpose === "blind_index") throw new RetireRefused(`"${id}" is the blind-index key: it is not retired (decision 0072).`, 2);
      if (key.active === 1) throw new RetireRefused(`"${id}" is the active field key: new values are written with it. Start a new one first (schakel keys rotate --data-key).`, 2);
    }
    // A running server writes with the key it loaded until it reads its keyring again (every KEYRING_RELOAD_MS):
    // retiring before every server has taken up the new key could delete the key of a value written meanwhile.
    const active = keys.find((k) => k.purpose === "field" && k.active === 1);
    const switchedAt = active ? Date.parse(active.created_at) + KEY_SWITCH_MS : 0;
    if (now < switchedAt) {
      throw new RetireRefused(
        `The active data key ${active!.id} was started ${Math.round((now - Date.parse(active!.created_at)) / 1000)} s ago; running servers take it up within ${KEYRING_RELOAD_MS / 60_000} minute. Run "schakel keys reencrypt" again after ${new Date(switchedAt).toISOString().slice(11, 19)} UTC, then retire.`,
        1,
      );
    }
    const older = keys.filter((k) => k.purpose === "field" && k.active !== 1).map((k) => k.id);
    const counts = await valuesPerKey(trx as AnyDb, ids.length > 0 ? ids : older);
    const inUse = [...counts].filter(([, n]) => n > 0);
    if (ids.length > 0 && inUse.length > 0) {
      throw new RetireRefused(`Still in use: ${keysInUse(inUse)}. Run "schakel keys reencrypt" first.`, 1);
    }
    const retired = [...counts].filter(([, n]) => n === 0).map(([id]) => id);
    for (const id of retired) {
      await trx.deleteFrom("data_key").where("id", "=", id).execute();
      await audit.recordFor(ctx, cliWho("retire"), { action: "keys.retire", resourceType: "data_key", resourceId: id, outcome: "success" }, { db: trx });
    }
    return { retired, inUse };
  });
}
