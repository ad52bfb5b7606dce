import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { newId, nowIso, shortId, todayInBrussels } from "../../platform/db/values";
import * as pd from "./personal";
import * as store from "./store";
import { checkCaseTransition } from "./workflow";
import { extend } from "../../platform/objects";

/**
 * Retention end. A closed case whose term has passed (SCHAKEL_RETENTION_YEARS from closure,
 * SCHAKEL_RETENTION_MINOR_YEARS for minors) loses its identity and every free text; what stays is
 * the label, dates, status and closure reason code, so anonymous counts survive. A legal hold
 * blocks it. Every purge leaves a log line with WHAT was removed (kinds and counts), never content.
 * Other modules holding case text (meetings: minutes) register a purger so one run covers all.
 */
export interface PurgeOutcome {
  caseId: string;
  label: string;
  retentionUntil: string;
  removed: Record<string, number>;
}

export interface PurgeReport {
  today: string;
  dryRun: boolean;
  purged: PurgeOutcome[];
  held: { caseId: string; label: string }[];
  /** Candidates that changed between the run's read and their turn (a legal hold, a reopen, another run purged them): left alone. */
  skipped: { caseId: string; label: string }[];
}

type Purger = {
  name: string;
  /** How many items this purger would remove for the case. */
  count(ctx: AppContext, caseId: string): Promise<number>;
  /** Removes them inside the purge transaction. */
  purge(ctx: AppContext, db: Parameters<typeof store.blankCaseContent>[0], caseId: string): Promise<void>;
};

const purgers: Purger[] = [];

/** Another module (meetings) adds the case text it holds to the purge. */
export function registerCasePurger(p: Purger) {
  if (!purgers.some((x) => x.name === p.name)) purgers.push(p);
}

export async function runPurge(ctx: AppContext, opts: { dryRun?: boolean; today?: string; who?: AuditWho } = {}): Promise<PurgeReport> {
  const today = opts.today ?? todayInBrussels();
  const dryRun = Boolean(opts.dryRun);
  const who = opts.who ?? {};
  const report: PurgeReport = { today, dryRun, purged: [], held: [], skipped: [] };
  for (const c of await store.purgeCandidates(ctx.database.db, today)) {
    const label = c.label ?? shortId(c.id);
    if (c.legal_hold_at !== null) {
      report.held.push({ caseId: c.id, label });
      continue;
    }
    if (checkCaseTransition("purge", c.status, "system") !== null) continue;
    if (dryRun) {
      report.purged.push({ caseId: c.id, label, retentionUntil: c.retention_until ?? today, removed: await removedOf(ctx, ctx.database.db, c) });
      continue;
    }
    const done = await purgeCase(ctx, c, today, who);
    if (done) report.purged.push(done);
    else report.skipped.push({ caseId: c.id, label });
  }
  return report;
}

type Db = Parameters<typeof store.blankCaseContent>[0];
type CaseRow = Awaited<ReturnType<typeof store.purgeCandidates>>[number];

/** What a purge of this case removes: kinds and counts, never content. `others`: the other modules' counts, read beforehand. */
async function removedOf(ctx: AppContext, db: Db, c: CaseRow, others?: Record<string, number>): Promise<Record<string, number>> {
  const counts = await store.countContent(db, c.id);
  const removed: Record<string, number> = {
    identity: c.identity_enc ? 1 : 0,
    subject_index: c.subject_index ? 1 : 0,
    closure_note: c.closure_note_enc ? 1 : 0,
    report_link: c.source_report_id ? 1 : 0,
    timeline_notes: counts.eventNotes,
    action_descriptions: counts.actionDescriptions,
    feedback_forms: counts.feedbackForms,
  };
  for (const p of purgers) removed[p.name] = others?.[p.name] ?? (await p.count(ctx, c.id));
  return removed;
}

/**
 * Purges ONE candidate (a row the run read, possibly some time ago) in its own transaction; the run
 * calls it for every candidate. The decision is taken again inside the transaction (decision 0065):
 * its first statement claims the case (store.claimCaseForPurge: still closed, still due on `today`,
 * no legal hold). When that changes no row the case is left alone: nothing blanked, no purge-log row,
 * no event, no audit entry; null.
 */
export async function purgeCase(ctx: AppContext, c: CaseRow, today: string, who: AuditWho = {}): Promise<PurgeOutcome | null> {
  const label = c.label ?? shortId(c.id);
  // The other modules count through their own connection, so before the transaction (SQLite has one).
  const others: Record<string, number> = {};
  for (const p of purgers) others[p.name] = await p.count(ctx, c.id);
  return ctx.database.db.transaction().execute(async (trx) => {
    if (!(await store.claimCaseForPurge(trx, c.id, today))) return null;
    // Read again after the claim: the content is still there, and this is what goes.
    const fresh = (await store.caseById(trx, c.id)) ?? c;
    const retentionUntil = fresh.retention_until ?? today;
    const removed = await removedOf(ctx, trx, fresh, others);
    await store.blankCaseContent(trx, c.id);
    for (const p of purgers) await p.purge(ctx, trx, c.id);
    await store.insertEvent(trx, { case_id: c.id, actor_id: null, kind: "purged", from_status: "closed", to_status: "purged", reason: "retention_end", consultation_id: null, note_enc: null });
    await store.insertPurgeLog(trx, { id: newId(), case_id: c.id, label, livc_id: c.livc_id, purged_at: nowIso(), retention_until: retentionUntil, removed: JSON.stringify(removed) });
    await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.purge", "success", { db: trx });
    return { caseId: c.id, label, retentionUntil, removed };
  });
}

export async function purgeLog(ctx: AppContext) {
  return (await store.purgeLog(ctx.database.db)).map((r) => extend(r, { removed: JSON.parse(r.removed) as Record<string, number> }));
}
