import { sql } from "kysely";
import { allMigrations } from "../modules/migrations";
import { loadConfig } from "../platform/config";
import { openDatabase } from "../platform/db";

type Check = { ok: boolean; what: string };

/** Plain-word checks, each on its own line; returns false when anything needs fixing. */
export async function runDoctor(): Promise<boolean> {
  const checks: Check[] = [];
  const report = () => {
    for (const c of checks) console.log(`${c.ok ? "ok     " : "PROBLEM"}  ${c.what}`);
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
    if (pending.length === 0) {
      const n = await database.db.selectFrom("municipality").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
      const count = Number(n?.n ?? 0);
      checks.push(
        count === 313
          ? { ok: true, what: "reference data imported (300 municipalities 2019-2024, 285 from 2025)" }
          : { ok: false, what: `reference data missing or incomplete (${count} municipality versions): run "schakel reference import"` },
      );
    }
  } finally {
    await database.close();
  }
  return report();
}
