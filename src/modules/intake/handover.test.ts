import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { makeActor, makeLivc } from "../cases/testing";
import { addMembership } from "../registry/service";
import { extraDaysFor } from "./closing-days";
import { addContactPoint } from "./contacts";
import { handOverReport } from "./handover";
import { openReportContent } from "./personal";
import { emptyForm } from "./schema";
import { decide, fileReport, openForScreening, reporterView } from "./service";
import * as store from "./store";
import { addWorkingDays } from "./working-days";

/**
 * Decision 0062, part 3: an undecided report handed over to another LIVC. The report moves with its
 * document and history, screening starts again there with a new deadline, the receiving screeners are
 * alerted, the sender loses access, the reporter reads "passed on"; one transaction with the audit entry.
 */
describeEachDialect("screening: handing a report over to another LIVC", (ctx) => {
  let livcA: string;
  let livcB: string;
  let reporter: Actor;
  let coordA: Actor;
  let officerA: Actor;
  let coordB: Actor;
  let officerB: Actor;
  let n = 0;
  const db = () => ctx().database.db;
  const who = (actor: Actor) => ({ actor });
  const file = async (name: string) => {
    const made = await fileReport(
      ctx(),
      who(reporter),
      { ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: "2001-02-03", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: `OBS-H-${++n}`, reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    return (await store.reportByReference(db(), made.reference))!;
  };
  const audits = async (action: string, resourceId: string) =>
    (await db().selectFrom("audit_entry").select(["outcome", "actor_id"]).where("action", "=", action).where("resource_id", "=", resourceId).execute()).map((a) => `${a.actor_id}:${a.outcome}`);
  const alerts = async (reportId: string) =>
    (await db().selectFrom("intake_alert").select(["user_id", "kind", "read_at"]).where("report_id", "=", reportId).execute()).map((a) => `${a.user_id}:${a.kind}:${a.read_at ? "read" : "unread"}`).sort();

  beforeAll(async () => {
    livcA = await makeLivc(ctx());
    livcB = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livcA, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    await addMembership(ctx().database, { actor: null }, livcB, { nis: "31005", joined_on: "2019-01-01", left_on: null });
    reporter = await makeActor(ctx(), [{ livcId: livcA, role: "reporter" }]);
    coordA = await makeActor(ctx(), [{ livcId: livcA, role: "coordinator" }]);
    officerA = await makeActor(ctx(), [{ livcId: livcA, role: "information_officer" }]);
    coordB = await makeActor(ctx(), [{ livcId: livcB, role: "coordinator" }]);
    officerB = await makeActor(ctx(), [{ livcId: livcB, role: "information_officer" }]);
  }, 60_000);

  it("moves an undecided report: receiving LIVC, status received, new deadline, history line and handover row (codes only), alerts, audit; the sender loses access, the receiver reads the same document, the reporter reads 'passed on'", async () => {
    const r = await file("Hanne Overdracht");
    expect((await decide(ctx(), who(coordA), r.id, { transition: "start_screening", reason: "", referralService: "" })).kind).toBe("ok");
    const viewA = await openForScreening(ctx(), who(coordA), r.id);
    if (viewA.kind !== "ok") throw new Error(viewA.kind);
    expect(viewA.handoverTargets.map((l) => l.id)).toContain(livcB);
    expect(viewA.handoverTargets.map((l) => l.id)).not.toContain(livcA);

    const today = "2026-11-30";
    expect(await handOverReport(ctx(), who(coordA), r.id, { toLivcId: livcB, reason: "wrong_municipality" }, today)).toMatchObject({ kind: "ok" });
    const row = (await store.reportById(db(), r.id))!;
    expect([row.livc_id, row.regional_queue, row.status, row.decided_at, row.content_enc, row.subject_index]).toEqual([livcB, null, "received", null, r.content_enc, r.subject_index]);
    expect(row.screening_due_on).toBe(addWorkingDays(today, ctx().config.SCHAKEL_SCREENING_WORKING_DAYS, await extraDaysFor(ctx(), livcB)));
    const handovers = await db().selectFrom("report_handover").select(["from_livc_id", "to_livc_id", "reason", "actor_id"]).where("report_id", "=", r.id).execute();
    expect(handovers).toEqual([{ from_livc_id: livcA, to_livc_id: livcB, reason: "wrong_municipality", actor_id: coordA.userId }]);
    const last = (await store.eventsOf(db(), r.id)).at(-1)!;
    expect([last.transition, last.from_status, last.to_status, last.reason_enc]).toEqual(["hand_over.wrong_municipality", "in_screening", "received", null]);
    expect(await alerts(r.id)).toEqual(expect.arrayContaining([`${coordB.userId}:new_report:unread`, `${officerB.userId}:new_report:unread`]));
    expect((await alerts(r.id)).filter((a) => a.endsWith(":unread") && (a.startsWith(coordA.userId) || a.startsWith(officerA.userId)))).toEqual([]);
    expect(await audits("intake.report.hand_over", r.id)).toEqual([`${coordA.userId}:success`]);

    // The sender's screeners may no longer read it (refusal audited); the receiver's read the same document.
    expect((await openForScreening(ctx(), who(officerA), r.id)).kind).toBe("forbidden");
    expect(await audits("intake.screening.read", r.id)).toContain(`${officerA.userId}:denied`);
    const viewB = await openForScreening(ctx(), who(officerB), r.id);
    if (viewB.kind !== "ok") throw new Error(viewB.kind);
    expect(viewB.content.observation).toBe((await openReportContent(ctx(), who(officerB), { id: r.id, livcId: livcB, allowed: true, contentEnc: r.content_enc })).observation);
    expect(viewB.item.dueOn).toBe(row.screening_due_on);
    const status = await reporterView(ctx(), who(reporter), r.reference);
    expect([status?.status, status?.passedOn.length]).toEqual(["received", 1]);
    // The receiving LIVC decides as usual.
    expect((await decide(ctx(), who(coordB), r.id, { transition: "no_action", reason: "Geen zorg.", referralService: "" })).kind).toBe("ok");
  });

  it("refuses a decided report, its own LIVC, an unknown LIVC, a missing reason, a screener of another LIVC and the decision path; nothing moves", async () => {
    const open = await file("Rob Weigering");
    const taken = await file("Tina Beslist");
    expect((await decide(ctx(), who(coordA), taken.id, { transition: "take_up", reason: "Partners nodig.", referralService: "" })).kind).toBe("ok");
    expect(await handOverReport(ctx(), who(coordA), taken.id, { toLivcId: livcB, reason: "other" })).toEqual({ kind: "refused", reason: "wrong_status" });
    expect(await handOverReport(ctx(), who(coordA), open.id, { toLivcId: livcA, reason: "other" })).toEqual({ kind: "invalid", field: "to_livc", code: "same_livc" });
    expect(await handOverReport(ctx(), who(coordA), open.id, { toLivcId: "00000000-0000-4000-8000-000000000000", reason: "other" })).toEqual({ kind: "invalid", field: "to_livc", code: "required" });
    expect(await handOverReport(ctx(), who(coordA), open.id, { toLivcId: livcB, reason: "because I say so" })).toEqual({ kind: "invalid", field: "reason", code: "required" });
    expect(await handOverReport(ctx(), who(coordB), open.id, { toLivcId: livcB, reason: "other" })).toEqual({ kind: "forbidden" });
    expect(await handOverReport(ctx(), who(reporter), open.id, { toLivcId: livcB, reason: "other" })).toEqual({ kind: "forbidden" });
    expect(await decide(ctx(), who(coordA), open.id, { transition: "hand_over", reason: "other", referralService: "" })).toEqual({ kind: "refused", reason: "not_allowed" });
    for (const r of [open, taken]) expect((await store.reportById(db(), r.id))!.livc_id).toBe(livcA);
    expect(await db().selectFrom("report_handover").select("id").where("report_id", "in", [open.id, taken.id]).execute()).toEqual([]);
    expect(await audits("intake.report.hand_over", open.id)).toEqual([`${coordB.userId}:denied`, `${reporter.userId}:denied`]);
  });
});

describeEachDialect("screening: the handover form", (ctx) => {
  let app: FastifyInstance;
  let coordinator: TestUser;
  let s: LoginSession;
  let livcB: string;
  let reportId: string;
  const FORM = { "content-type": "application/x-www-form-urlencoded" };

  beforeAll(async () => {
    const livcA = await makeLivc(ctx());
    livcB = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livcA, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    coordinator = await createUser(ctx(), { roles: [{ livcId: livcA, role: "coordinator" }] });
    const reporter = await makeActor(ctx(), [{ livcId: livcA, role: "reporter" }]);
    const made = await fileReport(
      ctx(),
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Form Persoon", subject_birth_date: "2001-02-03", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "Waarneming", reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    reportId = (await store.reportByReference(ctx().database.db, made.reference))!.id;
    app = await buildApp(ctx(), { logger: false });
    s = await login(app, coordinator);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("shows the form, keeps the choice and links the error when the reason is missing, then hands over and the sender's page answers 403", async () => {
    const page = await app.inject({ method: "GET", url: `/screening/${reportId}`, headers: s.headers() });
    expect(page.body).toContain(`action="/screening/${reportId}/handover"`);
    const post = (body: Record<string, string>) =>
      app.inject({ method: "POST", url: `/screening/${reportId}/handover`, headers: { ...s.headers(), ...FORM }, payload: new URLSearchParams({ ...body, _csrf: s.csrfToken }).toString() });
    const bad = await post({ to_livc: livcB, reason: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#handover_reason"');
    expect(bad.body).toMatch(new RegExp(`<option value="${livcB}" selected`));
    const done = await post({ to_livc: livcB, reason: "person_moved" });
    expect([done.statusCode, done.headers.location]).toEqual([303, `/screening?passed_to=${livcB}`]);
    const queue = await app.inject({ method: "GET", url: String(done.headers.location), headers: s.headers() });
    const nameB = (await ctx().database.db.selectFrom("livc").select("name").where("id", "=", livcB).executeTakeFirstOrThrow()).name;
    expect(queue.body).toContain(`<p class="notice success" role="status">De melding is doorgegeven aan ${nameB}.`);
    expect((await app.inject({ method: "GET", url: `/screening/${reportId}`, headers: s.headers() })).statusCode).toBe(403);
  });
});

/** Decision 0062 with 0060: the receiving LIVC's screeners are told by the same content-free mail as for a new report. */
describeEachDialect("screening: a handover tells the receiving screeners by mail", (base) => {
  let smtp: SmtpReceiver;
  let ctx: ReturnType<typeof base>;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = { ...base(), config: { ...base().config, SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.test" } };
  }, 60_000);
  afterAll(async () => {
    await smtp?.stop();
  });

  it("mails the receiving LIVC's active coordinator and information officer (LIVC name and link only), not the sender's screeners", async () => {
    const livcA = await makeLivc(ctx);
    const livcB = await makeLivc(ctx);
    await addMembership(ctx.database, { actor: null }, livcA, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const reporter = await makeActor(ctx, [{ livcId: livcA, role: "reporter" }]);
    const coordA = await makeActor(ctx, [{ livcId: livcA, role: "coordinator" }]);
    const coordB = await createUser(ctx, { roles: [{ livcId: livcB, role: "coordinator" }] });
    const officerB = await createUser(ctx, { roles: [{ livcId: livcB, role: "information_officer" }] });
    const made = await fileReport(
      ctx,
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Mail Persoon", subject_birth_date: "2001-02-03", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "OBS-MAIL-GEHEIM", reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    const report = (await store.reportByReference(ctx.database.db, made.reference))!;
    smtp.inbox.splice(0);
    const done = await handOverReport(ctx, { actor: coordA }, report.id, { toLivcId: livcB, reason: "person_moved" });
    expect(done.kind).toBe("ok");
    const mails = smtp.inbox.splice(0).map(readMail);
    const nameB = (await ctx.database.db.selectFrom("livc").select("name").where("id", "=", livcB).executeTakeFirstOrThrow()).name;
    expect(mails.flatMap((m) => m.to).sort()).toEqual([coordB.email, officerB.email].sort());
    for (const m of mails) {
      expect(m.subject).toBe(`Schakel: nieuwe melding te screenen in ${nameB}`);
      expect(m.text).toContain("https://schakel.test/screening");
      for (const secret of ["Mail Persoon", "OBS-MAIL-GEHEIM", made.reference, "2001"]) expect(`${m.subject}\n${m.text}`).not.toContain(secret);
    }
  });
  it("a regional contact point hands a regional report over to an LIVC: it leaves the regional queue, B's screeners are told, the contact loses access", async () => {
    const livcB = await makeLivc(ctx);
    const reporter = await makeActor(ctx, [{ livcId: livcB, role: "reporter" }]);
    const contact = await createUser(ctx, {});
    expect(await addContactPoint(ctx, {}, { email: contact.email, province: "Vlaams-Brabant" })).toMatchObject({ ok: true });
    const contactActor: Actor = { userId: contact.id, displayName: contact.displayName, sessionId: "test", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [] };
    const coordB = await createUser(ctx, { roles: [{ livcId: livcB, role: "coordinator" }] });
    // Leuven (24062) belongs to no LIVC here: the report goes to the regional queue of Vlaams-Brabant.
    const made = await fileReport(
      ctx,
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Regio Persoon", subject_birth_date: "2001-02-03", municipality_nis: "24062", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "OBS-REGIO", reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    const before = (await store.reportByReference(ctx.database.db, made.reference))!;
    expect([before.livc_id, before.regional_queue]).toEqual([null, "Vlaams-Brabant"]);
    expect((await openForScreening(ctx, { actor: contactActor }, before.id)).kind).toBe("ok");
    smtp.inbox.splice(0);
    expect((await handOverReport(ctx, { actor: contactActor }, before.id, { toLivcId: livcB, reason: "person_moved" })).kind).toBe("ok");
    const after = (await store.reportByReference(ctx.database.db, made.reference))!;
    expect([after.livc_id, after.regional_queue, after.status]).toEqual([livcB, null, "received"]);
    expect(smtp.inbox.splice(0).map(readMail).flatMap((m) => m.to)).toEqual([coordB.email]);
    expect((await openForScreening(ctx, { actor: contactActor }, before.id)).kind).toBe("forbidden");
  });
});
