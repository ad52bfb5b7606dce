import { type DemoAccount, schakelModules } from "../modules";
import type { AppContext } from "./context";
import { getMeta, setMeta } from "./meta";

/** Loads every module's fictional demo data once. Never in production. */
export async function seedDemo(ctx: AppContext): Promise<{ seeded: boolean; accounts: DemoAccount[] }> {
  if (ctx.config.production) throw new Error("Demo data is never loaded in production (NODE_ENV=production).");
  if (await getMeta(ctx.database.db, "demo_seeded")) return { seeded: false, accounts: [] };
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
