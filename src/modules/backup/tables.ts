import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../platform/db";
import { BackupError } from "./format";

/**
 * The tables a backup walks, read in pages, and the per-table digest (decision 0067).
 *
 * Rows are read in primary-key order with keyset pages (`where (k1, k2) > (last) order by k1, k2
 * limit N`): the same code on SQLite and PostgreSQL, one page in memory at a time, each page an index
 * range scan. A page also holds at most PAGE_BYTES of values: a table's widest row decides how many of its
 * rows a page reads. The digest of a table is the SUM modulo 2^256 of the SHA-256 of every row (a row being
 * the JSON of its values in column-name order): it is computed incrementally in any order, so it
 * does not depend on how a dialect collates text keys (PostgreSQL's locale order differs from
 * SQLite's byte order), and no copy of the table is ever sorted. It checks that a restore reproduced
 * every row; the file's integrity is AES-GCM's job.
 */

export type Row = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: tables are walked by name, outside the typed schema
export type AnyDb = Kysely<any>;

/**
 * Never copied: Kysely's own bookkeeping (compared as the schema version instead), and the case list's
 * token (decisions 0075, 0078): not data, and replaced by the restore's own writes to the case tables.
 */
const NOT_COPIED = new Set(["kysely_migration", "kysely_migration_lock", "case_list_revision"]);

/** Rows per keyset page. */
export const PAGE_ROWS = 5000;
/** Bytes of values per page, as much as a restore batch holds (service.ts BATCH_CHARS); a wider row is read alone. */
export const PAGE_BYTES = 16 << 20;

/** Column types of a fixed, small size; a value of any other type (text, binary) counts in its row's width. */
const FIXED_SIZE = /^(int|bigint|smallint|serial|bigserial|real|double|float|numeric|decimal|bool|date|time|uuid)/i;

export interface TableInfo {
  name: string;
  columns: string[];
  key: string[];
  /** The columns whose values can be large: their byte lengths make a row's width. */
  sized: string[];
}

/** User tables of the database with their primary keys, sorted so that a table comes after the tables it references. */
export async function userTables(db: AnyDb, dialect: Database["dialect"]): Promise<TableInfo[]> {
  const tables = (await db.introspection.getTables()).filter((t) => !t.isView && !NOT_COPIED.has(t.name) && (t.schema ?? "public") === "public");
  const deps = new Map<string, Set<string>>();
  const keys = new Map<string, string[]>();
  for (const t of tables) deps.set(t.name, new Set());
  if (dialect === "sqlite") {
    for (const t of tables) {
      const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${t.name})`.execute(db);
      for (const fk of fks.rows) if (fk.table !== t.name) deps.get(t.name)?.add(fk.table);
      const info = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${t.name})`.execute(db);
      keys.set(t.name, info.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name));
    }
  } else {
    const fks = await sql<{ child: string; parent: string }>`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = 'public'`.execute(db);
    for (const fk of fks.rows) if (fk.child !== fk.parent) deps.get(fk.child.replace(/"/g, ""))?.add(fk.parent.replace(/"/g, ""));
    for (const [t, cols] of await pgPrimaryKeys(db)) keys.set(t, cols);
  }
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    if (seen.has(name) || path.has(name)) return;
    path.add(name);
    for (const d of [...(deps.get(name) ?? [])].sort()) visit(d, path);
    seen.add(name);
    ordered.push(name);
  };
  for (const name of [...deps.keys()].sort()) visit(name, new Set());
  const byName = new Map(tables.map((t) => [t.name, t.columns]));
  return ordered.map((name) => {
    const columns = byName.get(name)!;
    return { name, columns: columns.map((c) => c.name), key: keys.get(name) ?? [], sized: columns.filter((c) => !FIXED_SIZE.test(c.dataType)).map((c) => c.name) };
  });
}

/**
 * The rows of a table in primary-key order, one keyset page at a time: at most `maxRows` rows and, as far
 * as the widest row allows, `maxBytes` of values. A table without a primary key is refused.
 */
export async function* tablePages(db: AnyDb, table: TableInfo, maxRows = PAGE_ROWS, maxBytes = PAGE_BYTES): AsyncGenerator<Row[]> {
  if (table.key.length === 0) throw new TableWithoutKeyError(table.name);
  const pageRows = await rowsPerPage(db, table, maxRows, maxBytes);
  const cols = (names: string[]) => sql.join(names.map((c) => sql.ref(c)));
  const order = cols(table.key);
  let last: unknown[] | null = null;
  for (;;) {
    const after: ReturnType<typeof sql> = last
      ? sql`where (${order}) > (${sql.join(last.map((v) => sql`${v}`))})`
      : sql``;
    const page = (await sql<Row>`select * from ${sql.table(table.name)} ${after} order by ${order} limit ${pageRows}`.execute(db)).rows;
    if (page.length > 0) yield page;
    if (page.length < pageRows) return;
    const end = page[page.length - 1];
    last = table.key.map((k) => end[k]);
  }
}

