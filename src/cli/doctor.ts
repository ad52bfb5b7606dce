import fs from "node:fs";
import { sql } from "kysely";
import { allMigrations } from "../modules/migrations";
import { DEFAULT_REFERENCE_DIR, readReferenceData } from "../modules/reference/importer";
import { type Config, loadConfig } from "../platform/config";
import { checkDataKeys } from "../platform/crypto/keyring";
import { devKeyFile, KeyCheckError, loadMasterKey, masterKeySource } from "../platform/crypto/master-key";
import { type Database, openDatabase, sqlitePath } from "../platform/db";
import { NewerDatabaseError } from "../platform/db/migrate";
import { auditHeadCheck, backupCheck, type Check, dailyRunCheck, diskSpaceCheck, maskUrl, ok, postgresTlsCheck, problem, sqliteModeChecks } from "./doctor-checks";
import { oidcCheck, productionChecks, smtpCheck } from "./doctor-net";


/**
 * The reference data in the database against the files this release ships (not a fixed count: the next
 * update, e.g. later mergers, changes the number of municipality versions). `serve` imports them at start.
 */
async function referenceCheck(database: Database): Promise<Check> {
  let shipped: ReturnType<typeof readReferenceData>;
  try {
    shipped = readReferenceData(DEFAULT_REFERENCE_DIR);
  } catch (e) {
    return { ok: false, what: `the reference data files of this release cannot be read: ${(e as Error).message}` };
  }
  const [n, imported] = await Promise.all([
    database.db.selectFrom("municipality").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
    database.db.selectFrom("reference_import").select("content_hash").where("id", "=", "current").executeTakeFirst(),
  ]);
  const count = Number(n?.n ?? 0);
  if (imported?.content_hash === shipped.hash && count === shipped.municipalities.length) return { ok: true, what: `reference data imported: the release's files (${count} municipality versions)` };
  return { ok: false, what: `reference data ${imported ? "differs from this release's files" : "not imported"} (${count} municipality versions in the database, ${shipped.municipalities.length} in the files): run "schakel reference import" (serve does it at start)` };
}

export interface DoctorOptions {
  /** The environment to read the configuration from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The folder the nightly backups go to (--backups, else SCHAKEL_BACKUP_DIR); unset: not checked. */
  backups?: string;
  now?: Date;
}

/** One line per check, "ok", "warning" or "PROBLEM" first. */
export const formatCheck = (c: Check) => `${!c.ok ? "PROBLEM" : c.warn ? "warning" : "ok     "}  ${c.what}`;

/** Plain-word checks, each on its own line; returns false when anything needs fixing (a PROBLEM). */
export async function runDoctor(options: DoctorOptions = {}): Promise<boolean> {
  const checks = await collectChecks(options);
  for (const c of checks) console.log(formatCheck(c));
  return checks.every((c) => c.ok);
}

/** Every check, in the order printed. Network checks (mail, single sign-on) run while the database is checked. */
export async function collectChecks(options: DoctorOptions = {}): Promise<Check[]> {
  const env = options.env ?? process.env;
  const now = options.now ?? new Date();
  const checks: Check[] = [];
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
    checks.push(ok(`configuration is valid (NODE_ENV=${config.NODE_ENV}, PORT=${config.PORT}, HOST=${config.HOST})`));
  } catch (e) {
    checks.push(problem((e as Error).message));
    return checks;
  }
  checks.push(...productionChecks(config));
  const network = Promise.all([smtpCheck(config), oidcCheck(config)])
    .then((r) => r.flat())
    .catch((e: unknown) => [problem(`the mail or single sign-on check failed: ${(e as Error).message}`)]);
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config.databaseUrl, { namedStatements: config.SCHAKEL_PG_NAMED_STATEMENTS === "on", readBatch: config.SCHAKEL_PG_READ_BATCH === "on" });
    checks.push(ok(`database reachable (${maskUrl(config.databaseUrl)})`));
  } catch (e) {
    checks.push(problem((e as Error).message));
    return [...checks, ...(await network)];
  }
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`
      .execute(database.db)
      .then((r) => r.rows.map((x) => x.name))
      .catch(() => [] as string[]);
    const known = new Set(allMigrations().map((m) => m.name));
    const newer = applied.filter((name) => !known.has(name)).sort();
    const pending = [...known].filter((name) => !applied.includes(name));
    if (newer.length > 0) checks.push(problem(new NewerDatabaseError(newer[newer.length - 1]).message));
    else checks.push(pending.length === 0 ? ok("database schema is up to date") : problem(`${pending.length} migrations are not applied yet: run "schakel migrate"`));
    const current = pending.length === 0 && newer.length === 0;
    if (current) checks.push(await referenceCheck(database));
    checks.push(...(await keyChecks(config, current ? database : null)));
    if (database.dialect === "postgres") checks.push(await postgresTlsCheck(database));
    else if (database.native && sqlitePath(database.url) !== ":memory:") checks.push(...sqliteModeChecks(database), diskSpaceCheck(database));
    if (current) checks.push(await auditHeadCheck(database), await dailyRunCheck(database, now));
  } finally {
    await database.close();
  }
  const backups = options.backups ?? env.SCHAKEL_BACKUP_DIR;
  if (backups) checks.push(backupCheck(backups, now));
  return [...checks, ...(await network)];
}

/**
 * The master key (decision 0066): does the configured key open every data key of this database? Ids
 * only, never key material. A key file that group or others may read gets a warning with its mode.
 */
async function keyChecks(config: Config, database: Database | null): Promise<Check[]> {
  const out: Check[] = [];
  const source = masterKeySource(config);
  const file = config.SCHAKEL_MASTER_KEY ? undefined : (config.SCHAKEL_KEY_FILE ?? (config.NODE_ENV === "test" ? undefined : devKeyFile()));
  if (!config.SCHAKEL_MASTER_KEY && !config.SCHAKEL_KEY_FILE && file && !fs.existsSync(file)) {
    // Development without a key: the first start generates one (doctor creates nothing).
    out.push({ ok: true, what: `no master key yet: development generates ${file} at the first start (set SCHAKEL_MASTER_KEY or SCHAKEL_KEY_FILE in production)` });
    return out;
  }
  if (file) {
    try {
      const mode = fs.statSync(file).mode & 0o777;
      if (mode & 0o077) out.push({ ok: true, warn: true, what: `the key file ${file} has mode 0${mode.toString(8)}: group or others may read it; make it 0600 or 0400 (chmod 600)` });
    } catch {
      // unreadable: loadMasterKey below names it
    }
  }
  try {
    const master = loadMasterKey(config, () => {});
    if (!database) {
      out.push({ ok: true, what: `master key ${master.id} loaded from ${source}; its data keys are checked once the schema is up to date` });
      return out;
    }
    const n = await checkDataKeys(database, master, source);
    out.push({
      ok: true,
      what: n > 0 ? `master key ${master.id} (${source}) opens all ${n} data keys of this database` : `master key ${master.id} (${source}) loaded; the database has no data keys yet (the first start creates them)`,
    });
  } catch (e) {
    if (!(e instanceof KeyCheckError)) throw e;
    out.push({ ok: false, what: e.message });
  }
  return out;
}
