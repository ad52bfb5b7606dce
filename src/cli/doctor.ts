import fs from "node:fs";
import { sql } from "kysely";
import { allMigrations } from "../modules/migrations";
import { type Config, loadConfig } from "../platform/config";
import { checkDataKeys } from "../platform/crypto/keyring";
import { devKeyFile, KeyCheckError, loadMasterKey, masterKeySource } from "../platform/crypto/master-key";
import { type Database, openDatabase } from "../platform/db";
import { DEFAULT_REFERENCE_DIR, readReferenceData } from "../modules/reference/importer";

type Check = { ok: boolean; what: string; warn?: boolean };

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

/** Plain-word checks, each on its own line; returns false when anything needs fixing. */
export async function runDoctor(): Promise<boolean> {
  const checks: Check[] = [];
  const report = () => {
    for (const c of checks) console.log(`${!c.ok ? "PROBLEM" : c.warn ? "warning" : "ok     "}  ${c.what}`);
    return checks.every((c) => c.ok);
  };
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
    checks.push({ ok: true, what: `configuration is valid (NODE_ENV=${config.NODE_ENV}, PORT=${config.PORT}, HOST=${config.HOST})` });
  } catch (e) {
    checks.push({ ok: false, what: (e as Error).message });
    return report();
  }
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config.databaseUrl, { namedStatements: config.SCHAKEL_PG_NAMED_STATEMENTS === "on" });
    checks.push({ ok: true, what: `database reachable (${config.databaseUrl.replace(/\/\/[^@]*@/, "//***@")})` });
  } catch (e) {
    checks.push({ ok: false, what: (e as Error).message });
    return report();
  }
  try {
    const applied = new Set(
      await sql<{ name: string }>`select name from kysely_migration`
        .execute(database.db)
        .then((r) => r.rows.map((x) => x.name))
        .catch(() => [] as string[]),
    );
    const pending = allMigrations().filter((m) => !applied.has(m.name));
    checks.push(
      pending.length === 0
        ? { ok: true, what: "database schema is up to date" }
        : { ok: false, what: `${pending.length} migrations are not applied yet: run "schakel migrate"` },
    );
    if (pending.length === 0) checks.push(await referenceCheck(database));
    checks.push(...(await keyChecks(config, pending.length === 0 ? database : null)));
  } finally {
    await database.close();
  }
  return report();
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