/**
 * How many rows a page of this table reads: as many as fit in `maxBytes` were every row as wide as its widest
 * (the byte lengths of its sized values), at least one, at most `maxRows`. One aggregate over the lengths,
 * which both databases read without the values themselves (SQLite's octet_length, PostgreSQL's TOAST
 * header), keeps every page of a table the same single query: a table of small rows keeps pages of
 * `maxRows`, one of 64 MiB archives reads one row a page. A table that mixed a few huge rows with many
 * small ones would read all of them in small pages: slower, never larger.
 */
async function rowsPerPage(db: AnyDb, table: TableInfo, maxRows: number, maxBytes: number): Promise<number> {
  if (table.sized.length === 0) return maxRows;
  const width = sql.join(table.sized.map((c) => sql`coalesce(octet_length(${sql.ref(c)}), 0)`), sql` + `);
  const widest = (await sql<{ widest: number | string | null }>`select max(${width}) as widest from ${sql.table(table.name)}`.execute(db)).rows[0]?.widest;
  return Math.max(1, Math.min(maxRows, Math.floor(maxBytes / Math.max(1, Number(widest ?? 0)))));
}

/** A table someone added without a primary key: backup and restore read tables in key order, so both refuse it by name. */
export class TableWithoutKeyError extends BackupError {
  constructor(readonly table: string) {
    super(`Table ${table} has no primary key: backups read every table in key order and cannot read it (give it a primary key, or drop it).`);
  }
}

/** A value as the backup holds it (JSON): bigint as number, binary as {base64}, dates as ISO text. */
export function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (Buffer.isBuffer(v)) return { base64: v.toString("base64") };
  if (v instanceof Date) return v.toISOString();
  return v;
}

export function denormalise(v: unknown): unknown {
  if (v && typeof v === "object" && "base64" in (v as Record<string, unknown>)) return Buffer.from(String((v as { base64: string }).base64), "base64");
  return v;
}

/** Order-independent table digest: sum of SHA-256(row) modulo 2^256, rows given as values in `columns` order. */
export class TableDigest {
  rows = 0;
  private readonly acc = new Uint32Array(8);
  private readonly order: number[];

  constructor(columns: string[]) {
    this.order = columns.map((c, i) => [c, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, i]) => i);
  }

  /** Adds one row: its normalised values in the column order given to the constructor. */
  add(values: unknown[]): void {
    const h = createHash("sha256").update(JSON.stringify(this.order.map((i) => values[i] ?? null))).digest();
    let carry = 0;
    for (let i = 0; i < 8; i++) {
      const s = this.acc[i] + h.readUInt32BE(28 - 4 * i) + carry;
      this.acc[i] = s >>> 0;
      carry = s > 0xffffffff ? 1 : 0;
    }
    this.rows++;
  }

  hex(): string {
    let out = "";
    for (let i = 7; i >= 0; i--) out += this.acc[i].toString(16).padStart(8, "0");
    return out;
  }
}

export interface TableSummary {
  name: string;
  columns: string[];
  rows: number;
  sha256: string;
}

/** Row count and digest of every table, read in pages: what a restore must reproduce exactly. */
export async function tableChecksums(db: AnyDb, dialect: Database["dialect"]): Promise<TableSummary[]> {
  const out: TableSummary[] = [];
  for (const t of await userTables(db, dialect)) {
    const d = new TableDigest(t.columns);
    for await (const page of tablePages(db, t)) for (const r of page) d.add(t.columns.map((c) => normalise(r[c])));
    out.push({ name: t.name, columns: t.columns, rows: d.rows, sha256: d.hex() });
  }
  return out;
}

/** PostgreSQL: the primary-key columns of every table in the public schema, in key order. */
export async function pgPrimaryKeys(db: AnyDb): Promise<Map<string, string[]>> {
  const pk = await sql<{ t: string; col: string; pos: number }>`
    select cl.relname as t, a.attname as col, array_position(i.indkey::int2[], a.attnum) as pos
    from pg_index i join pg_class cl on cl.oid = i.indrelid join pg_namespace n on n.oid = cl.relnamespace
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indisprimary and n.nspname = 'public'`.execute(db);
  const keys = new Map<string, string[]>();
  for (const r of [...pk.rows].sort((a, b) => a.pos - b.pos)) keys.set(r.t, [...(keys.get(r.t) ?? []), r.col]);
  return keys;
}
