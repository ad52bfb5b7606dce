/** Test helpers (used by this module's tests only): LIVCs through the registry, organisations through identity. */
import { randomBytes } from "node:crypto";
import type { AppContext } from "../../platform/context";
import { ensureOrganisation } from "../identity/service";
import type { Sector } from "../identity/sectors";
import { livcInput, makeTestLivc } from "../../../test/support/livc";

export const system = { actor: null };

export async function makeLivc(ctx: AppContext, name: string, nis: string[], joinedOn = "2019-01-01"): Promise<string> {
  const code = `T-${randomBytes(4).toString("hex")}`;
  return makeTestLivc(ctx.database, system, livcInput(code, name, { founded_on: joinedOn }), nis, joinedOn);
}

export const makeOrg = (ctx: AppContext, name: string, sector: Sector) => ensureOrganisation(ctx, { name: `${name} ${randomBytes(3).toString("hex")}`, sector });

export async function auditActions(ctx: AppContext, resourceId: string): Promise<string[]> {
  const rows = await ctx.database.db.selectFrom("audit_entry").select(["action", "seq"]).where("resource_id", "=", resourceId).orderBy("seq").execute();
  return rows.map((r) => r.action);
}
