import type { OpenContext as Open } from "../../cli/shared";
import type { Command } from "commander";
import type { SchakelModule } from "..";
import type { AppContext } from "../../platform/context";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import { seedCasesDemo } from "./demo";
import { casesRoutes } from "./routes";
import { rectifyRoutes } from "./rectify-routes";
import { purgeLogCli } from "./retention-cli";
import { runPurge } from "./service";
import { runActionMailJobs } from "./action-mail";
import { purgeReports, sendDeadlineReminders } from "../intake/service";
import { sendMeetingReminders } from "../meetings/service";
import { runApprovalMailJobs } from "../identity/service";
import { casesConfig } from "./config";
import { sweepExpiredSessions } from "../../platform/auth/session";
import { sweepThrottle } from "../../platform/auth/throttle";


/**
 * The one retention run: cases first (a purged case takes its report along, through the purger
 * intake registers), then reports past their own term (intake's purgeReports).
 */
export async function runRetentionPurge(ctx: AppContext, opts: { dryRun?: boolean; today?: string } = {}) {
  const cases = await runPurge(ctx, opts);
  const reports = await purgeReports(ctx, opts);
  // Expired sessions and old login-throttle rows (hashed addresses) go too (decision 0053); a dry run keeps them.
  const sweep = opts.dryRun ? { sessions: 0, throttle: 0 } : { sessions: await sweepExpiredSessions(ctx.database.db, ctx.config), throttle: await sweepThrottle(ctx.database.db) };
  return { cases, reports, sweep };
}

/** Some steps of the daily work failed; the others ran. Names the steps (no personal data). */
export class DailyJobsError extends Error {
  constructor(readonly failures: { step: string; error: unknown }[]) {
    super(`daily steps failed: ${failures.map((f) => f.step).join(", ")}`, { cause: failures[0]?.error });
  }
}

/**
 * The server's daily work: the retention purge (cases and reports), the consultation reminders, and
 * identity's approval mails (the one reminder of a role request still pending after 7 days, decision 0056),
 * the screening deadline reminders (0060) and the action mails (0061). Each step runs even when an earlier
 * one failed (ops audit s8, 13: a failing reminder step had skipped every later one, every day); a failure
 * is thrown after all ran, naming the steps.
 */
export async function runDailyJobs(ctx: AppContext, today = todayInBrussels()) {
  const failures: { step: string; error: unknown }[] = [];
  const step = async <T,>(name: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      failures.push({ step: name, error });
      return undefined as T;
    }
  };
  const retention = await step("purge", () => runRetentionPurge(ctx, { today }));
  const reminders = await step("meeting_reminders", () => sendMeetingReminders(ctx, { today, aheadDays: casesConfig().reminderDays }));
  const approvals = await step("approval_mails", () => runApprovalMailJobs(ctx));
  const screeningReminders = await step("screening_reminders", () => sendDeadlineReminders(ctx, { today })); // decision 0060
  const actionMails = await step("action_mails", () => runActionMailJobs(ctx, today)); // decision 0061
  if (failures.length > 0) throw new DailyJobsError(failures);
  return { purge: retention.cases, reportPurge: retention.reports, reminders, approvals, screeningReminders, actionMails };
}

function casesCli(program: Command, open: Open) {
  program
    .command("purge")
    .description("Retention end: remove identity and free text of closed cases and of reports whose term has passed (legal holds are skipped); every purge is logged")
    .option("--dry-run", "only list what would be purged")
    .option("--date <date>", "treat this day as today (YYYY-MM-DD)")
    .action(async (opts: { dryRun?: boolean; date?: string }) => {
      if (opts.date && !isIsoDate(opts.date)) {
        console.error(`--date must be YYYY-MM-DD (got "${opts.date}")`);
        process.exitCode = 2;
        return;
      }
      const ctx = await open();
      try {
        const { cases: r, reports, sweep } = await runRetentionPurge(ctx, { dryRun: opts.dryRun, today: opts.date });
        const what = (removed: Record<string, number>) => Object.entries(removed).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ") || "nothing left to remove";
        for (const p of r.purged) console.log(`${r.dryRun ? "would purge" : "purged"} ${p.label} (retention until ${p.retentionUntil}): ${what(p.removed)}`);
        for (const h of r.held) console.log(`held ${h.label}: legal hold, not purged`);
        // Reports are named by their random reference only (no personal data).
        for (const p of reports.purged) console.log(`${r.dryRun ? "would purge" : "purged"} report ${p.reference} (retention until ${p.retentionUntil}): ${what(p.removed)}`);
        for (const h of reports.held) console.log(`held report ${h.reference}: its case is on legal hold, not purged`);
        // Changed after this run read its candidates (a legal hold, a reopen, a join, another run): left alone (decision 0065).
        for (const c of r.skipped) console.log(`skipped ${c.label}: changed meanwhile (legal hold, reopened or purged by another run), not purged`);
        for (const x of reports.skipped) console.log(`skipped report ${x.reference}: changed meanwhile, not purged`);
        console.log(`${r.dryRun ? "Dry run: " : ""}${r.purged.length} case(s) ${r.dryRun ? "to purge" : "purged"}, ${r.held.length} on legal hold.`);
        console.log(
          `${r.dryRun ? "Dry run: " : ""}${reports.purged.length} report(s) ${r.dryRun ? "to purge" : "purged"}, ${reports.held.length} held by a case's legal hold, ${reports.withCase} kept with their case.`,
        );
        // Drafts are named by their random reference only, like reports.
        for (const d of reports.drafts) console.log(`${r.dryRun ? "would erase" : "erased"} draft ${d.reference} (last saved ${d.lastSaved.slice(0, 10)})`);
        console.log(`${r.dryRun ? "Dry run: " : ""}${reports.drafts.length} draft(s) ${r.dryRun ? "to erase" : "erased"}.`);
        if (!r.dryRun) console.log(`Swept ${sweep.sessions} expired session(s) and ${sweep.throttle} old login-throttle row(s).`);
      } finally {
        await ctx.close();
      }
    });

  const meetings = program.commands.find((c) => c.name() === "meetings") ?? program.command("meetings").description("Case consultations");
  meetings
    .command("remind")
    .description("Send the e-mail reminders (no personal data) for consultations planned in the next days")
    .option("--date <date>", "treat this day as today (YYYY-MM-DD)")
    .action(async (opts: { date?: string }) => {
      const ctx = await open();
      try {
        const r = await sendMeetingReminders(ctx, { today: opts.date, aheadDays: casesConfig().reminderDays });
        console.log(r.configured ? `Reminded ${r.meetings} consultation(s): ${r.sent} mail(s) sent, ${r.failed} failed.` : "SMTP_URL is not set: no reminders sent.");
      } finally {
        await ctx.close();
      }
    });
}

/** Cases: the case file, its status workflow, follow-up plan, feedback form, retention and subject access. */
export const casesModule: SchakelModule = {
  name: "cases",
  routes(app, ctx) {
    casesRoutes(app, ctx);
    rectifyRoutes(app, ctx);
    // A bad SCHAKEL_MEETING_REMINDER_DAYS, _ACTION_REMINDER_DAYS or _POST_CLOSURE_REVIEW_MONTHS stops the
    // server at start, naming the variable, instead of failing the daily jobs later (ops audit s8, 9).
    casesConfig();
  },
  daily: (ctx, today) => runDailyJobs(ctx, today),
  cli(program, open) {
    casesCli(program, open);
    purgeLogCli(program, open);
  },
  seedDemo: seedCasesDemo,
};
