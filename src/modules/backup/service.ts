import fs from "node:fs";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { sql, type Transaction } from "kysely";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { checkDataKeyRows, type DataKeyTable } from "../../platform/crypto/keyring";
import type { MasterKey } from "../../platform/crypto/master-key";
import { type Carry, ERASURE_LOG_TABLES, erasureLogRow, hasPending, pendingErasures, type Reapplied, reapply, refusal, snapshotRecords, tableShapes } from "./erasures";
import { BackupError, backupLines, backupLinesSync, DAMAGED, FrameSealer, fileChunks, MAGIC_V2, newHeader, parseHead } from "./format";
import { MAGIC_V1, openBackupV1 } from "./legacy";
import { type AnyDb, denormalise, normalise, type Row, TableDigest, type TableInfo, type TableSummary, tableChecksums, tablePages, userTables } from "./tables";
import { extend } from "../../platform/objects";

/**
 * Encrypted logical backups (decisions 0013, 0067). One format for SQLite and PostgreSQL, streamed:
 * every table is read in primary-key order in keyset pages inside ONE snapshot transaction (REPEATABLE
 * READ on PostgreSQL, one read transaction on SQLite), written as JSON lines through gzip into
 * authenticated AES-256-GCM frames (format.ts) and a `<file>.partial` that is fsynced and renamed when
 * complete. A restore reads the file twice as a stream: first to verify every frame and every table's
 * digest before the database is touched, then to insert in batches in one transaction. Memory holds a
 * page of rows and a frame, whatever the size of the database. Format-1 files still restore (legacy.ts).
 */
export { BackupError, tableChecksums, userTables };
/** Format-1 writer, kept for tests that need a file as the old release wrote it. */
export { sealBackup } from "./legacy";
export type { TableSummary };

/**
 * Backup retention rule (docs/SECURITY.md, decision 0054): keep a backup at most this many days. A
 * backup holds personal data the live system may have purged or corrected since; a restore over such
 * a database is refused unless those erasures are re-applied (erasures.ts).
 */
export const BACKUP_RETENTION_DAYS = 30;

export interface Manifest {
  created_at: string;
  dialect: string;
  migrations: string[];
  /** Row counts and digests (TableDigest: sum of the rows' SHA-256) the restored tables must match. */
  tables: TableSummary[];
}

export interface BackupOptions {
  /** Names the master key's source in a KeyCheckError. */
  keySource?: string;
  /** Plaintext bytes per frame (default 1 MiB); tests use small frames to have many. */
  frameBytes?: number;
}

