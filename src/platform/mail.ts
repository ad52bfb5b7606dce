import type { Transporter } from "nodemailer";

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
