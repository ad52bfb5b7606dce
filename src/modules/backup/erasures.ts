import { type Kysely, sql } from "kysely";
import type { Database } from "../../platform/db";
import { pgPrimaryKeys } from "./tables";
import { extend } from "../../platform/objects";

/**
 * Backups versus purges and rectifications (decision 0054). A backup holds personal data as it was
 * when it was made; the live database may since have purged records (retention end, a report
 * withdrawn as "wrong person", a discarded draft) or corrected a person's identity (GDPR art. 16).
 * Restoring the backup as is would bring that data back and drop the proof of the purge.
 *
 * The target database's own logs say what happened after the backup: purge-log rows
 * (case_purge_log, report_purge_log) and identity corrections (case_event kind identity_corrected,
 * report_event transition identity_corrected.*) whose ids the backup does not hold. By default a
 * restore over such a target is refused. With --reapply-erasures the restore keeps, for every record
 * those entries name, the TARGET's state (the purged or corrected rows win over the backup's), and
 * adds the log and timeline rows the backup lacks; all in the restore's transaction.
 */

// biome-ignore lint/suspicious/noExplicitAny: tables are walked by name, outside the typed schema
type AnyDb = Kysely<any>;
type Row = Record<string, unknown>;

/** The logs that name an erasure, and the record each names. Module knowledge, kept in one place. */
const ERASURE_LOGS = [
  { table: "case_purge_log", kind: "purge", record: "case", column: "case_id", at: "purged_at", where: null },
  { table: "report_purge_log", kind: "purge", record: "report", column: "report_id", at: "purged_at", where: null },
  { table: "case_event", kind: "rectification", record: "case", column: "case_id", at: "at", where: sql<boolean>`kind = 'identity_corrected'` },
  { table: "report_event", kind: "rectification", record: "report", column: "report_id", at: "at", where: sql<boolean>`transition like 'identity_corrected.%'` },
] as const;

/**
 * The backup rows pendingErasures asks about (by id): every purge-log row, and the identity-correction
 * rows of the event tables (the same filter as ERASURE_LOGS' where). A streamed restore keeps only these
 * ids in memory, not every event's.
 */
export function erasureLogRow(table: string, row: Row): boolean {
  if (table === "case_purge_log" || table === "report_purge_log") return true;
  if (table === "case_event") return row.kind === "identity_corrected";
  if (table === "report_event") return typeof row.transition === "string" && row.transition.startsWith("identity_corrected.");
  return false;
}

export const ERASURE_LOG_TABLES = new Set<string>(ERASURE_LOGS.map((l) => l.table));

/** The record tables and the column other tables use to point at them. */
const RECORDS = { case: { table: "case_file", column: "case_id" }, report: { table: "report", column: "report_id" } } as const;

/** Rows of these tables that exist only in the target are added after a restore (proof and timeline). */
const INSERTABLE = new Set(["case_purge_log", "report_purge_log", "case_event", "report_event"]);

export interface PendingErasures {
  purges: number;
  rectifications: number;
  newestPurge: string | null;
  newestRectification: string | null;
  cases: string[];
  reports: string[];
}

/** Backup content accessor: the values of one column of a table in the backup. */
export type BackupColumn = (table: string, column: string) => unknown[];

/** The purges and identity corrections the target holds that the backup does not (read before the restore). */
export async function pendingErasures(db: AnyDb, tables: Set<string>, backupColumn: BackupColumn): Promise<PendingErasures> {
  const out: PendingErasures = { purges: 0, rectifications: 0, newestPurge: null, newestRectification: null, cases: [], reports: [] };
  const cases = new Set<string>();
  const reports = new Set<string>();
  for (const log of ERASURE_LOGS) {
    if (!tables.has(log.table)) continue;
    const known = new Set(backupColumn(log.table, "id").map(String));
    let q = db.selectFrom(log.table).select(["id", `${log.column} as record`, `${log.at} as at`]);
    if (log.where) q = q.where(log.where);
    for (const r of (await q.execute()) as { id: string; record: string; at: string }[]) {
      if (known.has(String(r.id))) continue;
      (log.record === "case" ? cases : reports).add(String(r.record));
      if (log.kind === "purge") {
        out.purges++;
        if (!out.newestPurge || r.at > out.newestPurge) out.newestPurge = r.at;
      } else {
        out.rectifications++;
        if (!out.newestRectification || r.at > out.newestRectification) out.newestRectification = r.at;
      }
    }
  }
  out.cases = [...cases].sort();
  out.reports = [...reports].sort();
  return out;
}

