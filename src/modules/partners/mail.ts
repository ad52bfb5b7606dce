/**
 * E-mail notices about invitations. They carry NO personal data and nothing about the LIVC, the
 * organisation or a case: only "you have a new invitation in Schakel" and a link to log in.
 * Without SMTP_URL no mail is sent (the invitation still appears in Schakel).
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../../platform/config";

export type NoticeKind = "new" | "reminder";

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

export function inboxLink(config: Config): string {
  const base = config.SCHAKEL_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  return `${base.replace(/\/+$/, "")}/invitations`;
}

/** The whole notice, in the three languages: the recipient's language is not known to the mailer. */
export function noticeText(kind: NoticeKind, link: string): { subject: string; text: string } {
  if (kind === "new") {
    return {
      subject: "Nieuwe uitnodiging in Schakel / Nouvelle invitation dans Schakel",
      text: [
        "U hebt een nieuwe uitnodiging in Schakel. Meld u aan om ze te bekijken en te beantwoorden:",
        link,
        "",
        "Vous avez une nouvelle invitation dans Schakel. Connectez-vous pour la consulter et y répondre :",
        link,
        "",
        "You have a new invitation in Schakel. Log in to read and answer it:",
        link,
        "",
      ].join("\n"),
    };
  }
  return {
    subject: "Herinnering: uitnodiging in Schakel / Rappel : invitation dans Schakel",
    text: [
      "Een uitnodiging in Schakel wacht nog op uw antwoord en verloopt binnenkort. Meld u aan:",
      link,
      "",
      "Une invitation dans Schakel attend encore votre réponse et expire bientôt. Connectez-vous :",
      link,
      "",
      "An invitation in Schakel is still waiting for your answer and expires soon. Log in:",
      link,
      "",
    ].join("\n"),
  };
}

/** Sends one notice per address (recipients never see each other). Returns how many were accepted. */
export async function sendNotices(config: Config, addresses: string[], kind: NoticeKind): Promise<{ sent: number; failed: number; configured: boolean }> {
  if (!config.SMTP_URL || addresses.length === 0) return { sent: 0, failed: 0, configured: Boolean(config.SMTP_URL) };
  const transport = transportFor(config.SMTP_URL);
  const { subject, text } = noticeText(kind, inboxLink(config));
  let sent = 0;
  let failed = 0;
  for (const to of addresses) {
    try {
      await transport.sendMail({ from: config.MAIL_FROM, to, subject, text });
      sent++;
    } catch {
      failed++;
    }
  }
  return { sent, failed, configured: true };
}
