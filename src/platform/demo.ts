import { type DemoAccount, schakelModules } from "../modules";
import type { AppContext } from "./context";
import { getMeta, setMeta } from "./meta";

/** Demo data goes only into a database with no accounts and no LIVCs of its own (the reference data aside). */
export class DemoRefused extends Error {}

/**
 * Whether the database holds data of its own: an account or an LIVC. The demo's accounts include an
 * administrator whose password is in the public repository, so they must never join a real database
 * (ops audit s8, finding 1): NODE_ENV=production forgotten in a unit file would otherwise add them.
 */
async function hasOwnData(ctx: AppContext): Promise<boolean> {
  const db = ctx.database.db;
  const [user, livc] = await Promise.all([db.selectFrom("app_user").select("id").limit(1).executeTakeFirst(), db.selectFrom("livc").select("id").limit(1).executeTakeFirst()]);
  return Boolean(user || livc);
}

/** Loads every module's fictional demo data once, into an empty database only. Never in production. */
export async function seedDemo(ctx: AppContext): Promise<{ seeded: boolean; accounts: DemoAccount[] }> {
  if (ctx.config.production) throw new Error("Demo data is never loaded in production (NODE_ENV=production).");
  if (await getMeta(ctx.database.db, "demo_seeded")) return { seeded: false, accounts: [] };
  if (await hasOwnData(ctx)) throw new DemoRefused("The database is not empty (it has accounts or LIVCs of its own): demo data, with its publicly known passwords, is only loaded into an empty database.");
  const accounts: DemoAccount[] = [];
  for (const mod of schakelModules()) {
    if (mod.seedDemo) accounts.push(...((await mod.seedDemo(ctx)) ?? []));
  }
  await setMeta(ctx.database.db, "demo_seeded", new Date().toISOString());
  return { seeded: true, accounts };
}

export const isDemo = async (ctx: AppContext) => Boolean(await getMeta(ctx.database.db, "demo_seeded"));

export function printAccounts(accounts: DemoAccount[]) {
  if (accounts.length === 0) return;
  console.log("Demo accounts (fictional people; passwords for this demo only):");
  for (const a of accounts) console.log(`  ${a.role.padEnd(24)} ${a.login.padEnd(34)} ${a.password}${a.note ? `  (${a.note})` : ""}`);
}
