import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import type { AppContext } from "../../platform/context";
import { formatDate, type Locale, translator } from "../../platform/i18n";
import type { Actor, LivcRole } from "../../platform/policy/actor";
import { runDailyJobs } from "../cases";
import { updateUser } from "../identity/store";
import { addContactPoint } from "./contacts";
import { emptyForm } from "./schema";
import { decide, fileReport, sendDeadlineReminders } from "./service";
import * as store from "./store";
import { withdrawReport } from "./supplement";

/**
 * Screening deadline reminders (decision 0060), on a REAL SMTP receiver: one when the deadline is two
 * working days away (the LIVC's closing days count), one when it has passed, each once, never after a
 * decision or a withdrawal; to the screeners only, in their language, without personal data; an in-app
 * alert and a system audit entry with each. Deadlines are set on the report, "today" is passed in.
 */
describeEachDialect("screening deadline reminders", (base) => {
  const BASE = "https://schakel.example";
  let smtp: SmtpReceiver;
  let ctx: AppContext;
  let livcX: string;
  const u: Record<string, TestUser> = {};
  let reporter: Actor;
  let coordinator: Actor;
  const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
  const emails = (...users: TestUser[]) => users.map((x) => x.email).sort();
  const to = (mails: ReadMail[]) => mails.flatMap((m) => m.to).sort();
  /** A report filed now whose deadline is then set to `due` (a Brussels date). */
  const reportDue = async (due: string, fields: Partial<ReturnType<typeof emptyForm>> = {}, by?: Actor) => {
    // Each test sees its own reports only: earlier tests' undecided reports are settled first.
    await ctx.database.db.updateTable("report").set({ status: "no_action" }).where("status", "in", ["received", "in_screening"]).execute();
    const made = await fileReport(
      ctx,
      { actor: by ?? reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Lotte Termijn", subject_birth_date: "2007-02-03", municipality_nis: "44021", signals: ["threatens_people"], since: "days", person_knows: "no", observation: "Dreigde op het sportveld", reporter_contact: "0470 12 34 56", ...fields },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    const row = (await store.reportByReference(ctx.database.db, made.reference))!;
    await store.updateReport(ctx.database.db, row.id, { screening_due_on: due });
    received();
    return row;
  };
  const only = (id: string) => async (today: string) => {
    const before = new Set((await ctx.database.db.selectFrom("intake_alert").select("id").execute()).map((a) => a.id));
    const run = await sendDeadlineReminders(ctx, { today });
    const made = (await ctx.database.db.selectFrom("intake_alert").select(["id", "report_id", "kind", "user_id"]).execute()).filter((a) => !before.has(a.id));
    return { run, mine: made.filter((a) => a.report_id === id), mails: received() };
  };
  const reminders = (id: string) =>
    ctx.database.db.selectFrom("audit_entry").select(["action", "actor_id", "correlation_id", "outcome"]).where("resource_id", "=", id).where("action", "like", "intake.report.remind%").execute();

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = { ...base(), config: { ...base().config, SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE } };
    livcX = await makeTestLivc(ctx.database, {}, livcInput(`DX${Date.now() % 100000}`, "LIVC Leiedal"), ["44021"]);
    const livcY = await makeTestLivc(ctx.database, {}, livcInput(`DY${Date.now() % 100000}`, "LIVC Maasland"), ["71057"]);
    const make = async (key: string, roles: { livcId: string; role: LivcRole }[], language: Locale = "nl") => {
      u[key] = await createUser(ctx, { roles, displayName: `${key} Persoon` });
      if (language !== "nl") await updateUser(ctx.database.db, u[key].id, { language });
    };
    await make("reporter", [{ livcId: livcX, role: "reporter" }]);
    await make("coord", [{ livcId: livcX, role: "coordinator" }], "en");
    await make("officer", [{ livcId: livcX, role: "information_officer" }], "fr");
    await make("officerOff", [{ livcId: livcX, role: "information_officer" }]);
    await make("chair", [{ livcId: livcX, role: "chair" }]);
    await make("partner", [{ livcId: livcX, role: "partner_member" }]);
    await make("coordY", [{ livcId: livcY, role: "coordinator" }]);
    await make("regional", []);
    await updateUser(ctx.database.db, u.officerOff.id, { status: "disabled" });
    expect(await addContactPoint(ctx, {}, { email: u.regional.email, province: "Vlaams-Brabant" })).toMatchObject({ ok: true });
    reporter = { userId: u.reporter.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livcX, role: "reporter", organisationId: null }] };
    coordinator = { ...reporter, userId: u.coord.id, memberships: [{ livcId: livcX, role: "coordinator", organisationId: null }] };
  }, 60_000);
  afterAll(async () => {
    await smtp?.stop();
  });

  it("near: once, two working days before the deadline, to the screeners in their language, no personal data; passed: once, the day after", async () => {
    // Deadline Friday 12 March 2027. Tuesday: Wed, Thu, Fri = 3 working days, nothing yet.
    const r = await reportDue("2027-03-12");
    const at = only(r.id);
    expect((await at("2027-03-09")).mine).toEqual([]);
    // Wednesday: Thu, Fri = 2: the near reminder.
    const near = await at("2027-03-10");
    expect(near.mine.map((a) => a.kind)).toEqual(["deadline_near", "deadline_near"]);
    expect(near.mine.map((a) => a.user_id).sort()).toEqual([u.coord.id, u.officer.id].sort());
    expect(to(near.mails)).toEqual(emails(u.coord, u.officer));
    for (const [who, lang] of [[u.coord, "en"], [u.officer, "fr"]] as const) {
      const t = translator(lang);
      const m = near.mails.find((x) => x.to.includes(who.email))!;
      const date = formatDate(lang, "2027-03-12");
      expect(m.subject).toBe(t("intake.mail.near.subject", { date }));
      expect(m.text.trim()).toBe(t("intake.mail.near.body", { livc: "LIVC Leiedal", date, url: BASE }));
    }
    for (const m of near.mails) for (const secret of ["Lotte", "Termijn", "Gent", "sportveld", "0470", "2007", r.reference]) expect(`${m.subject}\n${m.text}`).not.toContain(secret);
    // Once: again the same day, the next day and on the deadline itself, nothing.
    for (const day of ["2027-03-10", "2027-03-11", "2027-03-12"]) expect((await at(day)).mine).toEqual([]);
    // Saturday: passed.
    const passed = await at("2027-03-13");
    expect(passed.mine.map((a) => a.kind)).toEqual(["deadline_passed", "deadline_passed"]);
    expect(to(passed.mails)).toEqual(emails(u.coord, u.officer));
    expect(passed.mails.find((m) => m.to.includes(u.officer.email))!.subject).toBe(translator("fr")("intake.mail.passed.subject"));
    for (const day of ["2027-03-13", "2027-03-15", "2027-04-30"]) expect((await at(day)).mine).toEqual([]);
    expect(await reminders(r.id)).toEqual([
      { action: "intake.report.remind_near", actor_id: null, correlation_id: "job.screening_reminders", outcome: "success" },
      { action: "intake.report.remind_passed", actor_id: null, correlation_id: "job.screening_reminders", outcome: "success" },
    ]);
  });

  it("the LIVC's closing day counts: a closed Thursday brings the near reminder forward to Tuesday", async () => {
    const r = await reportDue("2027-04-16"); // Friday
    const at = only(r.id);
    expect((await at("2027-04-13")).mine).toEqual([]); // Wed, Thu, Fri: 3
    await ctx.database.db.insertInto("intake_livc_closing_day").values({ id: `cd-${r.id}`, livc_id: livcX, day: "2027-04-15", description: "Brugdag", created_at: new Date().toISOString(), created_by: null }).execute();
    try {
      expect((await at("2027-04-13")).mine.map((a) => a.kind)).toEqual(["deadline_near", "deadline_near"]); // Wed, Fri: 2
    } finally {
      await ctx.database.db.deleteFrom("intake_livc_closing_day").where("id", "=", `cd-${r.id}`).execute();
    }
  });

  it("a deadline found already passed gets the passed reminder only, not both", async () => {
    const r = await reportDue("2027-05-03");
    const run = await only(r.id)("2027-05-10");
    expect(run.mine.map((a) => a.kind)).toEqual(["deadline_passed", "deadline_passed"]);
    expect(run.mails).toHaveLength(2);
  });

  it("never after a decision or a withdrawal; two runs at once remind once", async () => {
    const decided = await reportDue("2027-06-11");
    expect(await decide(ctx, { actor: coordinator }, decided.id, { transition: "no_action", reason: "Geen signalen.", referralService: "" })).toMatchObject({ kind: "ok" });
    const withdrawn = await reportDue("2027-06-11");
    expect(await withdrawReport(ctx, { actor: reporter }, withdrawn.reference, "filed_by_mistake")).toMatchObject({ kind: "ok" });
    const open = await reportDue("2027-06-11");
    const [a, b] = await Promise.all([sendDeadlineReminders(ctx, { today: "2027-06-10" }), sendDeadlineReminders(ctx, { today: "2027-06-10" })]);
    expect(a.near + b.near).toBeGreaterThanOrEqual(1);
    const kinds = async (id: string) => (await ctx.database.db.selectFrom("intake_alert").select("kind").where("report_id", "=", id).where("kind", "in", ["deadline_near", "deadline_passed"]).execute()).map((x) => x.kind);
    expect(await kinds(open.id)).toEqual(["deadline_near", "deadline_near"]);
    await sendDeadlineReminders(ctx, { today: "2027-06-14" });
    expect(await kinds(decided.id)).toEqual([]);
    expect(await kinds(withdrawn.id)).toEqual([]);
    expect(await reminders(decided.id)).toEqual([]);
    expect((await kinds(open.id)).sort()).toEqual(["deadline_near", "deadline_near", "deadline_passed", "deadline_passed"]);
    received();
  });

  it("a new deadline for the same report (set anew) is reminded again", async () => {
    const r = await reportDue("2027-07-09");
    const at = only(r.id);
    expect((await at("2027-07-08")).mine).toHaveLength(2);
    await store.updateReport(ctx.database.db, r.id, { screening_due_on: "2027-07-23" });
    expect((await at("2027-07-08")).mine).toEqual([]);
    expect((await at("2027-07-21")).mine.map((a) => a.kind)).toEqual(["deadline_near", "deadline_near"]);
  });

  it("a screener who filed the report is not reminded of it; the other screener is", async () => {
    const r = await reportDue("2027-08-13", {}, coordinator);
    const run = await only(r.id)("2027-08-12");
    expect(run.mine.map((a) => a.user_id)).toEqual([u.officer.id]);
    expect(to(run.mails)).toEqual(emails(u.officer));
  });

  it("a regional report reminds the province's regional contacts, with the regional link", async () => {
    const r = await reportDue("2027-09-10", { municipality_nis: "24062" });
    const run = await only(r.id)("2027-09-09");
    expect(run.mine.map((a) => a.user_id)).toEqual([u.regional.id]);
    expect(to(run.mails)).toEqual(emails(u.regional));
    expect(run.mails[0].text).toContain(`${BASE}/screening/regional`);
    expect(run.mails[0].text).not.toContain("Leuven");
  });

  it("the daily job sends them; without SMTP the alert is still made and the reminder counts as sent", async () => {
    const r = await reportDue("2027-10-15");
    const daily = await runDailyJobs(ctx, "2027-10-14");
    expect(daily.screeningReminders.near).toBeGreaterThanOrEqual(1);
    expect(to(received())).toEqual(expect.arrayContaining(emails(u.coord, u.officer)));
    const quiet = await reportDue("2027-11-12");
    const noSmtp = { ...ctx, config: { ...ctx.config, SMTP_URL: undefined } } as AppContext;
    const run = await sendDeadlineReminders(noSmtp, { today: "2027-11-11" });
    expect(run.mailed).toBe(0);
    expect(received()).toEqual([]);
    expect((await ctx.database.db.selectFrom("intake_alert").select("kind").where("report_id", "=", quiet.id).where("kind", "in", ["deadline_near", "deadline_passed"]).execute()).map((a) => a.kind)).toEqual(["deadline_near", "deadline_near"]);
    expect((await store.reportById(ctx.database.db, quiet.id))?.screening_near_reminded_for).toBe("2027-11-12");
    expect(r.id).not.toBe(quiet.id);
  });
});