async function migrationNames(db: AnyDb): Promise<string[]> {
  const rows = await db.selectFrom("kysely_migration").select("name").orderBy("name").execute();
  return rows.map((r) => String(r.name));
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

/** The plaintext lines: preamble, [tableIndex, values] per row in key order, trailer with counts and digests. */
async function* contentLines(trx: AnyDb, tables: TableInfo[], preamble: object, summaries: TableSummary[]): AsyncGenerator<Buffer> {
  yield Buffer.from(`${JSON.stringify(preamble)}\n`, "utf8");
  for (const [i, t] of tables.entries()) {
    const digest = new TableDigest(t.columns);
    for await (const page of tablePages(trx, t)) {
      let text = "";
      for (const r of page) {
        const values = t.columns.map((c) => normalise(r[c]));
        digest.add(values);
        text += `${JSON.stringify([i, values])}\n`;
        if (text.length >= FLUSH_CHARS) {
          yield Buffer.from(text, "utf8");
          text = "";
        }
      }
      yield Buffer.from(text, "utf8");
    }
    summaries.push({ name: t.name, columns: t.columns, rows: digest.rows, sha256: digest.hex() });
  }
  yield Buffer.from(`${JSON.stringify({ end: true, tables: summaries.map(({ name, rows, sha256 }) => ({ name, rows, sha256 })) })}\n`, "utf8");
}

/**
 * Streams a consistent snapshot of every table, encrypted for `master`, into `sink`. Refused
 * (KeyCheckError, decision 0066) when the snapshot's data keys are not all wrapped by `master`.
 */
export async function streamBackup(database: Database, master: MasterKey, sink: NodeJS.WritableStream, opts: BackupOptions = {}): Promise<Manifest> {
  const created_at = new Date().toISOString();
  return inSnapshot(database, async (trx) => {
    const dataKeys = await trx.selectFrom("data_key").select(["id", "purpose", "wrapped", "master_key_id"]).execute();
    checkDataKeyRows(dataKeys, master, opts.keySource);
    const tables = await userTables(trx, database.dialect);
    const migrations = await migrationNames(trx);
    const { head, key } = newHeader(master, created_at, database.dialect, opts.frameBytes);
    const summaries: TableSummary[] = [];
    const preamble = { format: 2, created_at, dialect: database.dialect, migrations, tables: tables.map(({ name, columns }) => ({ name, columns })) };
    await pipeline(Readable.from(contentLines(trx, tables, preamble, summaries)), createGzip({ level: 6 }), new FrameSealer(head, key, opts.frameBytes), sink);
    return { created_at, dialect: database.dialect, migrations, tables: summaries };
  });
}

/**
 * Writes the backup to `<file>.partial` (mode 0600), fsyncs it and renames it to `file` only when
 * complete: a backup that fails or is killed never leaves a file under the final name.
 */
export async function writeBackup(database: Database, master: MasterKey, file: string, opts: BackupOptions = {}): Promise<{ manifest: Manifest; bytes: number }> {
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial, { mode: 0o600, flush: true });
  try {
    const manifest = await streamBackup(database, master, out, opts);
    // flush: true fsyncs at close; rename only after that.
    if (!out.closed) await new Promise<void>((done) => out.once("close", () => done()));
    const bytes = fs.statSync(partial).size;
    fs.renameSync(partial, file);
    try {
      const dir = fs.openSync(path.dirname(file), "r");
      fs.fsyncSync(dir);
      fs.closeSync(dir);
    } catch {
      // Not every file system lets a directory be fsynced; the file itself is.
    }
    return { manifest, bytes };
  } catch (e) {
    // The stream opens asynchronously: let it close before the partial file is removed, or it could reappear.
    if (!out.closed) await new Promise<void>((done) => out.once("close", () => done()).destroy());
    fs.rmSync(partial, { force: true });
    throw e;
  }
}

/** The backup as bytes in memory (tests and small databases). */
export async function createBackup(database: Database, master: MasterKey, opts: BackupOptions = {}): Promise<{ bytes: Buffer; manifest: Manifest }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const manifest = await streamBackup(database, master, sink, opts);
  return { bytes: Buffer.concat(chunks), manifest };
}

/** A verified backup ready to restore: what it holds, and its rows again in batches. */
export interface BackupSource {
  format: 1 | 2;
  manifest: Manifest;
  /** The backup's data_key rows: the data keys the restored database will have. */
  dataKeys: DataKeyTable[];
  /** Ids of the backup's erasure-log rows (erasures.ts), per table. */
  erasureIds: Map<string, string[]>;
  batches(): AsyncIterable<{ table: number; rows: unknown[][] }>;
}

/** A whole backup in memory (tests; format-1 files). */
export interface BackupContents {
  manifest: Manifest;
  rows: Map<string, unknown[][]>;
}

const asObject = (columns: string[], values: unknown[]): Row => Object.fromEntries(columns.map((c, i) => [c, values[i]]));
const batchRows = (columns: number) => Math.max(1, Math.min(500, Math.floor(30_000 / columns)));
/** Text handed on at once while writing, and text held per restore batch: large rows (archives) stay few. */
const FLUSH_CHARS = 1 << 20;
const BATCH_CHARS = 16 << 20;
const charsOf = (values: unknown[]) => values.reduce<number>((n, v) => n + (typeof v === "string" ? v.length : 8), 0);

/** Checks a format-2 file's lines as they come: preamble, rows, trailer; every table's count and digest. */
class V2Verifier {
  private preamble: { format: number; created_at: string; dialect: string; migrations: string[]; tables: { name: string; columns: string[] }[] } | null = null;
  private digests: TableDigest[] = [];
  private trailer: { end: true; tables: { name: string; rows: number; sha256: string }[] } | null = null;
  readonly dataKeys: DataKeyTable[] = [];
  readonly erasureIds = new Map<string, string[]>();

