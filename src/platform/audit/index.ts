import type { FastifyRequest } from "fastify";
import { CompiledQuery, type Kysely, sql, type Transaction } from "kysely";
import type { AppContext } from "../context";
import type { Database } from "../db";
import { atSharedEnd } from "../db/grouped";
import type { DB } from "../db/schema";
import { nowIso } from "../db/values";
import { type Actor, rolesIn } from "../policy/actor";
import { auditAddress } from "./address";
import { type AuditEntryTable, type AuditOutcome, entryHashOfFields, GENESIS_HASH } from "./chain";

export { auditMigrations, type AuditOutcome, GENESIS_HASH } from "./chain";
export { verifyAuditChain, type VerifyResult } from "./verify";

/**
 * THE audit helper. Every login, denied authorization, read of personal data (through
 * src/platform/personal-data), change and export is written here. Entries say who, what, which
 * resource and the outcome; never personal data content (no names, no free text).
 *
 *   await audit.record(request, { action: "case.close", resourceType: "case", resourceId: c.id, livcId: c.livcId, outcome: "success" });
 *   await audit.recordFor(ctx, { actor }, { action: "export.csv", resourceType: "signal", outcome: "success" });  // no request (CLI, jobs)
 *
 * Inside a transaction pass { db: trx } so the entry commits (or rolls back) with the change.
 */
export interface AuditEvent {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  livcId?: string | null;
  outcome: AuditOutcome;
}

export interface AuditWho {
  actor?: Actor | null;
  /** For events before an actor exists (login attempts): the account concerned, if known. */
  userId?: string | null;
  clientAddress?: string | null;
  correlationId?: string | null;
}

// Any fixed 64-bit number: the advisory lock that serialises appends across app instances.
const AUDIT_LOCK_KEY = 7_301_202_611;

function roleLabel(actor: Actor | null | undefined, livcId: string | null | undefined): string | null {
  if (!actor) return null;
  if (livcId) {
    const roles = rolesIn(actor, livcId);
    if (roles.length > 0) return roles.join(",");
  }
  const platform = [actor.isAdmin && "admin", actor.isRegionalAnalyst && "regional_analyst", actor.isDpo && "dpo"].filter(Boolean);
  return platform.length > 0 ? platform.join(",") : actor.memberships.length > 0 ? "member" : "user";
}

type NewEntry = Omit<AuditEntryTable, "seq" | "prev_hash" | "hash">;

/**
 * Appends entries inside an open transaction: the chain head is read once, the entries are chained in
 * memory and inserted in multi-row statements.
 */
async function appendIn(trx: Kysely<DB>, database: Database, rows: NewEntry[]): Promise<void> {
  if (database.dialect !== "postgres") {
    await appendWithHead(trx, database, rows);
    return;
  }
  // PostgreSQL (decision 0085): a later append of the same transaction chains on the head its last append left,
  // in one statement that takes the lock and checks that head; the full path when the check fails.
  const known = trxHeads.get(trx);
  if (known) {
    const fast = await appendOnHead(trx, known, rows);
    if (fast) {
      trxHeads.set(trx, fast.head);
      return;
    }
  }
  const chained = await appendWithHead(trx, database, rows);
  trxHeads.set(trx, chained.head);
}

/**
 * PostgreSQL (decision 0085): the chain head each open transaction's last append left. The transaction holds the
 * chain's advisory lock from its first append to its end, so nobody else appends meanwhile and that head is still
 * the chain's head at its next append. Still checked by that append's statement (appendOnHead): a rollback to a
 * savepoint may have undone the entries, and then the full path reads the head again. Kept per transaction
 * object (a weak key: gone with it), never shared with another transaction.
 */
const trxHeads = new WeakMap<Kysely<DB>, Head>();