export const hasPending = (p: PendingErasures) => p.purges + p.rectifications > 0;

/** One sentence for the operator: what the backup would bring back and how to proceed. */
export function refusal(backupCreatedAt: string, p: PendingErasures): string {
  const since = [
    p.newestPurge ? `${p.purges} purge${p.purges === 1 ? "" : "s"} (newest ${p.newestPurge})` : null,
    p.newestRectification ? `${p.rectifications} identity correction${p.rectifications === 1 ? "" : "s"} (newest ${p.newestRectification})` : null,
  ].filter(Boolean);
  return `This backup was made on ${backupCreatedAt}, before ${since.join(" and ")} recorded in the target database: restoring it would bring back personal data that was erased or corrected since. Restore a newer backup, or pass --reapply-erasures to restore it and keep those records as they are now.`;
}

interface TableShape {
  name: string;
  columns: string[];
  key: string[];
  fks: { column: string; parent: string; parentColumn: string }[];
}

/** Primary keys and column-level foreign keys of the user tables (both dialects). */
export async function tableShapes(db: AnyDb, dialect: Database["dialect"], tables: { name: string; columns: string[] }[]): Promise<TableShape[]> {
  const keys = new Map<string, string[]>();
  const fks = new Map<string, TableShape["fks"]>();
  if (dialect === "sqlite") {
    for (const t of tables) {
      const info = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${t.name})`.execute(db);
      keys.set(t.name, info.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name));
      const list = await sql<{ from: string; table: string; to: string | null }>`select "from", "table", "to" from pragma_foreign_key_list(${t.name})`.execute(db);
      fks.set(t.name, list.rows.map((f) => ({ column: f.from, parent: f.table, parentColumn: f.to ?? "id" })));
    }
  } else {
    for (const [t, cols] of await pgPrimaryKeys(db)) keys.set(t, cols);
    const fk = await sql<{ child: string; col: string; parent: string; parent_col: string }>`
      select cl.relname as child, a.attname as col, pcl.relname as parent, pa.attname as parent_col
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid join pg_namespace n on n.oid = cl.relnamespace
      join pg_class pcl on pcl.oid = c.confrelid
      cross join lateral unnest(c.conkey, c.confkey) as k(ck, pk)
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.ck
      join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = k.pk
      where c.contype = 'f' and n.nspname = 'public'`.execute(db);
    for (const r of fk.rows) fks.set(r.child, [...(fks.get(r.child) ?? []), { column: r.col, parent: r.parent, parentColumn: r.parent_col }]);
  }
  return tables.map((t) => extend(t, { key: keys.get(t.name) ?? [], fks: fks.get(t.name) ?? [] }));
}

/** The target's rows of every record the pending erasures name, taken before the restore replaces them. */
export interface Carry {
  pending: PendingErasures;
  rows: Map<string, Row[]>;
  /** Named records that no longer exist in the target (deleted there): removed after the restore too. */
  gone: { record: keyof typeof RECORDS; id: string }[];
}

const chunks = <T>(xs: T[], n = 400): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

async function rowsWhere(db: AnyDb, table: string, column: string, ids: string[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const part of chunks(ids)) out.push(...((await db.selectFrom(table).selectAll().where(column, "in", part).execute()) as Row[]));
  return out;
}

export async function snapshotRecords(db: AnyDb, shapes: TableShape[], pending: PendingErasures): Promise<Carry> {
  const rows = new Map<string, Row[]>();
  const gone: Carry["gone"] = [];
  for (const [record, ids] of [["case", pending.cases], ["report", pending.reports]] as const) {
    if (ids.length === 0) continue;
    const { table, column } = RECORDS[record];
    const present = new Set((await rowsWhere(db, table, "id", ids)).map((r) => String(r.id)));
    for (const id of ids) if (!present.has(id)) gone.push({ record, id });
    for (const t of shapes) {
      const by = t.name === table ? "id" : t.columns.includes(column) ? column : null;
      if (!by || t.key.length === 0) continue;
      const found = await rowsWhere(db, t.name, by, ids);
      const seen = new Set((rows.get(t.name) ?? []).map((r) => keyOf(t, r)));
      rows.set(t.name, [...(rows.get(t.name) ?? []), ...found.filter((r) => !seen.has(keyOf(t, r)))]);
    }
  }
  return { pending, rows, gone };
}

const keyOf = (t: TableShape, r: Row) => JSON.stringify(t.key.map((k) => r[k] ?? null));
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null) || (a != null && b != null && String(a) === String(b));

export interface Reapplied {
  cases: number;
  reports: number;
  purges: number;
  rectifications: number;
  updated: number;
  inserted: number;
  deleted: number;
  caseIds: string[];
  reportIds: string[];
}

/**
 * After the backup's rows are in (same transaction): the carried records take the target's state.
 * Rows in both get the target's values (a foreign key value is kept only if its parent exists in the
 * restored data); log and timeline rows only the target has are added; records the target deleted go.
 */
export async function reapply(db: AnyDb, shapes: TableShape[], carry: Carry): Promise<Reapplied> {
  const out: Reapplied = { cases: carry.pending.cases.length, reports: carry.pending.reports.length, purges: carry.pending.purges, rectifications: carry.pending.rectifications, updated: 0, inserted: 0, deleted: 0, caseIds: carry.pending.cases, reportIds: carry.pending.reports };
  const parents = new Map<string, boolean>();
  const parentExists = async (table: string, column: string, value: unknown) => {
    const k = `${table}\u0000${column}\u0000${String(value)}`;
    if (!parents.has(k)) parents.set(k, Boolean(await db.selectFrom(table).select(sql`1`.as("x")).where(column, "=", value).executeTakeFirst()));
    return parents.get(k)!;
  };
  const resolves = async (t: TableShape, r: Row, column: string) => {
    for (const fk of t.fks.filter((f) => f.column === column)) {
      if (r[column] !== null && r[column] !== undefined && !(await parentExists(fk.parent, fk.parentColumn, r[column]))) return false;
    }
    return true;
  };
  // Records the target no longer holds go first (their rows in the other tables before them, children
  // before parents); the log rows that prove it are added below.
  for (const g of carry.gone) {
    const { table, column } = RECORDS[g.record];
    for (const t of [...shapes].reverse()) {
      if (t.name === table || !t.columns.includes(column)) continue;
      out.deleted += Number((await db.deleteFrom(t.name).where(column, "=", g.id).executeTakeFirst()).numDeletedRows ?? 0);
    }
    out.deleted += Number((await db.deleteFrom(table).where("id", "=", g.id).executeTakeFirst()).numDeletedRows ?? 0);
  }
  for (const t of shapes) {
    for (const target of carry.rows.get(t.name) ?? []) {
      let q = db.selectFrom(t.name).selectAll();
      for (const k of t.key) q = q.where(k, "=", target[k]);
      const restored = (await q.executeTakeFirst()) as Row | undefined;
      if (restored) {
        const set: Row = {};
        for (const c of t.columns) if (!t.key.includes(c) && !same(restored[c], target[c]) && (await resolves(t, target, c))) set[c] = target[c];
        if (Object.keys(set).length === 0) continue;
        let u = db.updateTable(t.name).set(set);
        for (const k of t.key) u = u.where(k, "=", target[k]);
        await u.execute();
        out.updated++;
      } else if (INSERTABLE.has(t.name)) {
        let ok = true;
        for (const c of t.columns) if (!(await resolves(t, target, c))) ok = false;
        if (!ok) continue;
        await db.insertInto(t.name).values(Object.fromEntries(t.columns.map((c) => [c, target[c] ?? null]))).execute();
        out.inserted++;
        for (const k of [...parents.keys()].filter((x) => x.startsWith(`${t.name}\u0000`))) parents.delete(k);
      }
    }
  }
  return out;
}