  constructor(private readonly keep?: Map<string, unknown[][]>) {}

  line(line: unknown): void {
    if (!this.preamble) {
      const p = line as V2Verifier["preamble"];
      if (p?.format !== 2 || !Array.isArray(p.tables) || !Array.isArray(p.migrations)) throw new BackupError(DAMAGED);
      this.preamble = p;
      this.digests = p.tables.map((t) => new TableDigest(t.columns));
      for (const t of p.tables) this.keep?.set(t.name, []);
    } else if (this.trailer) {
      throw new BackupError(DAMAGED);
    } else if (Array.isArray(line)) {
      const [i, values] = line as [number, unknown[]];
      const t = this.preamble.tables[i];
      if (!t || !Array.isArray(values)) throw new BackupError(DAMAGED);
      this.digests[i].add(values);
      this.keep?.get(t.name)?.push(values);
      remember(t, values, this.dataKeys, this.erasureIds);
    } else {
      const end = line as V2Verifier["trailer"];
      if (!end?.end || !Array.isArray(end.tables)) throw new BackupError(DAMAGED);
      this.trailer = end;
    }
  }

  manifest(): Manifest {
    const p = this.preamble;
    const trailer = this.trailer;
    if (!p || !trailer) throw new BackupError(DAMAGED);
    const tables = p.tables.map((t, i) => {
      const want = trailer.tables[i];
      if (!want || want.name !== t.name || want.rows !== this.digests[i].rows || want.sha256 !== this.digests[i].hex()) {
        throw new BackupError(`The backup's table ${t.name} does not match its own checksum: it cannot be restored.`);
      }
      return { name: t.name, columns: t.columns, rows: want.rows, sha256: want.sha256 };
    });
    return { created_at: p.created_at, dialect: p.dialect, migrations: p.migrations, tables };
  }
}

/** What a restore needs before it starts: the data keys (checked against the master key) and the erasure-log ids. */
function remember(t: { name: string; columns: string[] }, values: unknown[], dataKeys: DataKeyTable[], erasureIds: Map<string, string[]>): void {
  if (t.name === "data_key") dataKeys.push(asObject(t.columns, values) as unknown as DataKeyTable);
  if (ERASURE_LOG_TABLES.has(t.name) && erasureLogRow(t.name, asObject(t.columns, values))) {
    const ids = erasureIds.get(t.name) ?? [];
    ids.push(String(values[t.columns.indexOf("id")]));
    erasureIds.set(t.name, ids);
  }
}

/** Reads a format-2 file once as a stream, verifying it whole; its rows are read again, verified again, by batches(). */
async function verifyFileV2(file: string, master: MasterKey): Promise<BackupSource> {
  let head: Buffer | null = null;
  const v = new V2Verifier();
  for await (const line of backupLines(fileChunks(file), master, (_h, h) => (head = h))) v.line(line);
  const manifest = v.manifest();
  const verifiedHead = head as Buffer | null;
  return {
    format: 2,
    manifest,
    dataKeys: v.dataKeys,
    erasureIds: v.erasureIds,
    async *batches() {
      let batch: { table: number; rows: unknown[][] } | null = null;
      let batchChars = 0;
      const sameFile = (_h: unknown, h: Buffer) => {
        if (!verifiedHead || !h.equals(verifiedHead)) throw new BackupError("The backup file was replaced while it was being restored: nothing was changed.");
      };
      for await (const line of backupLines(fileChunks(file), master, sameFile)) {
        if (!Array.isArray(line)) continue;
        const [i, values] = line as [number, unknown[]];
        if (batch && (batch.table !== i || batch.rows.length >= batchRows(manifest.tables[i].columns.length) || batchChars >= BATCH_CHARS)) {
          yield batch;
          batch = null;
          batchChars = 0;
        }
        batch ??= { table: i, rows: [] };
        batch.rows.push(values);
        batchChars += charsOf(values);
      }
      if (batch) yield batch;
    },
  };
}

