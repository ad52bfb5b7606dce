/**
 * E-mail notices about invitations. They carry NO personal data and nothing about the LIVC, the
 * organisation or a case: only "you have a new invitation in Schakel" and a link to log in.
 * Each mail is in the recipient account's language only (decision 0035). Without SMTP_URL no mail
 * is sent (the invitation still appears in Schakel).
 */
import type { Config } from "../../platform/config";
import { mailFailed, mailTransport } from "../../platform/mail";
import { type Locale, translator } from "../../platform/i18n";
import type { MailRecipient } from "../identity/service";

export type NoticeKind = "new" | "reminder";

export function inboxLink(config: Config): string {
  const base = config.SCHAKEL_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  return `${base.replace(/\/+$/, "")}/invitations`;
}

/** The notice in one language: the recipient account's own (decision 0035). */
export function noticeText(kind: NoticeKind, link: string, language: Locale): { subject: string; text: string } {
  const t = translator(language);
  return kind === "new"
    ? { subject: t("partners.mail.new.subject"), text: t("partners.mail.new.body", { link }) }
    : { subject: t("partners.mail.reminder.subject"), text: t("partners.mail.reminder.body", { link }) };
}

/** Sends one notice per recipient, in their language (recipients never see each other). Returns how many were accepted. */
export async function sendNotices(config: Config, recipients: MailRecipient[], kind: NoticeKind): Promise<{ sent: number; failed: number; configured: boolean }> {
  if (!config.SMTP_URL || recipients.length === 0) return { sent: 0, failed: 0, configured: Boolean(config.SMTP_URL) };
  const transport = await mailTransport(config.SMTP_URL);
  let sent = 0;
  let failed = 0;
  for (const { email: to, language } of recipients) {
    const { subject, text } = noticeText(kind, inboxLink(config), language);
    try {
      await transport.sendMail({ from: config.MAIL_FROM, to, subject, text });
      sent++;
    } catch (e) {
      mailFailed(`partners.${kind}`, e);
      failed++;
    }
  }
  return { sent, failed, configured: true };
}
