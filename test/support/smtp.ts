import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** One received mail: the envelope recipients and the raw message (headers + body). */
export type ReceivedMail = { to: string[]; body: string };

export type SmtpReceiver = {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  /** Every mail received so far, in order; clear it with `inbox.length = 0`. */
  inbox: ReceivedMail[];
  stop(): Promise<void>;
};

/** Starts a real SMTP receiver (smtp-server) on a free loopback port, without TLS or AUTH, collecting every mail. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const inbox: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, done) {
      let body = "";
      stream.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      stream.on("end", () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
