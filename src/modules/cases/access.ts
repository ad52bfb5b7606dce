import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import * as pd from "./personal";
import { type CaseGrants, canSeeCase, caseGrants } from "./policy";
import * as store from "./store";

export class CaseError extends Error {
  constructor(
    readonly code: "not_found" | "wrong_status" | "not_allowed" | "reason_required" | "legal_hold" | "invalid",
    readonly field?: string,
  ) {
    super(code);
  }
}

export const resource = (c: { id: string; livc_id: string }): pd.Resource => ({ type: "case", id: c.id, livcId: c.livc_id });

/** A case the actor may see, or CaseError("not_found"): an invisible case looks like no case. */
export async function visibleCase(ctx: AppContext, who: AuditWho, id: string, grants?: CaseGrants): Promise<store.CaseRow> {
  const g = grants ?? (await caseGrants(ctx.database.db, who.actor ?? null));
  const c = await store.caseById(ctx.database.db, id);
  if (!c || !canSeeCase(g, c)) {
    if (c) await pd.record(ctx, who, resource(c), "case.read", "denied");
    throw new CaseError("not_found");
  }
  return c;
}