function sourceOfContents(contents: BackupContents, format: 1 | 2): BackupSource {
  const { manifest } = contents;
  const erasureIds = new Map<string, string[]>();
  const dataKeys: DataKeyTable[] = [];
  for (const t of manifest.tables) for (const values of contents.rows.get(t.name) ?? []) remember(t, values, dataKeys, erasureIds);
  return {
    format,
    manifest,
    dataKeys,
    erasureIds,
    async *batches() {
      for (const [i, t] of manifest.tables.entries()) {
        const all = contents.rows.get(t.name) ?? [];
        const n = batchRows(t.columns.length);
        for (let k = 0; k < all.length; k += n) yield { table: i, rows: all.slice(k, k + n) };
      }
    },
  };
}

/** A format-1 file in memory, its sorted-lines digests checked, as contents with format-2 digests. */
function contentsV1(bytes: Buffer, headerLine: Buffer, headLength: number, master: MasterKey): BackupContents {
  const { manifest, rows } = openBackupV1(bytes, headerLine, headLength, master);
  const tables = manifest.tables.map((t) => {
    const d = new TableDigest(t.columns);
    for (const v of rows.get(t.name) ?? []) d.add(v);
    return extend(t, { sha256: d.hex() });
  });
  return { manifest: extend(manifest, { tables }), rows };
}

/** Checks and decrypts a whole backup in memory (either format); every refusal is one clear sentence (BackupError). */
export function openBackup(bytes: Buffer, master: MasterKey): BackupContents {
  const { magic, headerLine, headLength } = parseHead(bytes.subarray(0, 64 * 1024));
  if (magic === MAGIC_V1) return contentsV1(bytes, headerLine, headLength, master);
  if (magic !== MAGIC_V2) throw new BackupError(unknownFormat(magic));
  const rows = new Map<string, unknown[][]>();
  const v = new V2Verifier(rows);
  for (const line of backupLinesSync(bytes, master)) v.line(line);
  return { manifest: v.manifest(), rows };
}

const unknownFormat = (magic: string) => `This backup file has format "${magic}", which this Schakel does not know: restore it with a newer Schakel.`;

/** Opens a backup file for a restore: format 2 is verified as a stream (nothing held but ids and data keys); format 1 is read whole. */
export async function openBackupFile(file: string, master: MasterKey): Promise<BackupSource> {
  const fd = fs.openSync(file, "r");
  const start = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, start, 0, start.length, 0);
  fs.closeSync(fd);
  const { magic, headerLine, headLength } = parseHead(start.subarray(0, n));
  if (magic === MAGIC_V1) return sourceOfContents(contentsV1(fs.readFileSync(file), headerLine, headLength, master), 1);
  if (magic !== MAGIC_V2) throw new BackupError(unknownFormat(magic));
  return verifyFileV2(file, master);
}

const isContents = (x: BackupContents | BackupSource): x is BackupContents => !("batches" in x);

/** The backup's data_key rows: the data keys the restored database will have. */
export function backupDataKeys(backup: BackupContents | BackupSource): DataKeyTable[] {
  return isContents(backup) ? sourceOfContents(backup, 2).dataKeys : backup.dataKeys;
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
 * Replaces the whole content of a migrated database with the backup, in one transaction, inserting
 * in batches as the rows stream in, and checks every table's row count and digest before committing
 * (any difference rolls back).
 */
export async function restoreBackup(database: Database, backup: BackupContents | BackupSource, opts: { force?: boolean; reapplyErasures?: boolean } = {}): Promise<RestoreResult> {
  const source = isContents(backup) ? sourceOfContents(backup, 2) : backup;
  const { manifest } = source;
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
  const column = (table: string, name: string) => (name === "id" ? (source.erasureIds.get(table) ?? []) : []);
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
    for await (const batch of source.batches()) {
      const { name, columns } = manifest.tables[batch.table];
      await trx.insertInto(name).values(batch.rows.map((v) => Object.fromEntries(columns.map((c, k) => [c, denormalise(v[k])])))).execute();
      total += batch.rows.length;
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
