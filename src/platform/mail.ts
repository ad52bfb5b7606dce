import type { Transporter } from "nodemailer";
import type { Config } from "./config";

/**
 * One SMTP transport per SMTP_URL, shared by every module that sends mail. nodemailer is loaded on the
 * first mail, not at start-up (issue 9: ~65 ms of every start for a feature used minutes later, or never
 * when SMTP_URL is not set).
 */
const transports = new Map<string, Promise<Transporter>>();

export function mailTransport(url: string): Promise<Transporter> {
  let t = transports.get(url);
  if (!t) {
    t = import("nodemailer").then(({ default: nodemailer }) => nodemailer.createTransport(url));
    // A failed load is not kept: the next mail tries again.
    t.catch(() => transports.delete(url));
    transports.set(url, t);
  }
  return t;
}

/** The address links in mails start with: SCHAKEL_PUBLIC_URL, else the server's own host and port; no trailing slash. */
export const publicBaseUrl = (config: Pick<Config, "SCHAKEL_PUBLIC_URL" | "HOST" | "PORT">): string =>
  (config.SCHAKEL_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, "");

/** Where mail failures are logged (pino's object-then-message form). */
export interface MailLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

let mailLog: MailLog | null = null;

/** The server sets its logger at start (web/app.ts); CLI commands report failures in their counts instead. */
export function setMailLog(log: MailLog | null): void {
  mailLog = log;
}

/**
 * A mail that could not be sent (decision 0069, ops audit s8 finding 13): one warning with the kind of mail
 * and the error's code only (nodemailer's ECONNECTION, EAUTH, EENVELOPE... and the SMTP reply code).
 * Never the address, a name, the subject or the error message, which may repeat the address.
 */
export function mailFailed(kind: string, error: unknown): void {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const code = typeof e.code === "string" && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : "UNKNOWN";
  mailLog?.warn({ mail: kind, code, ...(typeof e.responseCode === "number" ? { smtp: e.responseCode } : {}) }, "mail not sent");
}
