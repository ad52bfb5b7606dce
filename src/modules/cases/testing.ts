/**
 * Test fixtures for the cases and meetings modules (used by their *.test.ts only): an LIVC from
 * the register, organisations, and actors as the session layer builds them.
 */
import type { AppContext } from "../../platform/context";
import type { Actor, LivcMembership, LivcRole } from "../../platform/policy/actor";
import { createAccount, ensureOrganisation } from "../identity/service";
import type { Sector } from "../identity/sectors";
import { createLivc } from "../registry/service";

let n = 0;

export async function makeLivc(ctx: AppContext, code = `T${++n}${Date.now() % 100000}`): Promise<string> {
  return createLivc(ctx.database, {}, { code, name: `LIVC ${code}`, founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null });
}

export const makeOrganisation = (ctx: AppContext, name: string, sector: Sector) => ensureOrganisation(ctx, { name: `${name} ${++n}`, sector });

/** A real account with memberships, and the Actor the session layer would build for it. */
export async function makeActor(
  ctx: AppContext,
  roles: { livcId: string; role: LivcRole; organisationId?: string | null }[],
  platform: { isAdmin?: boolean; isRegionalAnalyst?: boolean; isDpo?: boolean } = {},
): Promise<Actor> {
  const id = await createAccount(ctx, {
    email: `case-test-${++n}-${Date.now()}@test.schakel.invalid`,
    displayName: `Testpersoon ${n}`,
    platformRoles: [platform.isAdmin && "admin", platform.isRegionalAnalyst && "regional_analyst", platform.isDpo && "dpo"].filter((r): r is "admin" | "regional_analyst" | "dpo" => Boolean(r)),
    memberships: roles,
  });
  const memberships: LivcMembership[] = roles.map((r) => ({ livcId: r.livcId, role: r.role, organisationId: r.organisationId ?? null }));
  return { userId: id, displayName: `Testpersoon ${n}`, sessionId: "test", isAdmin: Boolean(platform.isAdmin), isRegionalAnalyst: Boolean(platform.isRegionalAnalyst), isDpo: Boolean(platform.isDpo), memberships };
}
