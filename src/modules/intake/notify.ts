import type { AppContext } from "../../platform/context";
import { mailTransport } from "../../platform/mail";
import { translator } from "../../platform/i18n";
import { activeRecipients } from "../identity/service";
import type { MessageKey } from "../../platform/i18n";

/**
 * Notices about reports. In-app alerts are rows in intake_alert (store.ts); e-mails go out only
 * when SMTP_URL is set and NEVER carry personal data: no name, no municipality, no content, just
 * "log in" and, for the reporter, the reference number (random, meaningless outside Schakel).
 * A failed mail never fails the report: the in-app alert is the record that cannot be lost.
 */
async function send(ctx: AppContext, userIds: string[], subject: MessageKey, body: MessageKey, params: Record<string, string>): Promise<number> {
  const url = ctx.config.SMTP_URL;
  if (!url || userIds.length === 0) return 0;
  const base = ctx.config.SCHAKEL_PUBLIC_URL ?? "";
  let sent = 0;
  // Active accounts only, each address once, each mail in that account's language (decision 0035).
  for (const { email: to, language } of await activeRecipients(ctx, userIds)) {
    const t = translator(language);
    try {
      await (await mailTransport(url)).sendMail({ from: ctx.config.MAIL_FROM, to, subject: t(subject), text: t(body, { ...params, url: base }) });
      sent++;
    } catch {
      // Deliberately silent about the address: the alert stays in the app.
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