/** As appendIn, also giving the chain's head after the append (for the PostgreSQL fast path below). */
async function appendWithHead(trx: Kysely<DB>, database: Database, rows: NewEntry[]): Promise<Chained> {
  if (database.dialect === "postgres") await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = (await trx.executeQuery<{ seq: number; hash: string }>(CHAIN_HEAD)).rows[0];
  const chained = chain(last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH }, rows);
  const size = database.dialect === "sqlite" ? SQLITE_INSERT_CHUNK : INSERT_CHUNK;
  for (let i = 0; i < chained.values.length; i += size) {
    const chunk = chained.values.slice(i, i + size);
    await trx.executeQuery(
      database.dialect === "postgres" ? CompiledQuery.raw(INSERT_ARRAYS_TEXT, columnsOf(chunk)) : CompiledQuery.raw(sqliteInsertText(chunk.length), chunk.flat()),
    );
  }
  return chained;
}

interface Head {
  seq: number;
  hash: string;
}
interface Chained {
  /** The inserted columns of each entry (COLUMNS order). */
  values: unknown[][];
  /** The chain's head once these entries are in. */
  head: Head;
}

/** The entries chained after `head`, in memory: seq + 1 each, each hash over its fields and the previous hash. */
function chain(head: Head, rows: NewEntry[]): Chained {
  let seq = head.seq;
  let prev = head.hash;
  const values: unknown[][] = [];
  for (const row of rows) {
    seq += 1;
    // The hashed fields in their fixed order (chain.ts), then the hash: also the inserted columns.
    const fields = [seq, row.at, row.actor_id, row.actor_role, row.livc_id, row.action, row.resource_type, row.resource_id, row.outcome, row.client_address, row.correlation_id, prev];
    prev = entryHashOfFields(fields);
    fields.push(prev);
    values.push(fields);
  }
  return { values, head: { seq, hash: prev } };
}

// The two statements of every append, written once (issue 9: Kysely built the multi-row insert anew for
// each append, ~3% of an audited case page). Columns in the order of entryHashOfFields, then the hash.
// 13 columns a row on SQLite, 13 arrays on PostgreSQL: well under either's limit on bound parameters.
const INSERT_CHUNK = 200;
// SQLite keeps prepared statements of up to KEPT_STATEMENT_MAX_CHARS (4,000) characters (db/index.ts: longer
// texts are taken for one-off bulk statements); a 64-row insert is ~2,800. In larger chunks a group commit
// of ~95 entries or more was prepared anew every time (~0.4 ms; issue 9, session 25, decision 0083). At
// most 64 texts, each prepared once.
const SQLITE_INSERT_CHUNK = 64;
const CHAIN_HEAD = CompiledQuery.raw("select seq, hash from audit_entry order by seq desc limit 1", []);
const COLUMNS = ["seq", "at", "actor_id", "actor_role", "livc_id", "action", "resource_type", "resource_id", "outcome", "client_address", "correlation_id", "prev_hash", "hash"] as const;
const insertTexts = new Map<number, string>();
// SQLite: `insert or fail` (decision 0083). A plain multi-row insert in a transaction keeps a statement
// journal (the pages it changes, as they were, to undo its earlier rows should a later one fail) and past
// 64 KiB writes it to a temporary file: every group commit of case page views created and unlinked one. On a
// failure the whole transaction is rolled back anyway (writeEntries below, or the caller's), so the statement
// needs no undo of its own. Test: statement-journal.test.ts. PostgreSQL inserts arrays (INSERT_ARRAYS_TEXT).
function sqliteInsertText(rows: number): string {
  let text = insertTexts.get(rows);
  if (!text) {
    const row = `(${COLUMNS.map(() => "?").join(", ")})`;
    text = `insert or fail into audit_entry (${COLUMNS.join(", ")}) values ${Array.from({ length: rows }, () => row).join(", ")}`;
    insertTexts.set(rows, text);
  }
  return text;
}

async function writeEntries(database: Database, rows: NewEntry[]): Promise<void> {
  if (database.dialect === "sqlite") {
    // One connection, serialised by Kysely; BEGIN IMMEDIATE also holds off another process on the same file.
    return database.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        await appendIn(conn, database, rows);
        await sql`commit`.execute(conn);
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw e;
      }
    });
  }
  const known = heads.get(database);
  if (known) {
    const fast = await appendOnHead(database.db, known, rows);
    if (fast) {
      heads.set(database, fast.head);
      return;
    }
  }
  const chained = await database.db.transaction().execute((trx) => appendWithHead(trx, database, rows));
  heads.set(database, chained.head);
}

