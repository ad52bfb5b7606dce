import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { readMail } from "../../../test/support/mail";
import { type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { formatDate } from "../../platform/i18n";
import * as cases from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { activeEmailOf } from "../identity/service";
import { addFramework } from "../registry/service";
import { scheduleMeeting, sendMeetingReminders } from "./service";

/** Reminders go to a real SMTP receiver and carry no personal data, no case label, no place. */
describe("meeting reminders (real SMTP receiver)", () => {
  let smtp: SmtpReceiver;
  let inbox: ReceivedMail[] = [];
  let ctx: TestContext;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    inbox = smtp.inbox;
    ctx = await openTestContext("sqlite", { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await smtp?.stop();
  });

  it("reminds the core members and the invited partner once, with a date and a link only", async () => {
    const livc = await makeLivc(ctx, "HERINNER");
    await addFramework(ctx.database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    const clb = await makeOrganisation(ctx, "CLB Geheimstad", "clb");
    const school = await makeOrganisation(ctx, "School Nietuitgenodigd", "school_secondary");
    const coordinator = await makeActor(ctx, [{ livcId: livc, role: "coordinator" }]);
    const partner = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: clb }]);
    const outsider = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: school }]);
    const c = await cases.openCaseFromScreening(ctx, { actor: coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Rosa Onthulling", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
    const today = todayInBrussels();
    const id = await scheduleMeeting(ctx, { actor: coordinator }, { livcId: livc, heldOn: addDays(today, 2), startsAt: "10:00", place: "Geheime Zaal 7", videoUrl: null, items: [{ caseId: c.id, organisationIds: [clb] }] });
    inbox.length = 0; // the partners module's invitation notice is not what this test is about
    const r = await sendMeetingReminders(ctx, { today, aheadDays: 2 });
    expect(r).toMatchObject({ meetings: 1, sent: 2, failed: 0 });
    const expected = [await activeEmailOf(ctx, coordinator.userId), await activeEmailOf(ctx, partner.userId)].sort();
    expect(inbox.map((m) => m.to[0]).sort()).toEqual(expected);
    expect(inbox.map((m) => m.to[0])).not.toContain(await activeEmailOf(ctx, outsider.userId));
    for (const m of inbox.map(readMail)) {
      // The accounts' language (nl by default): the date as a Dutch reader writes it, with the time.
      expect(m.subject).toBe(`Herinnering: casusoverleg op ${formatDate("nl", addDays(today, 2))}`);
      expect(m.text).toContain(`${formatDate("nl", addDays(today, 2))} om 10:00`);
      expect(m.text).toContain(`https://schakel.example/meetings/${id}`);
      for (const secret of ["Rosa", "Onthulling", c.label, "Geheime Zaal", "Geheimstad", "HERINNER", "Testpersoon"]) expect(`${m.subject}\n${m.text}`).not.toContain(secret);
    }
    // Once only.
    expect((await sendMeetingReminders(ctx, { today, aheadDays: 2 })).meetings).toBe(0);
  });
});
