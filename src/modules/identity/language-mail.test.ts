import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, type TestUser } from "../../../test/support/auth";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { formatDate, type Locale, type MessageKey, translator } from "../../platform/i18n";
import { buildApp } from "../../platform/web/app";
import * as cases from "../cases/service";
import { makeActor, makeLivc as makeCaseLivc, makeOrganisation } from "../cases/testing";
import { mailDangerNow, mailRegionalNew, mailStatusChanged } from "../intake/notify";
import { sendMeetingReminders } from "../meetings/reminders";
import { scheduleMeeting } from "../meetings/service";
import { addOrganisationContact, runInvitationJob, sendInvitation } from "../partners/service";
import { makeLivc, makeOrg, system } from "../partners/testkit";
import { addFramework } from "../registry/service";
import { updateUser } from "./store";

/**
 * Every mail to an account is in that account's language only (decision 0035), checked as the
 * recipient reads it (decoded) on a REAL SMTP receiver: subject and body are exactly the
 * dictionary's text in that language, so a second language (or the old trilingual mail) fails.
 */
for (const dialect of activeDialects()) {
  describe(`mails in the recipient's language [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let ctx: TestContext;
    let app: FastifyInstance;
    const BASE = "https://schakel.example";

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      ctx = await openTestContext(dialect, { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE });
      app = await buildApp(ctx, { logger: false });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await ctx?.close();
      await smtp?.stop();
    });

    const person = async (language: Locale, displayName: string, opts: Parameters<typeof createUser>[1] = {}) => {
      const user = await createUser(ctx, { ...opts, displayName });
      await updateUser(ctx.database.db, user.id, { language });
      return user;
    };
    const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
    const mailTo = (mails: ReadMail[], user: TestUser) => {
      const mine = mails.filter((m) => m.to.includes(user.email));
      expect(mine, `one mail to ${user.displayName}`).toHaveLength(1);
      return mine[0];
    };
    /** Exactly the dictionary's subject and body in this language: nothing of another language. */
    const expectOnlyIn = (mail: ReadMail, language: Locale, subject: MessageKey, body: MessageKey, params: Record<string, string>) => {
      const t = translator(language);
      expect(mail.subject).toBe(t(subject, params));
      expect(mail.text.trim()).toBe(t(body, params).trim());
    };
    const noNames = (mails: ReadMail[], names: string[]) => {
      for (const m of mails) for (const n of names) expect(`${m.subject}\n${m.text}`).not.toContain(n);
    };

    it("password reset link: a French account gets French only, an English one English, a Dutch one Dutch", async () => {
      const people = { fr: await person("fr", "Amélie Réinitialise"), en: await person("en", "Edward Resetting"), nl: await person("nl", "Nele Herstel") };
      smtp.inbox.length = 0;
      for (const user of Object.values(people)) {
        const jar = new CookieJar();
        const page = await app.inject({ method: "GET", url: "/account/reset" });
        jar.take(page);
        const res = await app.inject({
          method: "POST",
          url: "/account/reset",
          headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
          payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), email: user.email }).toString(),
        });
        expect(res.statusCode).toBe(200);
      }
      const mails = received();
      expect(mails).toHaveLength(3);
      for (const [language, user] of Object.entries(people) as [Locale, TestUser][]) {
        const mail = mailTo(mails, user);
        const link = /https:\/\/schakel\.example\/account\/reset\/new\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
        expect(link).toBeTruthy();
        expectOnlyIn(mail, language, "id.mail.reset.subject", "id.mail.reset.body", { link: link! });
      }
      expect(mailTo(mails, people.fr).subject).toBe("Schakel : nouveau mot de passe");
      expect(mailTo(mails, people.en).subject).toBe("Schakel: new password");
      noNames(mails, ["Amélie", "Edward", "Nele"]);
    });

    it("partner invitation notice and its reminder: each contact in their own language", async () => {
      const fr = await person("fr", "Françoise Contact");
      const en = await person("en", "Emily Contact");
      const livc = await makeLivc(ctx, `LIVC Taal ${dialect}`, ["12025"]);
      const org = await makeOrg(ctx, "CAW Taalgrens", "caw");
      await addOrganisationContact(ctx, system, org, fr.id);
      await addOrganisationContact(ctx, system, org, en.id);
      smtp.inbox.length = 0;
      const today = todayInBrussels();
      await sendInvitation(ctx, system, { livcId: livc, organisationId: org, kind: "structural", termDays: 5 });
      const link = { link: `${BASE}/invitations` };
      let mails = received();
      expectOnlyIn(mailTo(mails, fr), "fr", "partners.mail.new.subject", "partners.mail.new.body", link);
      expectOnlyIn(mailTo(mails, en), "en", "partners.mail.new.subject", "partners.mail.new.body", link);
      expect(mailTo(mails, fr).subject).toBe("Nouvelle invitation dans Schakel");
      noNames(mails, ["Françoise", "Emily", "Taalgrens", "LIVC Taal"]);

      await runInvitationJob(ctx, addDays(today, 3), 3);
      mails = received().filter((m) => m.to.includes(fr.email) || m.to.includes(en.email));
      expectOnlyIn(mailTo(mails, fr), "fr", "partners.mail.reminder.subject", "partners.mail.reminder.body", link);
      expectOnlyIn(mailTo(mails, en), "en", "partners.mail.reminder.subject", "partners.mail.reminder.body", link);
    });

    it("meeting reminder: the date written in each recipient's language", async () => {
      const livc = await makeCaseLivc(ctx);
      await addFramework(ctx.database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
      const clb = await makeOrganisation(ctx, "CLB Taal", "clb");
      const coordinator = await makeActor(ctx, [{ livcId: livc, role: "coordinator" }]);
      const partner = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: clb }]);
      await updateUser(ctx.database.db, coordinator.userId, { language: "fr" });
      await updateUser(ctx.database.db, partner.userId, { language: "en" });
      const c = await cases.openCaseFromScreening(ctx, { actor: coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Rosa Taalgevoelig", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
      const today = todayInBrussels();
      const heldOn = addDays(today, 2);
      const id = await scheduleMeeting(ctx, { actor: coordinator }, { livcId: livc, heldOn, startsAt: "14:30", place: "Zaal Geheim", videoUrl: null, items: [{ caseId: c.id, organisationIds: [clb] }] });
      smtp.inbox.length = 0;
      expect(await sendMeetingReminders(ctx, { today, aheadDays: 2 })).toMatchObject({ meetings: 1, sent: 2, failed: 0 });
      const mails = received();
      const link = `${BASE}/meetings/${id}`;
      for (const [language, userId] of [["fr", coordinator.userId], ["en", partner.userId]] as const) {
        const email = (await ctx.database.db.selectFrom("app_user").select("email").where("id", "=", userId).executeTakeFirstOrThrow()).email;
        const mine = mails.filter((m) => m.to.includes(email));
        expect(mine).toHaveLength(1);
        const date = formatDate(language, heldOn);
        const when = translator(language)("meetings.mail.reminder.at", { date, time: "14:30" });
        expectOnlyIn(mine[0], language, "meetings.mail.reminder.subject", "meetings.mail.reminder.body", { date, when, link });
      }
      expect(mails.find((m) => m.subject.startsWith("Rappel : concertation de cas le"))).toBeTruthy();
      noNames(mails, ["Rosa", "Taalgevoelig", "Zaal Geheim", c.label]);
    });

    it("intake: danger-now, regional and status mails in each recipient's language; inactive accounts get none", async () => {
      const fr = await person("fr", "Fabien Officier");
      const en = await person("en", "Ellen Officer");
      const gone = await person("fr", "Gaston Désactivé");
      await updateUser(ctx.database.db, gone.id, { status: "disabled" });
      const url = { url: BASE };
      smtp.inbox.length = 0;
      expect(await mailDangerNow(ctx, [fr.id, en.id, gone.id, fr.id])).toBe(2);
      let mails = received();
      expect(mails).toHaveLength(2);
      expectOnlyIn(mailTo(mails, fr), "fr", "intake.mail.danger.subject", "intake.mail.danger.body", url);
      expectOnlyIn(mailTo(mails, en), "en", "intake.mail.danger.subject", "intake.mail.danger.body", url);

      expect(await mailRegionalNew(ctx, [en.id])).toBe(1);
      expectOnlyIn(mailTo(received(), en), "en", "intake.mail.regional.subject", "intake.mail.regional.body", url);

      expect(await mailStatusChanged(ctx, fr.id, "M-2026-TAAL")).toBe(1);
      mails = received();
      expectOnlyIn(mailTo(mails, fr), "fr", "intake.mail.status.subject", "intake.mail.status.body", { ...url, reference: "M-2026-TAAL" });
      expect(mailTo(mails, fr).subject).toBe("Schakel : le statut de votre signalement a changé");
      noNames(mails, ["Fabien", "Ellen", "Gaston"]);
    });
  });
}
