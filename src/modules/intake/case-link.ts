import { shortId } from "../../platform/db/values";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { MessageKey } from "../../platform/i18n";
import { type CaseGrants, type CaseStatus, canSeeCase, type JoinRefusal, OPEN_CASE_STATUSES, onCaseClosed } from "../cases/service";
import { mailStatusChanged } from "./notify";
import * as store from "./store";

/**
 * A report and the case it belongs to (decision 0062).
 *
 * - "Add to open case": a second report about the person of an open case in the same LIVC joins that
 *   case (report.case_id) instead of opening another. Only cases the duplicate hint found (same LIVC,
 *   same blind index), still open, and visible to the screener through the cases policy.
 * - When a case closes, its source report(s) still "taken up" close with it, in the case's transaction:
 *   a history line with the closure reason code (no text), an audit entry, and after the commit the
 *   reporter's status mail when they asked for it, as for the report's own close step.
 */
export interface JoinableCase {
  id: string;
  label: string;
  openedAt: string;
}

type FoundCase = { id: string; label: string | null; livc_id: string; status: CaseStatus; opened_at: string; subject_index?: string | null };

export const isOpenCase = (status: CaseStatus) => OPEN_CASE_STATUSES.includes(status);

/** The open cases of the report's LIVC, among those the duplicate hint found, that this actor may see. */
export function joinableCases(grants: CaseGrants, livcId: string | null, found: FoundCase[]): JoinableCase[] {
  if (!livcId) return [];
  return found
    .filter((c) => c.livc_id === livcId && isOpenCase(c.status) && canSeeCase(grants, c))
    .map((c) => ({ id: c.id, label: c.label ?? shortId(c.id), openedAt: c.opened_at }));
}

/** Why the chosen case cannot take the report, in words (the decision form's error). */
export function joinRefusedMessage(reason: JoinRefusal | "other_person"): MessageKey {
  switch (reason) {
    case "not_found":
      return "scase.join.refused.not_found";
    case "other_livc":
      return "scase.join.refused.other_livc";
    case "not_open":
      return "scase.join.refused.not_open";
    case "not_allowed":
      return "scase.join.refused.not_allowed";
    case "other_person":
      return "scase.join.refused.other_person";
  }
}

/** The history line of a report closed with its case: the closure reason code in its name, nothing else. */
export const CASE_CLOSED_PREFIX = "case_closed.";

onCaseClosed({
  name: "report",
  async onClose(ctx: AppContext, db, who, c) {
    const rows = await db
      .selectFrom("report")
      .select(["id", "reference", "livc_id", "reporter_user_id", "notify_status"])
      .where("case_id", "=", c.id)
      .where("status", "=", "taken_up")
      .execute();
    const mail: { userId: string; reference: string }[] = [];
    for (const r of rows) {
      if (!(await store.compareAndSetStatus(db, r.id, "taken_up", { status: "closed" }))) continue;
      await store.insertEvent(db, {
        report_id: r.id,
        actor_id: who.actor?.userId ?? null,
        transition: `${CASE_CLOSED_PREFIX}${c.reason}`,
        from_status: "taken_up",
        to_status: "closed",
        referral_service: null,
        reason_enc: null,
      });
      await audit.recordFor(ctx, who, { action: "intake.report.close_with_case", resourceType: "report", resourceId: r.id, livcId: r.livc_id, outcome: "success" }, { db });
      if (r.notify_status === 1) mail.push({ userId: r.reporter_user_id, reference: r.reference });
    }
    if (mail.length === 0) return undefined;
    return async () => {
      for (const m of mail) await mailStatusChanged(ctx, m.userId, m.reference);
    };
  },
});
