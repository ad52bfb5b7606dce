import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { checkDataKeyRows, type DataKeyTable } from "../../platform/crypto/keyring";
import type { MasterKey } from "../../platform/crypto/master-key";
import { type Carry, hasPending, pendingErasures, type Reapplied, reapply, refusal, snapshotRecords, tableShapes } from "./erasures";

/**
 * Encrypted logical backups (docs/decisions/0013-backups.md). One format for SQLite and PostgreSQL:
 *
 *   line 1  "SCHAKEL-BACKUP 1"
 *   line 2  header JSON {key_id, salt, iv, created_at, dialect}   (authenticated as AES-GCM associated data)
 *   rest    AES-256-GCM(ciphertext || 16-byte tag) of gzip(JSON lines: one manifest, then [tableIndex, row])
 *
 * The key is HKDF(master key-encryption key, random salt, "schakel/backup/v1"): only the master key
 * the backup was made with opens it. The snapshot is read in ONE transaction (REPEATABLE READ on
 * PostgreSQL, one read transaction on SQLite), so it is consistent while the server keeps writing.
 */
export class BackupError extends Error {}

/**
 * Backup retention rule (docs/SECURITY.md, decision 0054): keep a backup at most this many days. A
 * backup holds personal data the live system may have purged or corrected since; a restore over such
 * a database is refused unless those erasures are re-applied (erasures.ts).
 */
export const BACKUP_RETENTION_DAYS = 30;

const MAGIC = "SCHAKEL-BACKUP 1";
const INFO = "schakel/backup/v1";
/** Kysely's own bookkeeping: compared (schema version), never copied. */
const MIGRATION_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

export interface TableSummary {
  name: string;
  columns: string[];
  rows: number;
  sha256: string;
}

export interface Manifest {
  created_at: string;
  dialect: string;
  migrations: string[];
  tables: TableSummary[];
}

interface Header {
  key_id: string;
  salt: string;
  iv: string;
  created_at: string;
  dialect: string;
}

type Row = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: tables are walked by name, outside the typed schema
type AnyDb = Kysely<any>;

const backupKey = (master: MasterKey, salt: Buffer) => Buffer.from(hkdfSync("sha256", master.kek, salt, INFO, 32));

