import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { newId, nowIso, todayInBrussels } from "../../platform/db/values";
import * as pd from "./personal";
import * as store from "./store";
import { checkCaseTransition } from "./workflow";

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
  const report: PurgeReport = { today, dryRun, purged: [], held: [] };
  for (const c of await store.purgeCandidates(ctx.database.db, today)) {
    const label = c.label ?? c.id.slice(0, 8);
    if (c.legal_hold_at !== null) {
      report.held.push({ caseId: c.id, label });
      continue;
    }
    if (checkCaseTransition("purge", c.status, "system") !== null) continue;
    const counts = await store.countContent(ctx.database.db, c.id);
    const removed: Record<string, number> = {
      identity: c.identity_enc ? 1 : 0,
      subject_index: c.subject_index ? 1 : 0,
      closure_note: c.closure_note_enc ? 1 : 0,
      report_link: c.source_report_id ? 1 : 0,
      timeline_notes: counts.eventNotes,
      action_descriptions: counts.actionDescriptions,
      feedback_forms: counts.feedbackForms,
    };
    for (const p of purgers) removed[p.name] = await p.count(ctx, c.id);
    report.purged.push({ caseId: c.id, label, retentionUntil: c.retention_until ?? today, removed });
    if (dryRun) continue;
    await ctx.database.db.transaction().execute(async (trx) => {
      await store.blankCaseContent(trx, c.id);
      for (const p of purgers) await p.purge(ctx, trx, c.id);
      await store.updateCase(trx, c.id, { status: "purged", purged_at: nowIso() });
      await store.insertEvent(trx, { case_id: c.id, actor_id: null, kind: "purged", from_status: c.status, to_status: "purged", reason: "retention_end", consultation_id: null, note_enc: null });
      await store.insertPurgeLog(trx, { id: newId(), case_id: c.id, label, livc_id: c.livc_id, purged_at: nowIso(), retention_until: c.retention_until ?? today, removed: JSON.stringify(removed) });
      await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.purge", "success", { db: trx });
    });
  }
  return report;
}

export async function purgeLog(ctx: AppContext) {
  return (await store.purgeLog(ctx.database.db)).map((r) => ({ ...r, removed: JSON.parse(r.removed) as Record<string, number> }));
}
