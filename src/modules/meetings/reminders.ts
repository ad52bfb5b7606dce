import type { AppContext } from "../../platform/context";
import { mailFailed, mailTransport, publicBaseUrl } from "../../platform/mail";
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

/**
 * Claims a meeting's reminder (decision 0069): sets reminder_sent_at only while it is unset and the meeting
 * still planned. One run wins; another run at the same time (a second instance) sees no row changed and skips
 * the meeting. `updated_at` is left alone: a reminder is no change of the meeting (reschedule compares it).
 */
async function claimReminder(ctx: AppContext, meetingId: string, at: string): Promise<boolean> {
  const r = await ctx.database.db
    .withTables<{ consultation: { reminder_sent_at: string | null } }>()
    .updateTable("consultation")
    .set({ reminder_sent_at: at })
    .where("id", "=", meetingId)
    .where("status", "=", "planned")
    .where("reminder_sent_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** When no mail of a claimed reminder went out (SMTP down), the claim is given back so the next run tries again. */
async function releaseReminder(ctx: AppContext, meetingId: string, at: string) {
  await ctx.database.db
    .withTables<{ consultation: { reminder_sent_at: string | null } }>()
    .updateTable("consultation")
    .set({ reminder_sent_at: null })
    .where("id", "=", meetingId)
    .where("reminder_sent_at", "=", at)
    .execute();
}

/**
 * Sends one reminder per planned meeting within `aheadDays` (default 2). Safe to run more than once and
 * on several instances at once: each meeting is claimed before its mails go out (like the action mails),
 * so each reminder is sent once. A failed mail is logged as a warning (kind and code, no address).
 */
export async function sendMeetingReminders(ctx: AppContext, opts: { today?: string; aheadDays?: number } = {}) {
  const today = opts.today ?? todayInBrussels();
  if (!ctx.config.SMTP_URL) return { meetings: 0, sent: 0, failed: 0, configured: false };
  const transport = await mailTransport(ctx.config.SMTP_URL);
  let meetings = 0;
  let sent = 0;
  let failed = 0;
  for (const meeting of await store.meetingsToRemind(ctx.database.db, today, addDays(today, opts.aheadDays ?? 2))) {
    const at = nowIso();
    if (!(await claimReminder(ctx, meeting.id, at))) continue;
    let mine = 0;
    let lost = 0;
    for (const { email: to, language } of await recipients(ctx, meeting)) {
      const { subject, text } = reminderText(ctx, meeting, language);
      try {
        await transport.sendMail({ from: ctx.config.MAIL_FROM, to, subject, text });
        mine++;
      } catch (e) {
        mailFailed("meetings.reminder", e);
        lost++;
      }
    }
    sent += mine;
    failed += lost;
    if (mine === 0 && lost > 0) await releaseReminder(ctx, meeting.id, at);
    else meetings++;
  }
  return { meetings, sent, failed, configured: true };
}