/** User tables of the database, sorted so that a table comes after the tables it references. */
export async function userTables(db: AnyDb, dialect: Database["dialect"]): Promise<{ name: string; columns: string[] }[]> {
  const tables = (await db.introspection.getTables()).filter((t) => !t.isView && !MIGRATION_TABLES.has(t.name) && (t.schema ?? "public") === "public");
  const deps = new Map<string, Set<string>>();
  for (const t of tables) deps.set(t.name, new Set());
  if (dialect === "sqlite") {
    for (const t of tables) {
      const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${t.name})`.execute(db);
      for (const fk of fks.rows) if (fk.table !== t.name) deps.get(t.name)?.add(fk.table);
    }
  } else {
    const fks = await sql<{ child: string; parent: string }>`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = 'public'`.execute(db);
    for (const fk of fks.rows) if (fk.child !== fk.parent) deps.get(fk.child.replace(/"/g, ""))?.add(fk.parent.replace(/"/g, ""));
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
  const byName = new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  return ordered.map((name) => ({ name, columns: byName.get(name)! }));
}

/** A dialect-independent digest of a table: SHA-256 over its rows as sorted JSON lines (column order fixed by name). */
export function digestRows(columns: string[], rows: Row[]): string {
  const sorted = [...columns].sort();
  const lines = rows.map((r) => JSON.stringify(sorted.map((c) => normalise(r[c])))).sort();
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (Buffer.isBuffer(v)) return { base64: v.toString("base64") };
  if (v instanceof Date) return v.toISOString();
  return v;
}

async function migrationNames(db: AnyDb): Promise<string[]> {
  const rows = await db.selectFrom("kysely_migration").select("name").orderBy("name").execute();
  return rows.map((r) => String(r.name));
}

/** Row count and digest of every table: what a restore must reproduce exactly. */
export async function tableChecksums(db: AnyDb, dialect: Database["dialect"]): Promise<TableSummary[]> {
  const out: TableSummary[] = [];
  for (const t of await userTables(db, dialect)) {
    const rows = (await db.selectFrom(t.name).selectAll().execute()) as Row[];
    out.push({ name: t.name, columns: t.columns, rows: rows.length, sha256: digestRows(t.columns, rows) });
  }
  return out;
}

async function inSnapshot<T>(database: Database, body: (trx: AnyDb) => Promise<T>): Promise<T> {
  if (database.dialect === "postgres") {
    return database.db.transaction().setIsolationLevel("repeatable read").execute(async (trx) => {
      await sql`set transaction read only`.execute(trx);
      return body(trx as AnyDb);
    });
  }
  // better-sqlite3 has one connection: a BEGIN here gives one consistent read view (WAL) for every table.
  return database.db.transaction().execute((trx) => body(trx as AnyDb));
}

/**
 * Reads a consistent snapshot of every table and returns the encrypted backup file's bytes. Refused
 * (KeyCheckError, decision 0066) when the snapshot's data keys are not all wrapped by `master`: such a
 * backup would open with one key and hold data only another key can read.
 */
export async function createBackup(database: Database, master: MasterKey, opts: { keySource?: string } = {}): Promise<{ bytes: Buffer; manifest: Manifest }> {
  const created_at = new Date().toISOString();
  const { manifest, lines } = await inSnapshot(database, async (trx) => {
    const dataKeys = await trx.selectFrom("data_key").select(["id", "purpose", "wrapped", "master_key_id"]).execute();
    checkDataKeyRows(dataKeys, master, opts.keySource);
    const tables = await userTables(trx, database.dialect);
    const migrations = await migrationNames(trx);
    const summaries: TableSummary[] = [];
    const lines: string[] = [];
    for (const [i, t] of tables.entries()) {
      const rows = (await trx.selectFrom(t.name).selectAll().execute()) as Row[];
      for (const r of rows) lines.push(JSON.stringify([i, t.columns.map((c) => normalise(r[c]))]));
      summaries.push({ name: t.name, columns: t.columns, rows: rows.length, sha256: digestRows(t.columns, rows) });
    }
    return { manifest: { created_at, dialect: database.dialect, migrations, tables: summaries }, lines };
  });
  return { bytes: sealBackup(manifest, lines, master), manifest };
}

/** The file format around a manifest and its row lines ([tableIndex, values] JSON), encrypted for `master`. */
export function sealBackup(manifest: Manifest, lines: string[], master: MasterKey): Buffer {
  const plain = gzipSync(Buffer.from(`${JSON.stringify(manifest)}\n${lines.join("\n")}`, "utf8"));
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: Header = { key_id: master.id, salt: salt.toString("base64"), iv: iv.toString("base64"), created_at: manifest.created_at, dialect: manifest.dialect };
  const head = Buffer.from(`${MAGIC}\n${JSON.stringify(header)}\n`, "utf8");
  const cipher = createCipheriv("aes-256-gcm", backupKey(master, salt), iv);
  cipher.setAAD(head);
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([head, body]);
}

export interface BackupContents {
  manifest: Manifest;
  rows: Map<string, unknown[][]>;
}

const DAMAGED = "The backup file is damaged or was changed (its authentication check failed): it cannot be restored.";

/** The backup's data_key rows: the data keys the restored database will have. */
export function backupDataKeys(contents: BackupContents): DataKeyTable[] {
  const summary = contents.manifest.tables.find((t) => t.name === "data_key");
  if (!summary) return [];
  return (contents.rows.get("data_key") ?? []).map((v) => Object.fromEntries(summary.columns.map((c, i) => [c, v[i]])) as unknown as DataKeyTable);
}

/** Checks and decrypts a backup; every refusal is one clear sentence (BackupError). */
export function openBackup(bytes: Buffer, master: MasterKey): BackupContents {
  const first = bytes.indexOf(0x0a);
  const second = first < 0 ? -1 : bytes.indexOf(0x0a, first + 1);
  if (first < 0 || second < 0 || bytes.subarray(0, first).toString("utf8") !== MAGIC) {
    throw new BackupError("This is not a Schakel backup file (its first line is not the backup signature).");
  }
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(first + 1, second).toString("utf8")) as Header;
  } catch {
    throw new BackupError(DAMAGED);
  }
  if (typeof header.key_id !== "string" || typeof header.salt !== "string" || typeof header.iv !== "string") throw new BackupError(DAMAGED);
  if (header.key_id !== master.id) {
    throw new BackupError(
      `This backup was made with another master key (key ${header.key_id}; this Schakel uses ${master.id}): restore it with the SCHAKEL_MASTER_KEY it was made with.`,
    );
  }
  const body = bytes.subarray(second + 1);
  const iv = Buffer.from(header.iv, "base64");
  if (body.length < 16 || iv.length !== 12) throw new BackupError(DAMAGED);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", backupKey(master, Buffer.from(header.salt, "base64")), iv);
    decipher.setAAD(bytes.subarray(0, second + 1));
    decipher.setAuthTag(body.subarray(body.length - 16));
    plain = gunzipSync(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
  } catch {
    throw new BackupError(DAMAGED);
  }
  const text = plain.toString("utf8");
  const nl = text.indexOf("\n");
  const manifest = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as Manifest;
  const rows = new Map<string, unknown[][]>(manifest.tables.map((t) => [t.name, []]));
  if (nl >= 0) {
    for (const line of text.slice(nl + 1).split("\n")) {
      if (!line) continue;
      const [i, values] = JSON.parse(line) as [number, unknown[]];
      rows.get(manifest.tables[i].name)!.push(values);
    }
  }
  return { manifest, rows };
}

export interface RestoreResult {
  tables: number;
  rows: number;
  /** With reapplyErasures: what was kept from the target (purges and identity corrections made after the backup). */
  reapplied?: Reapplied;
}

/** True when nobody has used this database yet: no accounts and no audit entries. */
export async function isEmptyDatabase(database: Database): Promise<boolean> {
  const db = database.db as AnyDb;
  for (const table of ["app_user", "audit_entry"]) {
    const r = await db.selectFrom(table).select(sql<number>`count(*)`.as("n")).executeTakeFirst();
    if (Number(r?.n ?? 0) > 0) return false;
  }
  return true;
}

/**
 * Replaces the whole content of a migrated database with the backup, in one transaction, and
 * checks every table's row count and digest before committing (any difference rolls back).
 */
export async function restoreBackup(database: Database, contents: BackupContents, opts: { force?: boolean; reapplyErasures?: boolean } = {}): Promise<RestoreResult> {
  const { manifest } = contents;
  const here = await migrationNames(database.db as AnyDb);
  const missing = manifest.migrations.filter((m) => !here.includes(m));
  const extra = here.filter((m) => !manifest.migrations.includes(m));
  if (missing.length > 0) {
    throw new BackupError(`This backup comes from a newer Schakel (${missing.length} schema changes unknown here, e.g. ${missing[0]}): upgrade Schakel first.`);
  }
  if (extra.length > 0) {
    throw new BackupError(`This backup comes from an older schema (${extra.length} schema changes newer here, e.g. ${extra[0]}): restore it with the Schakel version that made it, then upgrade.`);
  }
  if (!opts.force && !(await isEmptyDatabase(database))) {
    throw new BackupError("The target database already holds accounts or audit entries: restore into an empty database, or pass --force to replace its whole content.");
  }
  const tables = await userTables(database.db as AnyDb, database.dialect);
  const names = new Set(tables.map((t) => t.name));
  for (const t of manifest.tables) {
    if (!names.has(t.name)) throw new BackupError(`The backup holds table ${t.name}, which this database does not have.`);
  }
  const column = (table: string, name: string) => {
    const i = manifest.tables.find((m) => m.name === table)?.columns.indexOf(name) ?? -1;
    return i < 0 ? [] : (contents.rows.get(table) ?? []).map((v) => v[i]);
  };
  const run = async (trx: AnyDb) => {
    // Purges and identity corrections the target made after the backup (decision 0054): refuse, or carry them over.
    const pending = await pendingErasures(trx, names, column);
    let carry: Carry | null = null;
    const shapes = hasPending(pending) ? await tableShapes(trx, database.dialect, tables) : [];
    if (hasPending(pending)) {
      if (!opts.reapplyErasures) throw new BackupError(refusal(manifest.created_at, pending));
      carry = await snapshotRecords(trx, shapes, pending);
    }
    if (database.dialect === "postgres") {
      await sql.raw(`truncate table ${tables.map((t) => `"${t.name}"`).join(", ")}`).execute(trx);
    } else {
      await sql`pragma defer_foreign_keys = on`.execute(trx);
      for (const t of [...tables].reverse()) await trx.deleteFrom(t.name).execute();
    }
    let total = 0;
    for (const t of tables) {
      const summary = manifest.tables.find((m) => m.name === t.name);
      if (!summary) continue;
      const values = contents.rows.get(t.name) ?? [];
      const batch = Math.max(1, Math.min(500, Math.floor(30_000 / summary.columns.length)));
      for (let i = 0; i < values.length; i += batch) {
        const chunk = values.slice(i, i + batch).map((v) => Object.fromEntries(summary.columns.map((c, k) => [c, denormalise(v[k])])));
        await trx.insertInto(t.name).values(chunk).execute();
      }
      total += values.length;
    }
    const after = await tableChecksums(trx, database.dialect);
    for (const want of manifest.tables) {
      const got = after.find((a) => a.name === want.name);
      if (!got || got.rows !== want.rows || got.sha256 !== want.sha256) {
        throw new BackupError(`Restore check failed for table ${want.name} (rows ${got?.rows ?? 0} of ${want.rows}): nothing was changed.`);
      }
    }
    return { tables: manifest.tables.length, rows: total, ...(carry ? { reapplied: await reapply(trx, shapes, carry) } : {}) };
  };
  return database.db.transaction().execute((trx) => run(trx as Transaction<DB> as AnyDb));
}

function denormalise(v: unknown): unknown {
  if (v && typeof v === "object" && "base64" in (v as Record<string, unknown>)) return Buffer.from(String((v as { base64: string }).base64), "base64");
  return v;
}
