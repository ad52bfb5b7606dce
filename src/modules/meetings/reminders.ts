import type { AppContext } from "../../platform/context";
import { mailTransport, publicBaseUrl } from "../../platform/mail";
import { addDays, nowIso, todayInBrussels } from "../../platform/db/values";
import { formatDate, type Locale, translator } from "../../platform/i18n";
import { activeRecipients, type MailRecipient, membersOfLivc } from "../identity/service";
import * as store from "./store";

/**
 * Meeting reminders by e-mail. They carry NO personal data and nothing about the cases: only that
 * a consultation is planned on a date, and a link to log in, in the recipient account's language
 * (decision 0035). Without SMTP_URL nothing is sent and the reminder stays due (it is sent once
 * SMTP works).
 */
/** The reminder in one language: the recipient account's own (decision 0035). */
export function reminderText(ctx: AppContext, meeting: { id: string; held_on: string; starts_at: string | null }, language: Locale) {
  const link = `${publicBaseUrl(ctx.config)}/meetings/${meeting.id}`;
  const t = translator(language);
  const date = formatDate(language, meeting.held_on);
  const when = meeting.starts_at ? t("meetings.mail.reminder.at", { date, time: meeting.starts_at }) : date;
  return { subject: t("meetings.mail.reminder.subject", { date }), text: t("meetings.mail.reminder.body", { when, link }) };
}

/** Who gets a reminder: the LIVC's core members and the partner members of invited organisations. */
export async function recipients(ctx: AppContext, meeting: store.MeetingRow): Promise<MailRecipient[]> {
  const invitedOrgs = new Set((await store.servicesOf(ctx.database.db, meeting.id)).map((s) => s.organisation_id));
  const members = await membersOfLivc(ctx, meeting.livc_id, meeting.held_on);
  const userIds = new Set(
    members
      .filter((m) => ["chair", "coordinator", "information_officer"].includes(m.role) || (m.role === "partner_member" && m.organisation_id && invitedOrgs.has(m.organisation_id)))
      .map((m) => m.user_id),
  );
  // Active accounts only, each with its language.
  return activeRecipients(ctx, [...userIds]);
}

/** Sends one reminder per planned meeting within `aheadDays` (default 2). Safe to run more than once. */
export async function sendMeetingReminders(ctx: AppContext, opts: { today?: string; aheadDays?: number } = {}) {
  const today = opts.today ?? todayInBrussels();
  if (!ctx.config.SMTP_URL) return { meetings: 0, sent: 0, failed: 0, configured: false };
  const transport = await mailTransport(ctx.config.SMTP_URL);
  let meetings = 0;
  let sent = 0;
  let failed = 0;
  for (const meeting of await store.meetingsToRemind(ctx.database.db, today, addDays(today, opts.aheadDays ?? 2))) {
    for (const { email: to, language } of await recipients(ctx, meeting)) {
      const { subject, text } = reminderText(ctx, meeting, language);
      try {
        await transport.sendMail({ from: ctx.config.MAIL_FROM, to, subject, text });
        sent++;
      } catch {
        failed++;
      }
    }
    await store.setMeetingColumns(ctx.database.db, meeting.id, { reminder_sent_at: nowIso() });
    meetings++;
  }
  return { meetings, sent, failed, configured: true };
}
