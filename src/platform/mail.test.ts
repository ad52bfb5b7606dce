import { afterEach, expect, it } from "vitest";
import { mailFailed, setMailLog } from "./mail";

/** Decision 0069: a failed mail is one warning with its kind and codes; the error's message (which may hold the address) never reaches it. */
const lines: { obj: Record<string, unknown>; msg: string }[] = [];
afterEach(() => {
  setMailLog(null);
  lines.length = 0;
});

it("logs the kind, nodemailer's code and the SMTP reply code only", () => {
  setMailLog({ warn: (obj, msg) => void lines.push({ obj, msg }) });
  const rejected = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 <rosa@example.be>: no such user"), { code: "EENVELOPE", responseCode: 550, rejected: ["rosa@example.be"] });
  mailFailed("meetings.reminder", rejected);
  expect(lines).toEqual([{ obj: { mail: "meetings.reminder", code: "EENVELOPE", smtp: 550 }, msg: "mail not sent" }]);
  mailFailed("identity.reset", Object.assign(new Error("x"), { code: "rosa@example.be" }));
  mailFailed("identity.notice", "a string thrown");
  expect(lines.slice(1).map((l) => l.obj)).toEqual([{ mail: "identity.reset", code: "UNKNOWN" }, { mail: "identity.notice", code: "UNKNOWN" }]);
  expect(JSON.stringify(lines)).not.toContain("@");
});

it("without a logger (CLI commands) it is silent and does not throw", () => {
  expect(() => mailFailed("partners.new", new Error("boom"))).not.toThrow();
});