/**
 * PostgreSQL (decision 0080): the chain head this process last committed through the group commit. Only
 * ever set after a commit, so it names an entry that exists (unless someone deleted it since: then the
 * check below fails and the full path runs).
 */
const heads = new WeakMap<Database, Head>();

/**
 * The group commit on PostgreSQL in ONE statement when this process knows the head (decision 0080): the
 * entries are chained in memory on the known head, and one insert takes the advisory lock, checks that
 * the head is still the known one and inserts them, committed on its own. Five round trips (begin, lock,
 * head, insert, commit) become one. When anyone else appended meanwhile (another instance, the CLI, a
 * caller's own transaction), either the check finds another head (nothing inserted) or, when that append
 * committed after this statement's snapshot was taken, the first seq already exists and the primary key
 * refuses the whole statement: both give null and the full path runs, which reads the head under the
 * lock. A chain is never forked: seq is the primary key and every entry names its predecessor's hash.
 */
async function appendOnHead(db: Kysely<DB>, known: Head, entries: NewEntry[]): Promise<Chained | null> {
  // Larger batches take the full path (chunked inserts) without being chained here first.
  if (entries.length > INSERT_CHUNK) return null;
  const chained = chain(known, entries);
  try {
    const { rows } = await db.executeQuery(CompiledQuery.raw(ON_HEAD_TEXT, [known.seq, known.hash, ...columnsOf(chained.values)]));
    if (rows.length !== chained.values.length) return null;
  } catch (e) {
    // Outside a transaction the statement was its own: the full path follows. Inside one, the error has ended
    // the caller's transaction and goes up (it holds the lock unless a rollback to a savepoint let it go; decision 0085).
    if (!db.isTransaction && (e as { code?: string }).code === UNIQUE_VIOLATION) return null;
    throw e;
  }
  return chained;
}

const UNIQUE_VIOLATION = "23505";
/**
 * The entries go as one array a column ($3 seq, then the text columns), unnested into rows: one statement text for
 * any number of entries, short enough to be a named statement (db/index.ts: up to 4,000 characters), so each
 * connection parses it once and PostgreSQL can keep its plan. (Issue 9, session 28: a VALUES list of 13 parameters
 * a row was a text of its own for every group size, past 4,000 characters from ~25 entries, so sent unnamed and
 * parsed and planned on every group commit: 682 plans in 746 case page group commits, ~0.8 ms of planning each;
 * decision 0090.) $1, $2: the known head.
 */
const ON_HEAD_TEXT = `with locked as (select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})),
  head as (select seq, hash from audit_entry where exists (select 1 from locked) order by seq desc limit 1)
insert into audit_entry (${COLUMNS.join(", ")})
select * from unnest(${COLUMNS.map((c, i) => `$${i + 3}::${c === "seq" ? "integer" : "text"}[]`).join(", ")}) as v (${COLUMNS.join(", ")})
where exists (select 1 from head where head.seq = $1 and head.hash = $2)
returning seq`;

