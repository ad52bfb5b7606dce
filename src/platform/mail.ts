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
