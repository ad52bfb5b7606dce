import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/support/auth";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { todayInBrussels, addDays } from "../../platform/db/values";
import { addOrganisationContact, runInvitationJob, sendInvitation } from "./service";
import { auditActions, makeLivc, makeOrg, system } from "./testkit";

/** Invitation notices go to a real SMTP receiver; they name no person, organisation, LIVC or case. */
describe("partners: invitation notices (real SMTP receiver)", () => {
  let smtp: SmtpReceiver;
  let inbox: ReceivedMail[] = [];
  let ctx: TestContext;
  let contact: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    inbox = smtp.inbox;
    ctx = await openTestContext("sqlite", { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
    contact = await createUser(ctx, { displayName: "Fatima Vandenberghe-Testpersoon" });
    other = await createUser(ctx, { displayName: "Joris Tweede-Contact" });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await smtp?.stop();
  });

  it("sends 'you have a new invitation' and a link, one mail per contact, nothing else", async () => {
    const livc = await makeLivc(ctx, "LIVC Zottegem-Geheim", ["44021"]);
    const caw = await makeOrg(ctx, "CAW Vertrouwelijk", "caw");
    await addOrganisationContact(ctx, system, caw, contact.id);
    await addOrganisationContact(ctx, system, caw, other.id);
    const id = await sendInvitation(ctx, system, { livcId: livc, organisationId: caw, kind: "consultation", caseRef: "CASE-4711" });
    expect(inbox).toHaveLength(2);
    expect(inbox.map((m) => m.to).sort()).toEqual([[contact.email], [other.email]].sort());
    for (const m of inbox) {
      expect(m.body).toContain("U hebt een nieuwe uitnodiging in Schakel");
      expect(m.body).toContain("https://schakel.example/invitations");
      for (const secret of ["Fatima", "Vandenberghe", "Joris", "Zottegem", "Vertrouwelijk", "CAW", "CASE-4711", livc, caw, id]) expect(m.body).not.toContain(secret);
      // The other contact's address is never in someone else's mail.
      const otherAddress = m.to[0] === contact.email ? other.email : contact.email;
      expect(m.body).not.toContain(otherAddress);
    }
    expect(await auditActions(ctx, id)).toEqual(["partners.invitation.send", "partners.invitation.notify"]);
  });

  it("the daily job sends one reminder, also without personal data", async () => {
    inbox.length = 0;
    const livc = await makeLivc(ctx, "LIVC Herinnering", ["12025"]);
    const yw = await makeOrg(ctx, "Jeugdhuis Herinnering", "youth_work");
    await addOrganisationContact(ctx, system, yw, contact.id);
    const today = todayInBrussels();
    await sendInvitation(ctx, system, { livcId: livc, organisationId: yw, kind: "structural", termDays: 5 });
    inbox.length = 0;
    const r = await runInvitationJob(ctx, addDays(today, 3), 3);
    expect(r.reminded).toBeGreaterThanOrEqual(1);
    const mine = inbox.filter((m) => m.to.includes(contact.email));
    expect(mine).toHaveLength(1);
    expect(mine[0].body).toContain("Herinnering");
    expect(mine[0].body).not.toMatch(/Jeugdhuis|LIVC Herinnering|Fatima/);
    await runInvitationJob(ctx, addDays(today, 4), 3);
    expect(inbox.filter((m) => m.to.includes(contact.email))).toHaveLength(1);
  });
});
