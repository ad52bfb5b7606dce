import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import type { AppContext } from "../../platform/context";
import { type Locale, translator } from "../../platform/i18n";
import type { Actor, LivcRole } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { timeline } from "../cases/service";
import { ensureOrganisation } from "../identity/service";
import { updateUser } from "../identity/store";
import { addContactPoint } from "./contacts";
import { emptyForm } from "./schema";
import { newId, nowIso } from "../../platform/db/values";
import { ALERTS_COUNTED, ALERTS_SHOWN } from "./screening";
import { alertsFor, decide, fileReport } from "./service";
import * as store from "./store";
import { addSupplement } from "./supplement";

/**
 * An ordinary report to an LIVC tells its screeners (decision 0060), on a REAL SMTP receiver: an in-app
 * alert and a mail without personal data to the LIVC's active coordinators and information officers, each
 * in their language; never the reporter, the chair, a partner member, another LIVC or a disabled account.
 * A supplement to a report taken up shows on the case's timeline (for the chair), content-free.
 */
describeEachDialect("screeners told of a new report", (base) => {
  const BASE = "https://schakel.example";
  const NAME = "Mehdi Vermeulen";
  const TEXT = "Toonde een mes aan zijn klasgenoten op de speelplaats";
  let smtp: SmtpReceiver;
  let ctx: AppContext;
  let livcX: string;
  let org: string;
  const u: Record<string, TestUser> = {};
  const actorOf = (user: TestUser, roles: { livcId: string; role: LivcRole; organisationId?: string | null }[]): Actor => ({
    userId: user.id, displayName: user.displayName, sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false,
    memberships: roles.map((r) => ({ livcId: r.livcId, role: r.role, organisationId: r.organisationId ?? null })),
  });
  let reporter: Actor;
  let coordAsReporter: Actor;
  const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
  const emails = (...users: TestUser[]) => users.map((x) => x.email).sort();
  const to = (mails: ReadMail[]) => mails.flatMap((m) => m.to).sort();
  const file = async (by: Actor, fields: Partial<ReturnType<typeof emptyForm>> = {}) => {
    const made = await fileReport(
      ctx,
      { actor: by },
      { ...emptyForm(), identity_known: "known", subject_name: NAME, subject_birth_date: "2008-04-05", municipality_nis: "44021", signals: ["threatens_people"], since: "days", person_knows: "no", observation: TEXT, reporter_contact: "0470 99 88 77", ...fields },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    return { ...(await store.reportByReference(ctx.database.db, made.reference))!, reference: made.reference };
  };
  const alertKinds = async (user: TestUser, reportId: string) =>
    (await ctx.database.db.selectFrom("intake_alert").select("kind").where("user_id", "=", user.id).where("report_id", "=", reportId).execute()).map((a) => a.kind);

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = { ...base(), config: { ...base().config, SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE } };
    livcX = await makeTestLivc(ctx.database, {}, livcInput(`SX${Date.now() % 100000}`, "LIVC Scheldeland"), ["44021"]);
    const livcY = await makeTestLivc(ctx.database, {}, livcInput(`SY${Date.now() % 100000}`, "LIVC Kempen"), ["71057"]);
    org = await ensureOrganisation(ctx, { name: `CLB Mail ${Date.now()}`, sector: "clb" });
    const make = async (key: string, roles: { livcId: string; role: LivcRole; organisationId?: string | null }[], language: Locale = "nl") => {
      u[key] = await createUser(ctx, { roles, displayName: `${key} Persoon` });
      if (language !== "nl") await updateUser(ctx.database.db, u[key].id, { language });
    };
    await make("reporter", [{ livcId: livcX, role: "reporter", organisationId: org }]);
    await make("coord", [{ livcId: livcX, role: "coordinator" }]);
    await make("officerFr", [{ livcId: livcX, role: "information_officer" }], "fr");
    await make("officerEn", [{ livcId: livcX, role: "information_officer" }], "en");
    await make("coordOff", [{ livcId: livcX, role: "coordinator" }]);
    await make("chair", [{ livcId: livcX, role: "chair" }]);
    await make("partner", [{ livcId: livcX, role: "partner_member", organisationId: org }]);
    await make("coordY", [{ livcId: livcY, role: "coordinator" }]);
    await make("regional", []);
    await updateUser(ctx.database.db, u.coordOff.id, { status: "disabled" });
    expect(await addContactPoint(ctx, {}, { email: u.regional.email, province: "Vlaams-Brabant" })).toMatchObject({ ok: true });
    reporter = actorOf(u.reporter, [{ livcId: livcX, role: "reporter", organisationId: org }]);
    coordAsReporter = actorOf(u.coord, [{ livcId: livcX, role: "coordinator" }]);
  }, 60_000);
  afterAll(async () => {
    await smtp?.stop();
  });

  it("an ordinary report: alert and mail to the LIVC's active coordinators and officers only, each in their language, no personal data", async () => {
    received();
    const r = await file(reporter);
    const mails = received();
    expect(to(mails)).toEqual(emails(u.coord, u.officerFr, u.officerEn));
    for (const [who, lang] of [[u.coord, "nl"], [u.officerFr, "fr"], [u.officerEn, "en"]] as const) {
      const t = translator(lang);
      const m = mails.find((x) => x.to.includes(who.email))!;
      expect(m.subject).toBe(t("intake.mail.new.subject", { livc: "LIVC Scheldeland" }));
      expect(m.text.trim()).toBe(t("intake.mail.new.body", { livc: "LIVC Scheldeland", url: BASE }));
      expect(m.text).toContain(`${BASE}/screening`);
      expect(await alertKinds(who, r.id)).toEqual(["new_report"]);
    }
    // Nothing about the person, the place, the text, the reporter or the report's reference.
    for (const m of mails) {
      const all = `${m.subject}\n${m.text}`;
      for (const secret of ["Mehdi", "Vermeulen", "Gent", "mes", "klasgenoten", "0470", "2008", r.reference, u.reporter.displayName, u.reporter.email]) expect(all).not.toContain(secret);
    }
    for (const nobody of [u.reporter, u.chair, u.partner, u.coordY, u.coordOff, u.regional]) expect(await alertKinds(nobody, r.id)).toEqual([]);
  });

  it("a screener who files a report is not told about it; the other screeners are", async () => {
    received();
    const r = await file(coordAsReporter);
    expect(to(received())).toEqual(emails(u.officerFr, u.officerEn));
    expect(await alertKinds(u.coord, r.id)).toEqual([]);
    expect(await alertKinds(u.officerFr, r.id)).toEqual(["new_report"]);
  });

  it("danger now: the officers get the danger mail, the coordinator the ordinary one; each person one mail", async () => {
    received();
    const r = await file(reporter, { danger_now: true });
    const mails = received();
    expect(to(mails)).toEqual(emails(u.coord, u.officerFr, u.officerEn));
    expect(mails.find((m) => m.to.includes(u.officerFr.email))!.subject).toBe(translator("fr")("intake.mail.danger.subject"));
    expect(mails.find((m) => m.to.includes(u.coord.email))!.subject).toBe(translator("nl")("intake.mail.new.subject", { livc: "LIVC Scheldeland" }));
    expect(await alertKinds(u.officerEn, r.id)).toEqual(["danger_now"]);
    expect(await alertKinds(u.coord, r.id)).toEqual(["new_report"]);
  });

  it("a report without an LIVC goes to the province's regional contacts, as before (the regional mail)", async () => {
    received();
    const r = await file(reporter, { municipality_nis: "24062" });
    const mails = received();
    expect(to(mails)).toEqual(emails(u.regional));
    expect(mails[0].subject).toBe(translator("nl")("intake.mail.regional.subject"));
    expect(mails[0].text).not.toContain("Leuven");
    expect(await alertKinds(u.regional, r.id)).toEqual(["regional_new"]);
    expect(await alertKinds(u.coord, r.id)).toEqual([]);
  });

  it("the 'new report' alert is no longer shown once the report is decided (by another screener)", async () => {
    const r = await file(reporter);
    const coordinator = actorOf(u.coord, [{ livcId: livcX, role: "coordinator" }]);
    const officer = actorOf(u.officerFr, [{ livcId: livcX, role: "information_officer" }]);
    const shown = async () => (await alertsFor(ctx, coordinator)).items.filter((a) => a.report_id === r.id).map((a) => a.kind);
    expect(await shown()).toEqual(["new_report"]);
    const before = (await alertsFor(ctx, coordinator)).total;
    expect(await decide(ctx, { actor: officer }, r.id, { transition: "no_action", reason: "Geen signalen van radicalisering.", referralService: "" })).toMatchObject({ kind: "ok" });
    expect(await shown()).toEqual([]);
    expect((await alertsFor(ctx, coordinator)).total).toBe(before - 1);
  });

  it("counts unread alerts exactly up to ALERTS_COUNTED and says 'more than' past it (a bounded read however large the backlog)", async () => {
    const r = await file(reporter);
    const coordinator = actorOf(u.coord, [{ livcId: livcX, role: "coordinator" }]);
    const db = ctx.database.db;
    await db.updateTable("intake_alert").set({ read_at: nowIso() }).where("user_id", "=", u.coord.id).where("read_at", "is", null).execute();
    const add = async (n: number) => {
      for (let i = 0; i < n; i += 200) {
        const rows = Array.from({ length: Math.min(200, n - i) }, () => ({ id: newId(), user_id: u.coord.id, report_id: r.id, kind: "danger_now" as const, created_at: nowIso(), read_at: null }));
        await db.insertInto("intake_alert").values(rows).execute();
      }
    };
    await add(ALERTS_COUNTED - 1);
    expect(await alertsFor(ctx, coordinator)).toMatchObject({ total: ALERTS_COUNTED - 1, capped: false });
    await add(1);
    expect(await alertsFor(ctx, coordinator)).toMatchObject({ total: ALERTS_COUNTED, capped: false });
    await add(1);
    const many = await alertsFor(ctx, coordinator);
    expect(many).toMatchObject({ total: ALERTS_COUNTED, capped: true });
    expect(many.items).toHaveLength(ALERTS_SHOWN);
    await db.updateTable("intake_alert").set({ read_at: nowIso() }).where("user_id", "=", u.coord.id).where("read_at", "is", null).execute();
  });

  it("a supplement after take-up: the screeners' alert as before, and a content-free entry on the case's timeline the chair sees", async () => {
    const r = await file(reporter);
    const coordinator = actorOf(u.coord, [{ livcId: livcX, role: "coordinator" }]);
    const chair = actorOf(u.chair, [{ livcId: livcX, role: "chair" }]);
    // Before take-up there is no case: the screeners' alert only.
    expect(await addSupplement(ctx, { actor: reporter }, r.reference, { observation: "Eerst nog dit.", signals: [] })).toEqual({ kind: "ok" });
    expect(await decide(ctx, { actor: coordinator }, r.id, { transition: "take_up", reason: "Bespreken op het overleg.", referralService: "" })).toMatchObject({ kind: "ok" });
    const caseId = (await store.reportById(ctx.database.db, r.id))!.case_id!;
    const entries = async () => (await timeline(ctx, { actor: chair }, caseId)).filter((e) => e.kind === "report_supplemented");
    expect(await entries()).toEqual([]);
    expect(await addSupplement(ctx, { actor: reporter }, r.reference, { observation: "Hij kocht gisteren een tweede mes.", signals: [] })).toEqual({ kind: "ok" });
    const [entry] = await entries();
    expect(entry).toMatchObject({ kind: "report_supplemented", note: null, reason: null });
    const row = await ctx.database.db.selectFrom("case_event").select(["actor_id", "note_enc"]).where("case_id", "=", caseId).where("kind", "=", "report_supplemented").executeTakeFirstOrThrow();
    expect(row).toEqual({ actor_id: null, note_enc: null });
    expect(await alertKinds(u.coord, r.id)).toContain("supplement");
    // As pages show them: the chair reads the entry on the case page; the coordinator's queue lists the new report.
    const fresh = await file(reporter);
    const app = await buildApp(ctx, { logger: false });
    try {
      const chairPage = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: (await login(app, u.chair)).headers() });
      expect(chairPage.statusCode).toBe(200);
      expect(chairPage.body).toContain(translator("nl")("case.ev.report_supplemented"));
      expect(chairPage.body).not.toContain("tweede mes");
      const queue = await app.inject({ method: "GET", url: "/screening", headers: (await login(app, u.coord)).headers() });
      expect(queue.body).toContain(`Nieuwe melding te screenen: ${fresh.reference}`);
      expect(queue.body).not.toContain(`Nieuwe melding te screenen: ${r.reference}`); // decided: no longer waiting
    } finally {
      await app.close();
    }
  });
});
