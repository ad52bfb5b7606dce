import nodemailer, { type Transporter } from "nodemailer";
import type { AppContext } from "../../platform/context";
import { translator } from "../../platform/i18n";
import { LOCALES } from "../../platform/i18n/define";
import { activeEmailOf } from "../identity/service";
import type { MessageKey } from "../../platform/i18n";

/**
 * Notices about reports. In-app alerts are rows in intake_alert (store.ts); e-mails go out only
 * when SMTP_URL is set and NEVER carry personal data: no name, no municipality, no content, just
 * "log in" and, for the reporter, the reference number (random, meaningless outside Schakel).
 * A failed mail never fails the report: the in-app alert is the record that cannot be lost.
 */
const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

/** One mail in Dutch, French and English (we do not store a language per account). */
function trilingual(key: MessageKey, params: Record<string, string>): string {
  return LOCALES.map((l) => translator(l)(key, params)).join("\n\n---\n\n");
}

async function send(ctx: AppContext, userIds: string[], subject: MessageKey, body: MessageKey, params: Record<string, string>): Promise<number> {
  const url = ctx.config.SMTP_URL;
  if (!url || userIds.length === 0) return 0;
  const base = ctx.config.SCHAKEL_PUBLIC_URL ?? "";
  const addresses = (await Promise.all(userIds.map((id) => activeEmailOf(ctx, id)))).filter((a): a is string => Boolean(a));
  let sent = 0;
  for (const to of [...new Set(addresses)]) {
    try {
      await transportFor(url).sendMail({
        from: ctx.config.MAIL_FROM,
        to,
        subject: LOCALES.map((l) => translator(l)(subject)).join(" / "),
        text: trilingual(body, { ...params, url: base }),
      });
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