/** PostgreSQL's full path inserts the same way (decision 0091): one named statement for any chunk size. */
const INSERT_ARRAYS_TEXT = `insert into audit_entry (${COLUMNS.join(", ")})
select * from unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c === "seq" ? "integer" : "text"}[]`).join(", ")}) as v (${COLUMNS.join(", ")})`;

/** The chained entries as one array a column (COLUMNS order). */
function columnsOf(values: unknown[][]): unknown[][] {
  return COLUMNS.map((_, c) => values.map((row) => row[c]));
}

/**
 * Group commit: appends outside a caller's transaction wait in a queue per database; while one
 * write runs, the next ones gather and are written together in one transaction (one chain-head
 * read, one lock, one commit). Each caller's promise settles only after its own entries are
 * committed, so nothing is shown before it is audited; a failed write rejects every caller in it.
 * (Issue 9: a case page records 7 reads; under load these were 7 write transactions a request.)
 */
interface Pending {
  rows: NewEntry[];
  resolve: () => void;
  reject: (error: unknown) => void;
}
const queues = new WeakMap<Database, { pending: Pending[]; writing: boolean }>();
const MAX_BATCH = 1000;

async function drain(database: Database, q: { pending: Pending[]; writing: boolean }): Promise<void> {
  q.writing = true;
  try {
    while (q.pending.length > 0) {
      const batch = q.pending.splice(0, MAX_BATCH);
      try {
        await writeEntries(database, batch.flatMap((p) => p.rows));
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
  } finally {
    q.writing = false;
  }
}

async function append(database: Database, rows: NewEntry[], within?: Kysely<DB> | Transaction<DB>): Promise<void> {
  if (rows.length === 0) return;
  if (within?.isTransaction) {
    if (!deferredTo(database, within, rows)) await appendIn(within, database, rows);
    return;
  }
  let q = queues.get(database);
  if (!q) {
    q = { pending: [], writing: false };
    queues.set(database, q);
  }
  const queue = q;
  return new Promise<void>((resolve, reject) => {
    queue.pending.push({ rows, resolve, reject });
    if (queue.writing) return;
    // The write starts after the current turn of the event loop, so appends made in the same turn
    // (the reads of one page, requests arriving together) share it.
    queue.writing = true;
    setImmediate(() => void drain(database, queue));
  });
}

/**
 * Decision 0091: the entries recorded inside a shared transaction (db/grouped.ts: report submissions arriving
 * together) wait for its end and go in ONE append just before its COMMIT, in the order they were recorded. Until
 * then each was an append of its own, one after the other on the batch's one connection: on PostgreSQL a round
 * trip each (the first three: lock, head, insert) and the chain's lock held from the batch's first entry to its
 * COMMIT, so every read's audit group commit waited for the whole batch. Same transaction, same atomicity: a work
 * undone takes its entries with it (the batch runs again on a new transaction, with a new list). False when `trx`
 * is not a shared transaction: the caller appends at once, as every other transaction does.
 */
const deferredEntries = new WeakMap<Kysely<DB>, NewEntry[]>();
function deferredTo(database: Database, trx: Kysely<DB>, rows: NewEntry[]): boolean {
  let entries = deferredEntries.get(trx);
  if (!entries) {
    const fresh: NewEntry[] = [];
    if (!atSharedEnd(trx, () => appendIn(trx, database, fresh))) return false;
    deferredEntries.set(trx, fresh);
    entries = fresh;
  }
  for (const row of rows) entries.push(row);
  return true;
}

export const audit = {
  /** Records an event for the current request: actor, client address and correlation id come from it. */
  record(request: FastifyRequest, event: AuditEvent, opts: { db?: Kysely<DB> } = {}): Promise<void> {
    return audit.recordFor(request.server.ctx, { actor: request.actor, clientAddress: request.ip, correlationId: String(request.id) }, event, opts);
  },

  recordFor(ctx: Pick<AppContext, "database">, who: AuditWho, event: AuditEvent, opts: { db?: Kysely<DB> } = {}): Promise<void> {
    return append(ctx.database, [toRow(who, event)], opts.db);
  },

  /** Several events in one append (one lock): e.g. one read entry per record of a list. */
  recordMany(ctx: Pick<AppContext, "database">, who: AuditWho, events: AuditEvent[], opts: { db?: Kysely<DB> } = {}): Promise<void> {
    return append(ctx.database, events.map((e) => toRow(who, e)), opts.db);
  },
};

function toRow(who: AuditWho, event: AuditEvent): NewEntry {
  return {
    at: nowIso(),
    actor_id: who.actor?.userId ?? who.userId ?? null,
    actor_role: roleLabel(who.actor, event.livcId),
    livc_id: event.livcId ?? null,
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId ?? null,
    outcome: event.outcome,
    // The network only (/24, /48), never the device's full address (decision 0053).
    client_address: auditAddress(who.clientAddress),
    correlation_id: who.correlationId ?? null,
  };
}

/** Who is acting, for services that take an AuditWho instead of the request. */
export const whoOf = (request: FastifyRequest): AuditWho => ({ actor: request.actor, clientAddress: request.ip, correlationId: String(request.id) });
