import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { formatDate, isLocale, translator } from "../../platform/i18n";
import { mailFailed, mailTransport, publicBaseUrl } from "../../platform/mail";
import { activeRecipients, type MailRecipient, membersOfLivc } from "../identity/service";
import { livcById } from "../registry/service";
import { casesConfig } from "./config";
import { CORE_ROLES } from "./policy";
import * as store from "./store";

/**
 * Action owners are told by mail (decision 0061): once when an action is given to their organisation
 * (also when a lead moves it to another organisation), and ONE reminder SCHAKEL_ACTION_REMINDER_DAYS
 * (default 3) days before the due date. The mail carries no case label, no action text and no names:
 * only the LIVC, the due date and a link to the work list (/cases/work), in each recipient's language.
 * Recipients: the members of the owning organisation in the case's LIVC who can see the case (a core
 * role there, or a partner member holding a grant for the case), active accounts only.
 * Each action is claimed (owner_mailed_at / reminded_at) and the claim audited as a system action in
 * one transaction before anything is sent, so two runs never send the same mail twice; a lost mail
 * undoes nothing (the action stands and is on the work list). Without SMTP_URL nothing is claimed and
 * the mail stays due: the daily job sends it once SMTP works.
 */

/** Who is told about this action: members of the owning organisation in the LIVC who can see the case. */
export async function actionRecipients(ctx: AppContext, a: store.ActionToTell): Promise<MailRecipient[]> {
  const [members, holders] = await Promise.all([membersOfLivc(ctx, a.livc_id), store.activeGrantHolders(ctx.database.db, a.case_id)]);
  const grant = new Set(holders);
  const userIds = members
    .filter((m) => m.organisation_id === a.owner_organisation_id)
    .filter((m) => (CORE_ROLES as readonly string[]).includes(m.role) || (m.role === "partner_member" && grant.has(m.user_id)))
    .map((m) => m.user_id);
  return activeRecipients(ctx, userIds);
}


/** Subject and body in the recipient's language: the LIVC, the due date and the link; nothing about the case. */
export function actionMailText(ctx: AppContext, kind: "assigned" | "reminder", livc: string, dueOn: string, language: string) {
  const lang = isLocale(language) ? language : "nl";
  const t = translator(lang);
  const params = { livc, date: formatDate(lang, dueOn), link: `${publicBaseUrl(ctx.config)}/cases/work` };
  return kind === "assigned"
    ? { subject: t("case.actmail.assigned.subject", params), text: t("case.actmail.assigned.body", params) }
    : { subject: t("case.actmail.reminder.subject", params), text: t("case.actmail.reminder.body", params) };
}

async function claimAndSend(ctx: AppContext, actions: store.ActionToTell[], kind: "assigned" | "reminder") {
  const db = ctx.database.db;
  const column = kind === "assigned" ? "owner_mailed_at" : "reminded_at";
  const action = kind === "assigned" ? "case.plan.action_owner_mailed" : "case.plan.action_reminded";
  let claimed = 0;
  let sent = 0;
  let failed = 0;
  for (const a of actions) {
    const mine = await db.transaction().execute(async (trx) => {
      if (!(await store.claimActionMail(trx, a.id, column))) return false;
      await audit.recordFor(ctx, { actor: null, correlationId: `job.${action}` }, { action, resourceType: "case", resourceId: a.case_id, livcId: a.livc_id, outcome: "success" }, { db: trx });
      return true;
    });
    if (!mine) continue;
    claimed++;
    const livc = (await livcById(db, a.livc_id))?.name ?? "";
    for (const to of await actionRecipients(ctx, a)) {
      try {
        const transport = await mailTransport(ctx.config.SMTP_URL!);
        await transport.sendMail({ from: ctx.config.MAIL_FROM, to: to.email, ...actionMailText(ctx, kind, livc, a.due_on, to.language) });
        sent++;
      } catch (e) {
        mailFailed(`cases.action.${kind}`, e);
        failed++;
      }
    }
  }
  return { actions: claimed, sent, failed, configured: true };
}

/** Tells the owners of every open action not told yet. Routes call it right after a save commits; the daily job catches up. */
export async function mailActionOwners(ctx: AppContext) {
  if (!ctx.config.SMTP_URL) return { actions: 0, sent: 0, failed: 0, configured: false };
  return claimAndSend(ctx, await store.actionsNotMailed(ctx.database.db), "assigned");
}

/** The one reminder for open actions due within `aheadDays` (default SCHAKEL_ACTION_REMINDER_DAYS) from today. */
export async function sendActionReminders(ctx: AppContext, opts: { today?: string; aheadDays?: number } = {}) {
  if (!ctx.config.SMTP_URL) return { actions: 0, sent: 0, failed: 0, configured: false };
  const today = opts.today ?? todayInBrussels();
  return claimAndSend(ctx, await store.actionsToRemind(ctx.database.db, today, addDays(today, opts.aheadDays ?? casesConfig().actionReminderDays)), "reminder");
}

/** The daily work: assignments not told yet (made while SMTP was down, or by a path that did not mail), then the reminders. */
export async function runActionMailJobs(ctx: AppContext, today = todayInBrussels()) {
  const told = await mailActionOwners(ctx);
  const reminded = await sendActionReminders(ctx, { today });
  return { told, reminded };
}
