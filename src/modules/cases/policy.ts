import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import type { DB } from "../../platform/db/schema";
import type { Actor, LivcRole } from "../../platform/policy/actor";
import { definePolicy, inLivcs, livcIdsWhere } from "../../platform/policy/grants";
import * as store from "./store";

/**
 * NEED TO KNOW, in one place. A case is visible to
 *  - the chair, coordinator and information officer of the case's LIVC (CORE_ROLES), and
 *  - a partner member for whom a case access grant exists: written by the meetings module when the
 *    person acknowledged confidentiality for a consultation that discusses the case, and their
 *    organisation was invited for that case and accepted; and only while they are still a partner
 *    member of that LIVC.
 * Nobody else: not the platform administrator, not regional analysts, not the DPO (who has the
 * separate, logged subject-access path).
 *
 * The same grants decide a detail page (canSeeCase) and filter every list, search and export
 * (visibleCases): the list query cannot show what the detail page forbids.
 */
export const CORE_ROLES = ["chair", "coordinator", "information_officer"] as const satisfies readonly LivcRole[];

export interface CaseGrants {
  userId: string | null;
  /** LIVCs where the actor sees every case (core roles). */
  livcIds: string[];
  /** Single cases a partner member may see. */
  caseIds: string[];
}

export const NO_GRANTS: CaseGrants = { userId: null, livcIds: [], caseIds: [] };

/** The actor's grants, read once per request. */
export async function caseGrants(db: Kysely<DB>, actor: Actor | null): Promise<CaseGrants> {
  if (!actor) return NO_GRANTS;
  const livcIds = livcIdsWhere(actor, CORE_ROLES);
  const partnerLivcs = new Set(livcIdsWhere(actor, ["partner_member"]));
  const caseIds =
    partnerLivcs.size === 0
      ? []
      : [...new Set((await store.activeGrantsOf(db, actor.userId)).filter((g) => partnerLivcs.has(g.livc_id)).map((g) => g.case_id))];
  return { userId: actor.userId, livcIds, caseIds };
}

export function canSeeCase(g: CaseGrants, c: { id: string; livc_id: string }): boolean {
  return g.livcIds.includes(c.livc_id) || g.caseIds.includes(c.id);
}

/** The query filter compiled from the same grants; used by every list, search and export. */
export function visibleCases(g: CaseGrants) {
  // An empty side is left out rather than written "or 1 = 0": an OR keeps SQLite from using the
  // livc_id index (full scan of every case; issue 9).
  return (eb: { ref: (c: "case_file.id" | "case_file.livc_id") => Expression<unknown> }): Expression<SqlBool> => {
    if (g.caseIds.length === 0) return inLivcs(eb.ref("case_file.livc_id"), g.livcIds);
    if (g.livcIds.length === 0) return store.inIds(eb.ref("case_file.id"), g.caseIds);
    return sql<SqlBool>`(${inLivcs(eb.ref("case_file.livc_id"), g.livcIds)} or ${store.inIds(eb.ref("case_file.id"), g.caseIds)})`;
  };
}

/**
 * What someone who can see a case may do with it, per role in the case's LIVC. Case status
 * changes are decided by the transition table in workflow.ts (its "roles").
 */
export const casePolicy = definePolicy({
  livcOf: (c: { livc_id: string }) => c.livc_id,
  grants: {
    /** Read the identity and the full timeline. */
    read_identity: [...CORE_ROLES],
    /** Follow-up plan: add actions, set the review date. */
    manage_plan: ["chair", "coordinator"],
    /** Put a case on a consultation's agenda. */
    schedule: ["chair", "coordinator"],
    /** The feedback form to the police is drafted by the information officer. */
    draft_feedback: ["information_officer"],
    /** Legal hold (blocks the retention purge). */
    legal_hold: ["chair"],
    /** "Who saw this case", from the audit log. */
    who_saw: ["chair"],
  },
});
