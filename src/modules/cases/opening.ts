import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso, todayInBrussels } from "../../platform/db/values";
import { livcById } from "../registry/service";
import * as pd from "./personal";
import { canSeeCase, caseGrants } from "./policy";
import * as store from "./store";
import { OPEN_STATUSES } from "./workflow";

/** What intake hands over when screening takes a report up as a case. */
export interface OpenCaseInput {
  livcId: string;
  /** The report the case came from (intake's id); blanked by the purge. */
  reportId: string | null;
  minor: boolean;
  /** The person, plaintext in memory only: encrypted here through the personal-data path. Optional:
   *  without it the case keeps only the blind index and the person stays in the report. */
  identity?: { fullName: string; dateOfBirth: string | null } | null;
  /** The blind index intake already computed (used when no identity is passed). */
  subjectIndex?: string | null;
  /** The screening decision the case came from, e.g. "take_up". */
  screeningDecision: string;
  openedOn?: string;
}

/** LIVC-GENT-2026-014: the LIVC code, the year and a number per LIVC and year. Carries no personal data. */
export function caseLabel(livcCode: string, year: number, n: number): string {
  const code = livcCode.toUpperCase().replace(/^LIVC-/, "");
  return `LIVC-${code}-${year}-${String(n).padStart(3, "0")}`;
}

/**
 * THE way a case starts: intake calls this when screening decides "take up as case".
 * Pass { db: trx } to open the case in intake's own transaction (the report and the case commit
 * together). Returns the new case id and its pseudonymous label.
 */
export async function openCaseFromScreening(
  ctx: AppContext,
  who: AuditWho,
  input: OpenCaseInput,
  opts: { db?: Kysely<DB> } = {},
): Promise<{ id: string; label: string }> {
  await pd.ready(ctx);
  const run = async (db: Kysely<DB>) => {
    const livc = await livcById(db, input.livcId);
    if (!livc) throw new Error(`Unknown LIVC ${input.livcId}`);
    const openedOn = input.openedOn ?? todayInBrussels();
    const year = Number(openedOn.slice(0, 4));
    const label = caseLabel(livc.code, year, await store.nextLabelNumber(db, livc.id, year));
    const id = newId();
    const at = nowIso();
    const identity = input.identity?.fullName.trim() ? input.identity : null;
    await store.insertCase(db, {
      id,
      livc_id: livc.id,
      source_report_id: input.reportId,
      subject_index: identity ? await pd.subjectIndexOf(ctx, identity.fullName, identity.dateOfBirth) : (input.subjectIndex ?? null),
      minor: input.minor ? 1 : 0,
      status: "active",
      opened_at: at,
      opened_by: who.actor?.userId ?? null,
      retention_until: null,
      label,
      label_search: label.toLowerCase(),
      identity_enc: identity ? await pd.seal(ctx, who, { table: "case_file", column: "identity_enc", rowId: id, livcId: livc.id }, JSON.stringify(identity), { db }) : null,
      screening_decision: input.screeningDecision,
      opened_on: openedOn,
      closed_on: null,
      closure_reason: null,
      closure_note_enc: null,
      next_review_on: null,
      legal_hold_reason_enc: null,
      legal_hold_at: null,
      legal_hold_by: null,
      purged_at: null,
      updated_at: at,
    });
    await store.insertEvent(db, { case_id: id, actor_id: who.actor?.userId ?? null, kind: "opened", from_status: null, to_status: "active", reason: input.screeningDecision, consultation_id: null, note_enc: null });
    await pd.record(ctx, who, { type: "case", id, livcId: livc.id }, "case.open", "success", { db });
    return { id, label };
  };
  if (opts.db?.isTransaction) return run(opts.db);
  return ctx.database.db.transaction().execute(run);
}

/** Why a report cannot join a case (decision 0062). */
export type JoinRefusal = "not_found" | "other_livc" | "not_open" | "not_allowed";

/**
 * A second report about the person of an open case joins that case instead of opening another
 * (decision 0062). Intake checked the screener's rights and calls this in its own transaction
 * (`db`): the case is re-read there, must belong to the report's LIVC, be open (active or in follow-up),
 * and be visible to this actor (need to know, policy.ts). The case gets a content-free timeline entry
 * ("a report was added"; no reference, no reason text) and the audit entry `case.report.join`.
 * Returns the refusal instead of throwing, so intake can answer with a message and roll back.
 */
export async function joinReportToCase(ctx: AppContext, who: AuditWho, input: { caseId: string; livcId: string }, db: Kysely<DB>): Promise<JoinRefusal | null> {
  const c = await store.caseById(db, input.caseId);
  if (!c) return "not_found";
  if (!canSeeCase(await caseGrants(db, who.actor ?? null), c)) {
    // In the caller's transaction (on SQLite another connection would wait for it); intake rolls back on a
    // refusal and records its own denied decision after it.
    await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.report.join", "denied", { db });
    return "not_allowed";
  }
  if (c.livc_id !== input.livcId) return "other_livc";
  if (!OPEN_STATUSES.includes(c.status)) return "not_open";
  await store.insertEvent(db, { case_id: c.id, actor_id: who.actor?.userId ?? null, kind: "report_joined", from_status: null, to_status: null, reason: null, consultation_id: null, note_enc: null });
  await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.report.join", "success", { db });
  return null;
}

/**
 * What other modules do when a case closes, in the close's transaction (decision 0062): intake closes
 * the report(s) the case came from. A listener may return work for after the commit (a mail), which
 * runs best effort once the close is stored. The cases module does not import intake.
 */
export type CaseClosedListener = {
  name: string;
  onClose(ctx: AppContext, db: Kysely<DB>, who: AuditWho, c: { id: string; livcId: string; reason: string }): Promise<(() => Promise<void>) | undefined>;
};
const closeListeners: CaseClosedListener[] = [];

export function onCaseClosed(listener: CaseClosedListener) {
  if (!closeListeners.some((x) => x.name === listener.name)) closeListeners.push(listener);
}

/** Runs every listener in the close's transaction; returns the after-commit work. */
export async function caseClosed(ctx: AppContext, db: Kysely<DB>, who: AuditWho, c: { id: string; livcId: string; reason: string }): Promise<(() => Promise<void>)[]> {
  const after: (() => Promise<void>)[] = [];
  for (const l of closeListeners) {
    const work = await l.onClose(ctx, db, who, c);
    if (work) after.push(work);
  }
  return after;
}
