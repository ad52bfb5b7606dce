import type { AppContext } from "../../platform/context";
import { mailFailed, mailTransport } from "../../platform/mail";
import { formatDate, type Locale, type MessageKey, translator } from "../../platform/i18n";
import { activeRecipients } from "../identity/service";
import { extend } from "../../platform/objects";

/**
 * Notices about reports. In-app alerts are rows in intake_alert (store.ts); e-mails go out only
 * when SMTP_URL is set and NEVER carry personal data: no name, no municipality, no content, just
 * "log in" and, for the reporter, the reference number (random, meaningless outside Schakel).
 * A failed mail never fails the report: the in-app alert is the record that cannot be lost.
 */
async function send(ctx: AppContext, userIds: string[], subject: MessageKey, body: MessageKey, params: Record<string, string> | ((language: Locale) => Record<string, string>)): Promise<number> {
  const url = ctx.config.SMTP_URL;
  if (!url || userIds.length === 0) return 0;
  const base = ctx.config.SCHAKEL_PUBLIC_URL ?? "";
  let sent = 0;
  // Active accounts only, each address once, each mail in that account's language (decision 0035).
  for (const { email: to, language } of await activeRecipients(ctx, userIds)) {
    const t = translator(language);
    const own = typeof params === "function" ? params(language) : params;
    try {
      await (await mailTransport(url)).sendMail({ from: ctx.config.MAIL_FROM, to, subject: t(subject, own), text: t(body, extend(own, { url: base })) });
      sent++;
    } catch (e) {
      // A warning with the kind and the error code, never the address: the alert stays in the app.
      mailFailed(subject.replace(/^intake\.mail\./, "intake.").replace(/\.subject$/, ""), e);
    }
  }
  return sent;
}

/** "Danger now": the LIVC's information officers (or the regional contacts) hear at once. */
export const mailDangerNow = (ctx: AppContext, userIds: string[]) => send(ctx, userIds, "intake.mail.danger.subject", "intake.mail.danger.body", {});

/** A new report in the regional queue. */
export const mailRegionalNew = (ctx: AppContext, userIds: string[]) => send(ctx, userIds, "intake.mail.regional.subject", "intake.mail.regional.body", {});

/** The reporter asked to hear about status changes: the reference only, then "log in". */
export const mailStatusChanged = (ctx: AppContext, reporterUserId: string, reference: string) =>
  send(ctx, [reporterUserId], "intake.mail.status.subject", "intake.mail.status.body", { reference });

/**
 * An ordinary report to an LIVC (decision 0060): its coordinators and information officers hear that
 * a report waits, with the LIVC's name and the link to /screening; no reference, no name, no place.
 */
export const mailNewReport = (ctx: AppContext, userIds: string[], livcName: string) =>
  send(ctx, userIds, "intake.mail.new.subject", "intake.mail.new.body", { livc: livcName });

/**
 * A screening deadline is close or has passed (decision 0060): the LIVC's name (or "the regional
 * queue") and the deadline as a date in each recipient's language; nothing about the report.
 */
export function mailDeadline(ctx: AppContext, userIds: string[], stage: "near" | "passed", target: { livcName: string | null; dueOn: string }) {
  const key = target.livcName === null ? (`${stage}_regional` as const) : stage;
  return send(ctx, userIds, `intake.mail.${key}.subject`, `intake.mail.${key}.body`, (language) => ({ livc: target.livcName ?? "", date: formatDate(language, target.dueOn) }));
}
