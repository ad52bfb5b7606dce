import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import type { AppContext } from "../../platform/context";
import { type Locale, translator } from "../../platform/i18n";
import { buildApp } from "../../platform/web/app";
import { runDailyJobs } from "../cases";
import { mailPendingRequests, REMIND_AFTER_DAYS, sendApprovalReminders } from "./approval-notify";
import { decideRequest, withdrawRequest } from "./approvals";
import { decidePlatformRequest } from "./platform-approvals";
import { requestPlatformRole, requestRole } from "./roles";
import { updateUser } from "./store";

/**
 * The people who may decide a four-eyes request are told by mail (decision 0056), on a REAL SMTP
 * receiver: who gets it and who not, in whose language, without any name or address, one reminder
 * after 7 days and never for a decided or withdrawn request, and a lost mail undoes nothing.
 */
describeEachDialect("approvers told by mail", (base, dialect) => {
  const BASE = "https://schakel.example";
  let smtp: SmtpReceiver;
  let ctx: AppContext;
  let app: FastifyInstance;
  let livcX: string;
  let livcY: string;
  let adminA: TestUser; // the requester
  let adminB: TestUser; // fr
  let adminD: TestUser; // en
  let adminOff: TestUser; // disabled
  let chairX: TestUser;
  let coordX: TestUser; // fr; also the person of a request below
  let officerX: TestUser; // not an approver
  let chairY: TestUser; // chair of ANOTHER LIVC
  let a: LoginSession;
  const everyone = () => [adminA, adminB, adminD, adminOff, chairX, coordX, officerX, chairY];
  const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
  const to = (mails: ReadMail[]) => mails.map((m) => m.to[0]).sort();
  const emails = (...users: TestUser[]) => users.map((u) => u.email).sort();
  const mailOf = (mails: ReadMail[], u: TestUser) => {
    const mine = mails.filter((m) => m.to.includes(u.email));
    expect(mine, `one mail to ${u.displayName}`).toHaveLength(1);
    return mine[0];
  };
  /** No display name and no address of anyone in subject or body. */
  const noPersonalData = (mails: ReadMail[], people: TestUser[]) => {
    for (const m of mails) {
      for (const p of people) {
        expect(`${m.subject}\n${m.text}`).not.toContain(p.displayName);
        expect(`${m.subject}\n${m.text}`).not.toContain(p.email);
      }
    }
  };
  const post = (s: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const who = (u: TestUser) => ({ actor: { userId: u.id, displayName: "", sessionId: "", isAdmin: true, isRegionalAnalyst: false, isDpo: false, memberships: [] } });
  const pendingOf = async (userId: string) =>
    (await base().database.db.selectFrom("membership").select(["id", "approval", "approvers_mailed_at", "approvers_reminded_at"]).where("user_id", "=", userId).where("approval", "=", "pending").execute())[0];
  const reminded = (id: string) => base().database.db.selectFrom("audit_entry").select(["actor_id", "outcome", "correlation_id"]).where("action", "like", "%.remind").where("resource_id", "=", id).execute();
  const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000);

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = { ...base(), config: { ...base().config, SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE } };
    app = await buildApp(ctx, { logger: false });
    livcX = await makeTestLivc(ctx.database, {}, livcInput(`AN${Date.now() % 100000}`, "LIVC Noordkant"));
    livcY = await makeTestLivc(ctx.database, {}, livcInput(`AZ${Date.now() % 100000}`, "LIVC Zuidkant"));
    adminA = await createUser(ctx, { platformRoles: ["admin"], displayName: "Anna Aanvrager" });
    adminB = await createUser(ctx, { platformRoles: ["admin"], displayName: "Benoît Beheerder" });
    adminD = await createUser(ctx, { platformRoles: ["admin"], displayName: "Diana Admin" });
    adminOff = await createUser(ctx, { platformRoles: ["admin"], displayName: "Oscar Uitgeschakeld" });
    chairX = await createUser(ctx, { displayName: "Charlotte Voorzitter", roles: [{ livcId: livcX, role: "chair" }] });
    coordX = await createUser(ctx, { displayName: "Corentin Coördinator", roles: [{ livcId: livcX, role: "coordinator" }] });
    officerX = await createUser(ctx, { displayName: "Ilse Informatie", roles: [{ livcId: livcX, role: "information_officer" }] });
    chairY = await createUser(ctx, { displayName: "Yves Elders", roles: [{ livcId: livcY, role: "chair" }] });
    await updateUser(ctx.database.db, adminB.id, { language: "fr" });
    await updateUser(ctx.database.db, adminD.id, { language: "en" });
    await updateUser(ctx.database.db, coordX.id, { language: "fr" });
    await updateUser(ctx.database.db, adminOff.id, { status: "disabled" });
    a = await login(app, adminA);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  it("an LIVC role request is mailed to the other active administrators and that LIVC's chair and coordinator, each in their language, with no names", async () => {
    smtp.inbox.length = 0;
    const newcomer = await createUser(ctx, { displayName: "Nina Nieuwkomer" });
    const res = await post(a, `/admin/accounts/${newcomer.id}/memberships`, { livc_id: livcX, role: "information_officer", organisation_id: "", valid_from: "", valid_to: "" });
    expect(res.statusCode).toBe(303);
    const mails = received();
    // Not the requester, not the disabled administrator, not the information officer, not the chair of another LIVC.
    expect(to(mails)).toEqual(emails(adminB, adminD, chairX, coordX));
    const t = (l: Locale) => translator(l);
    const expectMail = (m: ReadMail, l: Locale, link: string) => {
      expect(m.subject).toBe(t(l)("lr.mail.subject", { livc: "LIVC Noordkant" }));
      expect(m.text.trim()).toBe(t(l)("lr.mail.body", { livc: "LIVC Noordkant", roles: t(l)("id.role.information_officer"), link }).trim());
    };
    expectMail(mailOf(mails, adminB), "fr", `${BASE}/admin/approvals`);
    expectMail(mailOf(mails, adminD), "en", `${BASE}/admin/approvals`);
    expectMail(mailOf(mails, chairX), "nl", `${BASE}/livc-roles/${livcX}`);
    expectMail(mailOf(mails, coordX), "fr", `${BASE}/livc-roles/${livcX}`);
    noPersonalData(mails, [...everyone(), newcomer]);
    expect((await pendingOf(newcomer.id)).approvers_mailed_at).not.toBeNull();
    // Mailed once: a later run finds nothing new.
    expect(await mailPendingRequests(ctx)).toMatchObject({ requests: 0, sent: 0 });
    expect(received()).toEqual([]);
  });

  it("the person a request is about is not mailed, even when they may otherwise decide (the coordinator asked for as chair)", async () => {
    smtp.inbox.length = 0;
    const res = await post(a, `/admin/accounts/${coordX.id}/memberships`, { livc_id: livcX, role: "chair", organisation_id: "", valid_from: "", valid_to: "" });
    expect(res.statusCode).toBe(303);
    const mails = received();
    expect(to(mails)).toEqual(emails(adminB, adminD, chairX));
    // Tidy: decided, so later tests see only their own requests.
    await decideRequest(ctx, who(adminB), (await pendingOf(coordX.id)).id, { approve: false, reason: "test" });
  });

  it("a platform role request (account page and account creation) is mailed to the other active administrators only; not to the person it is for", async () => {
    smtp.inbox.length = 0;
    // dpo for administrator B: B is the person, A the requester.
    const res = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${adminB.id}/platform-roles`, headers: a.headers({ json: true }), payload: { roles: ["admin", "dpo"] } });
    expect(res.json()).toMatchObject({ roles: ["admin"], requested: ["dpo"] });
    const mails = received();
    expect(to(mails)).toEqual(emails(adminD));
    const en = translator("en");
    expect(mails[0].subject).toBe(en("ap.mail.platform.subject"));
    expect(mails[0].text.trim()).toBe(en("ap.mail.platform.body", { role: en("id.role.dpo"), link: `${BASE}/admin/approvals` }).trim());
    noPersonalData(mails, everyone());

    // A new account asked for as administrator: the request waits, B (fr) and D (en) are told.
    const created = await app.inject({ method: "POST", url: "/api/v1/admin/accounts", headers: a.headers({ json: true }), payload: { display_name: "Nieuwe Beheerder", email: "nieuw.beheer@test.schakel.invalid", roles: ["admin"] } });
    expect(created.statusCode).toBe(201);
    const more = received();
    expect(to(more)).toEqual(emails(adminB, adminD));
    expect(mailOf(more, adminB).subject).toBe(translator("fr")("ap.mail.platform.subject"));
    noPersonalData(more, everyone());
    for (const m of more) expect(m.text).not.toContain("nieuw.beheer");
  });

  it("one reminder after 7 days to the same people, audited as a system action; never for a decided or withdrawn request", async () => {
    const db = ctx.database.db;
    // Earlier requests are settled first, so only this test's requests are due.
    for (const r of await db.selectFrom("membership").select("id").where("approval", "=", "pending").execute()) await decideRequest(ctx, who(adminD), r.id, { approve: false, reason: "test" });
    for (const r of await db.selectFrom("platform_role_request").select("id").where("approval", "=", "pending").execute()) await decidePlatformRequest(ctx, who(adminD), r.id, { approve: false, reason: "test" });
    const [waits, approved, withdrawn] = [await createUser(ctx), await createUser(ctx), await createUser(ctx)];
    const keep = await requestRole(ctx, who(adminA), { userId: waits.id, livcId: livcX, role: "information_officer" });
    const decided = await requestRole(ctx, who(adminA), { userId: approved.id, livcId: livcX, role: "information_officer" });
    const taken = await requestRole(ctx, who(adminA), { userId: withdrawn.id, livcId: livcX, role: "information_officer" });
    const platform = await requestPlatformRole(ctx, who(adminA), waits.id, "dpo");
    await mailPendingRequests(ctx);
    await decideRequest(ctx, who(adminB), decided, { approve: true });
    await withdrawRequest(ctx, who(adminA), taken);
    smtp.inbox.length = 0;

    // Not yet: 6 days on.
    expect(await sendApprovalReminders(ctx, { now: inDays(REMIND_AFTER_DAYS - 1) })).toMatchObject({ requests: 0, sent: 0 });
    expect(received()).toEqual([]);
    // 8 days on: the LIVC request and the platform request, each to its own approvers.
    const r = await sendApprovalReminders(ctx, { now: inDays(REMIND_AFTER_DAYS + 1) });
    expect(r).toMatchObject({ requests: 2, failed: 0, configured: true });
    const mails = received();
    const livcMails = mails.filter((m) => m.text.includes("LIVC Noordkant"));
    const platformMails = mails.filter((m) => !m.text.includes("LIVC Noordkant"));
    expect(to(livcMails)).toEqual(emails(adminB, adminD, chairX, coordX));
    expect(to(platformMails)).toEqual(emails(adminB, adminD));
    const nl = translator("nl");
    const chairMail = mailOf(livcMails, chairX);
    expect(chairMail.subject).toBe(nl("ap.remind.subject", { days: "7" }));
    expect(chairMail.text.trim()).toBe(`${nl("ap.remind.lead", { days: "7" })}\n\n${nl("lr.mail.body", { livc: "LIVC Noordkant", roles: nl("id.role.information_officer"), link: `${BASE}/livc-roles/${livcX}` })}`.trim());
    expect(mailOf(platformMails, adminD).subject).toBe(translator("en")("ap.remind.subject", { days: "7" }));
    noPersonalData(mails, [...everyone(), waits, approved, withdrawn]);
    // The system sent it (no actor), one entry per reminded request; none for the decided or withdrawn one.
    expect(await reminded(keep)).toEqual([{ actor_id: null, outcome: "success", correlation_id: "job.approval_reminders" }]);
    expect(await reminded(platform)).toHaveLength(1);
    expect(await reminded(decided)).toEqual([]);
    expect(await reminded(taken)).toEqual([]);
    // Once: later runs send nothing more.
    expect(await sendApprovalReminders(ctx, { now: inDays(30) })).toMatchObject({ requests: 0, sent: 0 });
    expect(received()).toEqual([]);
    // The request itself is untouched: still pending.
    expect((await pendingOf(waits.id)).id).toBe(keep);
    await decideRequest(ctx, who(adminB), keep, { approve: false, reason: "test" });
    await decidePlatformRequest(ctx, who(adminB), platform, { approve: false, reason: "test" });
  });

  it("the reminder's mark commits with its audit entry: a refused audit entry leaves it due and sends nothing", async () => {
    const person = await createUser(ctx);
    const id = await requestRole(ctx, who(adminA), { userId: person.id, livcId: livcY, role: "coordinator" });
    await mailPendingRequests(ctx);
    smtp.inbox.length = 0;
    const db = ctx.database.db;
    if (dialect === "sqlite") {
      await sql.raw("create trigger refuse_remind before insert on audit_entry for each row when new.action = 'account.membership.remind' begin select raise(abort, 'audit refused'); end").execute(db);
    } else {
      await sql.raw("create or replace function refuse_remind() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db);
      await sql.raw("create trigger refuse_remind before insert on audit_entry for each row when (new.action = 'account.membership.remind') execute function refuse_remind()").execute(db);
    }
    await expect(sendApprovalReminders(ctx, { now: inDays(8) })).rejects.toThrow();
    await sql.raw(dialect === "sqlite" ? "drop trigger refuse_remind" : "drop trigger refuse_remind on audit_entry").execute(db);
    expect((await pendingOf(person.id)).approvers_reminded_at).toBeNull();
    expect(received()).toEqual([]);
    // Still due: the next run sends it (the chair of LIVC Y and the other administrators).
    expect(await sendApprovalReminders(ctx, { now: inDays(8) })).toMatchObject({ requests: 1 });
    expect(to(received())).toEqual(emails(adminB, adminD, chairY));
    await decideRequest(ctx, who(adminB), id, { approve: false, reason: "test" });
  });

  it("a lost mail undoes nothing: the request stays pending when the SMTP server cannot be reached", async () => {
    const broken: AppContext = { ...ctx, config: { ...ctx.config, SMTP_URL: "smtp://127.0.0.1:1" } };
    const brokenApp = await buildApp(broken, { logger: false });
    try {
      const s = await login(brokenApp, adminA);
      const person = await createUser(ctx, { displayName: "Pieter Pending" });
      const res = await brokenApp.inject({ method: "POST", url: `/admin/accounts/${person.id}/memberships`, headers: s.headers({ form: true }), payload: s.form({ livc_id: livcX, role: "information_officer", organisation_id: "", valid_from: "", valid_to: "" }) });
      expect(res.statusCode).toBe(303);
      const row = await pendingOf(person.id);
      expect(row.approval).toBe("pending");
      // Claimed, so it is not sent twice later (best effort: the approvers' pages list it).
      expect(row.approvers_mailed_at).not.toBeNull();
      const audited = await ctx.database.db.selectFrom("audit_entry").select("outcome").where("action", "=", "account.membership.request").where("resource_id", "=", row.id).execute();
      expect(audited).toEqual([{ outcome: "success" }]);
      await decideRequest(ctx, who(adminB), row.id, { approve: false, reason: "test" });
    } finally {
      await brokenApp.close();
    }
  });

  it("a request made while SMTP_URL was not set is mailed by the daily job, once", async () => {
    const person = await createUser(ctx);
    const id = await requestRole(base(), who(adminA), { userId: person.id, livcId: livcY, role: "coordinator" });
    expect(await mailPendingRequests(base())).toMatchObject({ configured: false });
    expect((await pendingOf(person.id)).approvers_mailed_at).toBeNull();
    smtp.inbox.length = 0;
    const daily = await runDailyJobs(ctx);
    expect(daily.approvals.mailed).toMatchObject({ requests: 1, configured: true });
    expect(to(received())).toEqual(emails(adminB, adminD, chairY));
    expect((await runDailyJobs(ctx)).approvals.mailed).toMatchObject({ requests: 0 });
    expect(received()).toEqual([]);
    await decideRequest(ctx, who(adminB), id, { approve: false, reason: "test" });
  });
});
