import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { openContext } from "../../platform/bootstrap";
import type { AppContext } from "../../platform/context";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { setMailLog } from "../../platform/mail";
import { buildApp } from "../../platform/web/app";
import * as cases from "../cases/service";
import { makeActor, makeLivc } from "../cases/testing";
import { mailDangerNow } from "../intake/notify";
import { activeEmailOf } from "../identity/service";
import { addFramework } from "../registry/service";
import { scheduleMeeting, sendMeetingReminders } from "./service";

/** Pino's lines as the app writes them, parsed back. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { lines, raw, stream };
}

/**
 * Decision 0069 (ops audit s8, finding 13): a meeting's reminder is claimed before its mails go out, so
 * two runs at once (two instances) send it once; a failed mail is a warning with kind and code only.
 */
describeEachDialect("meeting reminders: claimed, and failures logged", (ctx) => {
  let smtp: SmtpReceiver;
  let closed: string;
  let app: FastifyInstance;
  const log = logLines();
  const withSmtp = (c: AppContext, url: string): AppContext => ({ ...c, config: { ...c.config, SMTP_URL: url, SCHAKEL_PUBLIC_URL: "https://schakel.example" } });

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    const gone = await startSmtpReceiver();
    closed = gone.url;
    await gone.stop(); // nothing listens on this port any more
    // The app's own logger (LOG_LEVEL info) into a stream: buildApp hands it to the mailer.
    app = await buildApp(ctx(), { logStream: log.stream });
  }, 60_000);
  afterAll(async () => {
    setMailLog(null);
    await app?.close();
    await smtp?.stop();
  });

  async function plannedMeeting(c: AppContext) {
    const livc = await makeLivc(c);
    await addFramework(c.database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    const coordinator = await makeActor(c, [{ livcId: livc, role: "coordinator" }]);
    const chair = await makeActor(c, [{ livcId: livc, role: "chair" }]);
    const k = await cases.openCaseFromScreening(c, { actor: coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Rosa Onthulling", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
    const today = todayInBrussels();
    const id = await scheduleMeeting(c, { actor: coordinator }, { livcId: livc, heldOn: addDays(today, 1), startsAt: "10:00", place: "Zaal", videoUrl: null, items: [{ caseId: k.id, organisationIds: [] }] });
    return { id, today, emails: [await activeEmailOf(c, coordinator.userId), await activeEmailOf(c, chair.userId)] };
  }

  it("two runs at once (two connections, as two instances) send each reminder once", async () => {
    const one = withSmtp(ctx(), smtp.url);
    const other = await openContext({ config: one.config });
    try {
      const m = await plannedMeeting(one);
      smtp.inbox.length = 0;
      const runs = await Promise.all([sendMeetingReminders(one, { today: m.today, aheadDays: 2 }), sendMeetingReminders(other, { today: m.today, aheadDays: 2 }), sendMeetingReminders(one, { today: m.today, aheadDays: 2 })]);
      expect(runs.reduce((n, r) => n + r.meetings, 0)).toBe(1);
      const mine = smtp.inbox.filter((x) => m.emails.includes(x.to[0]));
      expect(mine.map((x) => x.to[0]).sort()).toEqual([...m.emails].sort());
      expect((await sendMeetingReminders(one, { today: m.today, aheadDays: 2 })).meetings).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("SMTP unreachable: a warning per mail with the kind and a code, no address; the reminder stays due and goes out once SMTP works", async () => {
    const down = withSmtp(ctx(), closed);
    const m = await plannedMeeting(down);
    log.lines.length = 0;
    log.raw.length = 0;
    const r = await sendMeetingReminders(down, { today: m.today, aheadDays: 2 });
    expect(r).toMatchObject({ sent: 0, failed: 2, meetings: 0 });
    const warnings = log.lines.filter((l) => l.msg === "mail not sent");
    expect(warnings).toHaveLength(2);
    for (const w of warnings) {
      expect(w.level).toBe(40);
      expect(w.mail).toBe("meetings.reminder");
      expect(String(w.code)).toMatch(/^E[A-Z]+$/);
    }
    for (const line of log.raw) {
      expect(line).not.toContain("@");
      for (const secret of [...m.emails, "Rosa", "Herinnering", "casusoverleg"]) expect(line).not.toContain(secret);
    }
    // Nothing went out: the claim was given back, and the next run (SMTP back) sends it.
    smtp.inbox.length = 0;
    const up = withSmtp(ctx(), smtp.url);
    expect((await sendMeetingReminders(up, { today: m.today, aheadDays: 2 })).meetings).toBe(1);
    expect(smtp.inbox.filter((x) => m.emails.includes(x.to[0]))).toHaveLength(2);
  });

  it("intake notices: a failed 'danger now' mail is a warning with its kind, no address", async () => {
    const down = withSmtp(ctx(), closed);
    const livc = await makeLivc(down);
    const officer = await makeActor(down, [{ livcId: livc, role: "information_officer" }]);
    log.lines.length = 0;
    log.raw.length = 0;
    expect(await mailDangerNow(down, [officer.userId])).toBe(0);
    expect(log.lines.filter((l) => l.msg === "mail not sent").map((l) => [l.mail, l.level])).toEqual([["intake.danger", 40]]);
    const email = await activeEmailOf(down, officer.userId);
    for (const line of log.raw) {
      expect(line).not.toContain("@");
      expect(line).not.toContain(String(email));
    }
  });
});
