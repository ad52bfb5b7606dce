import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { lastDailyRun } from "../platform/daily-runs";
import { type Database, sqlitePath } from "../platform/db";

/**
 * `schakel doctor`'s checks of the running installation (decision 0068, ops audit s8 finding 8): one line
 * each, ok / warning / PROBLEM. None prints a secret: URLs lose their user information, keys and
 * passwords are never read into a line.
 */
export type Check = { ok: boolean; what: string; warn?: boolean };

export const ok = (what: string): Check => ({ ok: true, what });
export const warning = (what: string): Check => ({ ok: true, warn: true, what });
export const problem = (what: string): Check => ({ ok: false, what });

/** A URL without its user information (user name, password): "smtp://***@mail.example:587". */
export const maskUrl = (url: string) => url.replace(/\/\/[^@/]*@/, "//***@");

const HOUR = 3_600_000;
const GIB = 1024 ** 3;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
const hoursAgo = (ms: number) => (ms < 2 * HOUR ? plural(Math.max(0, Math.round(ms / 60_000)), "minute") : plural(Math.round(ms / HOUR), "hour"));

/** Loopback names and addresses (and a Unix socket path, for PostgreSQL). */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "" || h === "localhost" || h === "::1" || /^127\./.test(h) || h.startsWith("/");
}

/** PostgreSQL: warn when this connection is not TLS and the server is not on this machine. */
export async function postgresTlsCheck(database: Database): Promise<Check> {
  const r = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(database.db);
  const url = new URL(database.url);
  const host = url.searchParams.get("host") ?? decodeURIComponent(url.hostname);
  return postgresTlsVerdict(r.rows[0]?.ssl === true, host);
}

export function postgresTlsVerdict(ssl: boolean, host: string): Check {
  if (ssl) return ok("the connection to PostgreSQL uses TLS");
  if (isLocalHost(host)) return ok(`the connection to PostgreSQL is not TLS; the server is on this machine (${host || "socket"})`);
  return warning(`the connection to PostgreSQL (${host}) is not TLS: add sslmode=verify-full (and sslrootcert) to DATABASE_URL (docs/OPERATIONS.md)`);
}

/** SQLite: the database file, its WAL and shared-memory files, and its folder are for Schakel's account only. */
export function sqliteModeChecks(database: Database): Check[] {
  const file = path.resolve(sqlitePath(database.url));
  const out: Check[] = [];
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = fs.statSync(f).mode & 0o777;
    } catch {
      continue; // no WAL yet
    }
    if (mode & 0o066) out.push(warning(`the database file ${f} has mode 0${mode.toString(8)}: group or others may read it; make it 0600 (chmod 600)`));
  }
  const dir = path.dirname(file);
  const dirMode = fs.statSync(dir).mode & 0o777;
  if (dirMode & 0o044) out.push(warning(`the database folder ${dir} has mode 0${dirMode.toString(8)}: group or others may list it; make it 0700 (chmod 700)`));
  if (out.length === 0) out.push(ok(`the database file and its folder ${dir} are for this account only`));
  return out;
}

/** Free space on the file system of the SQLite file: a full disk stops every write (and a migration half-way). */
export function diskSpaceCheck(database: Database): Check {
  const dir = path.dirname(path.resolve(sqlitePath(database.url)));
  const s = fs.statfsSync(dir);
  return diskSpaceVerdict(s.bavail * s.bsize, s.blocks * s.bsize, dir);
}

export function diskSpaceVerdict(free: number, total: number, dir: string): Check {
  const share = total > 0 ? free / total : 0;
  const text = `${(free / GIB).toFixed(1)} GiB free next to the database (${Math.floor(share * 100)}% of ${(total / GIB).toFixed(1)} GiB, ${dir})`;
  return free < GIB || share < 0.1 ? warning(`only ${text}: keep at least 1 GiB and 10% free`) : ok(text);
}

/** The audit chain's head, to be kept elsewhere; `schakel audit verify` checks the whole chain. */
export async function auditHeadCheck(database: Database): Promise<Check> {
  const head = await database.db.selectFrom("audit_entry").select(["seq", "hash", "at"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
  if (!head) return ok("the audit log is empty");
  return ok(`audit chain head: entry ${Number(head.seq)}, hash ${head.hash.slice(0, 16)}... (${head.at}); keep it elsewhere, "schakel audit verify" checks the chain`);
}

/**
 * The last finished daily jobs run (lastDailyRun: table daily_job_run). None on a database older than a day:
 * warning; older than 48 hours or a failed module: PROBLEM (they run inside `serve`).
 */
export async function dailyRunCheck(database: Database, now = new Date()): Promise<Check> {
  const run = await lastDailyRun(database.db);
  if (!run) {
    const first = await sql<{ at: string | null }>`select min(timestamp) as at from kysely_migration`.execute(database.db);
    const since = Date.parse(first.rows[0]?.at ?? "");
    if (Number.isNaN(since) || now.getTime() - since < 24 * HOUR) return ok("the daily jobs have not run yet on this new database (serve runs them)");
    return warning(`the daily jobs never ran on this database (made ${hoursAgo(now.getTime() - since)} ago): they run inside "schakel serve"; is it running?`);
  }
  const { finishedAt: at, failed } = run;
  const age = now.getTime() - Date.parse(at);
  if (failed.length > 0) return problem(`the last daily jobs run (${at}, ${hoursAgo(age)} ago) failed for: ${failed.join(", ")}; the server log says why`);
  if (age > 48 * HOUR) return problem(`the daily jobs last ran ${hoursAgo(age)} ago (${at}): they run inside "schakel serve"; is it running?`);
  return ok(`the daily jobs last ran ${hoursAgo(age)} ago (${at}), every module's jobs succeeded`);
}

const BACKUP_MAGIC = "SCHAKEL-BACKUP ";

/**
 * The newest backup in the folder the operator named (--backups or SCHAKEL_BACKUP_DIR). A backup is a file
 * that starts with the backup format's first line, whatever its name; a `.partial` file is one being written.
 */
export function backupCheck(dir: string, now = new Date()): Check {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    return problem(`cannot read the backup folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let newest: { name: string; mtime: number; size: number } | null = null;
  for (const name of names) {
    if (name.endsWith(".partial") || name.endsWith(".tmp")) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || (newest && st.mtimeMs <= newest.mtime) || !startsWithMagic(file)) continue;
      newest = { name, mtime: st.mtimeMs, size: st.size };
    } catch {
      // unreadable or gone meanwhile: not a backup doctor can vouch for
    }
  }
  if (!newest) return warning(`no backup in ${dir}: schedule "schakel backup --out ${dir}/schakel-$(date +%F).sbk" every night`);
  const age = now.getTime() - newest.mtime;
  const text = `the newest backup in ${dir} is ${newest.name}, ${hoursAgo(age)} old (${(newest.size / 1024 ** 2).toFixed(1)} MiB)`;
  return age > 26 * HOUR ? warning(`${text}: none from the last 26 hours; is the nightly backup running?`) : ok(text);
}

function startsWithMagic(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(BACKUP_MAGIC.length);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return n === buf.length && buf.toString("latin1") === BACKUP_MAGIC;
  } finally {
    fs.closeSync(fd);
  }
}
