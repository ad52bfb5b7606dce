import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import type { AppContext } from "../../platform/context";
import type { Actor } from "../../platform/policy/actor";
import { caseIdentityForEdit, caseRow, joinReportToCase, openCaseFromScreening, transitionCase } from "../cases/service";
import { makeActor, makeLivc } from "../cases/testing";
import { addMembership } from "../registry/service";
import { purgeReports } from "./retention";
import { emptyForm } from "./schema";
import { decide, fileReport, openForScreening, reporterView } from "./service";
import * as store from "./store";

/**
 * Decision 0062, parts 1 and 2: a second report about the person of an open case joins that case
 * ("join_case": same LIVC, open, visible, the same person; compare-and-set; case timeline entry and
 * audit in one transaction; linked rectification and retention then treat the report as the case's);
 * closing a case closes its source reports (reason code only, reporter's status mail), reopening does not.
 */
describeEachDialect("screening: a report joins an open case; closing a case closes its reports", (base) => {
  let ctx: AppContext;
  let smtp: SmtpReceiver;
  let livc: string;
  let otherLivc: string;
  let reporter: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let chair: Actor;
  let otherCoordinator: Actor;
  let n = 0;
  const db = () => ctx.database.db;
  const who = (actor: Actor) => ({ actor });
  const mails = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);

  /** A submitted report about `name` (born 2001-02-03) in the first LIVC; notify: the reporter asked for status mails. */
  const file = async (name: string, opts: { notify?: boolean; nis?: string } = {}) => {
    const made = await fileReport(
      ctx,
      who(reporter),
      {
        ...emptyForm(),
        identity_known: "known",
        subject_name: name,
        subject_birth_date: "2001-02-03",
        municipality_nis: opts.nis ?? "44021",
        signals: ["supports_violence"],
        since: "weeks",
        person_knows: "no",
        observation: `OBS-${++n}`,
        reporter_contact: "09 123 45 67",
        notify_status: Boolean(opts.notify),
      },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    return (await store.reportByReference(db(), made.reference))!;
  };
  const takeUp = async (name: string, notify = false) => {
    const r = await file(name, { notify });
    const done = await decide(ctx, who(coordinator), r.id, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
    if (done.kind !== "ok" || !done.caseId) throw new Error(done.kind);
    return { report: r, caseId: done.caseId };
  };
  const join = (actor: Actor, reportId: string, caseId: string | undefined) => decide(ctx, who(actor), reportId, { transition: "join_case", reason: "Zelfde persoon, lopende casus.", referralService: "", caseId });
  const audits = async (action: string, resourceId: string) =>
    (await db().selectFrom("audit_entry").select(["outcome", "actor_id"]).where("action", "=", action).where("resource_id", "=", resourceId).execute()).map((a) => `${a.actor_id}:${a.outcome}`);
  const caseCount = async () => Number((await db().selectFrom("case_file").select((eb) => eb.fn.countAll().as("n")).where("livc_id", "=", livc).executeTakeFirst())?.n);
  const status = async (id: string) => (await store.reportById(db(), id))!.status;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = { ...base(), config: { ...base().config, SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" } };
    livc = await makeLivc(ctx);
    otherLivc = await makeLivc(ctx);
    await addMembership(ctx.database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    await addMembership(ctx.database, { actor: null }, otherLivc, { nis: "31005", joined_on: "2019-01-01", left_on: null });
    reporter = await makeActor(ctx, [{ livcId: livc, role: "reporter" }]);
    coordinator = await makeActor(ctx, [{ livcId: livc, role: "coordinator" }]);
    officer = await makeActor(ctx, [{ livcId: livc, role: "information_officer" }]);
    chair = await makeActor(ctx, [{ livcId: livc, role: "chair" }]);
    otherCoordinator = await makeActor(ctx, [{ livcId: otherLivc, role: "coordinator" }]);
  }, 60_000);
  afterAll(async () => {
    await smtp?.stop();
  });

  it("offers 'add to open case' only with an open case of the same person the screener may see, and then joins it: no new case, a content-free case entry, case link, reporter reads 'taken up', audited", async () => {
    const first = await takeUp("Jonas Joinlaan");
    const second = await file("Jonas Joinlaan");
    const view = await openForScreening(ctx, who(officer), second.id);
    if (view.kind !== "ok") throw new Error(view.kind);
    expect(view.transitions).toContain("join_case");
    expect(view.joinable.map((c) => c.id)).toEqual([first.caseId]);
    // Another person: the choice is not offered at all.
    const stranger = await file("Els Elders");
    const strangerView = await openForScreening(ctx, who(officer), stranger.id);
    if (strangerView.kind !== "ok") throw new Error(strangerView.kind);
    expect(strangerView.transitions).not.toContain("join_case");
    expect(strangerView.joinable).toEqual([]);

    const cases = await caseCount();
    const done = await join(officer, second.id, first.caseId);
    expect(done).toEqual({ kind: "ok", status: "taken_up", caseId: first.caseId });
    expect(await caseCount()).toBe(cases);
    const row = (await store.reportById(db(), second.id))!;
    expect([row.status, row.case_id, row.decided_at !== null]).toEqual(["taken_up", first.caseId, true]);
    const events = await db().selectFrom("case_event").select(["kind", "reason", "note_enc", "actor_id"]).where("case_id", "=", first.caseId).where("kind", "=", "report_joined").execute();
    expect(events).toEqual([{ kind: "report_joined", reason: null, note_enc: null, actor_id: officer.userId }]);
    expect(await audits("intake.decision.join_case", second.id)).toEqual([`${officer.userId}:success`]);
    expect(await audits("case.report.join", first.caseId)).toEqual([`${officer.userId}:success`]);
    expect((await reporterView(ctx, who(reporter), second.reference))?.status).toBe("taken_up");

    // Linked rectification (0050) offers both reports with the case; retention (0053) keeps the joined report with its case.
    const linked = (await caseIdentityForEdit(ctx, who(coordinator), first.caseId)).linked.map((l) => l.id).sort();
    expect(linked).toEqual([first.report.id, second.id].sort());
    const purge = await purgeReports(ctx, { today: "2100-01-01", dryRun: true });
    expect(purge.purged.map((p) => p.reportId)).not.toContain(second.id);
    expect(purge.withCase).toBeGreaterThanOrEqual(2);

    // Compare-and-set: the report is decided now; a second join (or take-up) is refused and changes nothing.
    expect(await join(coordinator, second.id, first.caseId)).toEqual({ kind: "refused", reason: "wrong_status" });
    expect(await audits("intake.decision.join_case", second.id)).toEqual([`${officer.userId}:success`, `${coordinator.userId}:denied`]);
  });

  it("refuses a missing case, a case of another LIVC, another person's case and a closed case, and changes nothing", async () => {
    const open = await takeUp("Mira Meerdere");
    const report = await file("Mira Meerdere");
    expect(await join(coordinator, report.id, undefined)).toEqual({ kind: "invalid", field: "case_id", code: "required" });
    expect(await join(coordinator, report.id, "00000000-0000-4000-8000-000000000000")).toEqual({ kind: "not_joinable", reason: "not_found" });

    // A case of ANOTHER LIVC about the same person (same blind index).
    const elsewhere = await openCaseFromScreening(ctx, who(otherCoordinator), { livcId: otherLivc, reportId: null, minor: false, subjectIndex: report.subject_index, screeningDecision: "take_up" });
    expect(await join(coordinator, report.id, elsewhere.id)).toEqual({ kind: "not_joinable", reason: "other_livc" });
    // A case of this LIVC about someone else.
    const other = await takeUp("Tom Anders");
    expect(await join(coordinator, report.id, other.caseId)).toEqual({ kind: "not_joinable", reason: "other_person" });
    // A closed case of this person: not offered, and refused when posted anyway.
    const closed = await takeUp("Nora Nadien");
    await transitionCase(ctx, who(chair), closed.caseId, "close", { reason: "concern_addressed" });
    const late = await file("Nora Nadien");
    const lateView = await openForScreening(ctx, who(coordinator), late.id);
    if (lateView.kind !== "ok") throw new Error(lateView.kind);
    expect(lateView.transitions).not.toContain("join_case");
    expect(await join(coordinator, late.id, closed.caseId)).toEqual({ kind: "not_joinable", reason: "not_open" });

    for (const r of [report, late]) {
      const row = (await store.reportById(db(), r.id))!;
      expect([row.status, row.case_id]).toEqual(["received", null]);
    }
    expect(await audits("intake.decision.join_case", report.id)).toEqual([`${coordinator.userId}:denied`, `${coordinator.userId}:denied`, `${coordinator.userId}:denied`]);
    expect(await db().selectFrom("case_event").select("id").where("kind", "=", "report_joined").where("case_id", "in", [open.caseId, elsewhere.id, other.caseId, closed.caseId]).execute()).toEqual([]);
  });

  it("in the transaction, the cases module refuses a case that closed meanwhile, one of another LIVC, and one the actor may not see", async () => {
    const c = await takeUp("Ria Race");
    await transitionCase(ctx, who(chair), c.caseId, "close", { reason: "moved_away" });
    const inTrx = (actor: Actor, livcId: string) => db().transaction().execute((trx) => joinReportToCase(ctx, who(actor), { caseId: c.caseId, livcId }, trx));
    expect(await inTrx(coordinator, livc)).toBe("not_open");
    expect(await inTrx(coordinator, otherLivc)).toBe("other_livc");
    expect(await inTrx(otherCoordinator, livc)).toBe("not_allowed");
    expect(await audits("case.report.join", c.caseId)).toEqual([`${otherCoordinator.userId}:denied`]);
  });

  it("a regional contact or the reporter cannot join; the decision form never offers it to them", async () => {
    const c = await takeUp("Pim Plicht");
    const r = await file("Pim Plicht");
    expect(await join(reporter, r.id, c.caseId)).toEqual({ kind: "forbidden" });
    expect(await join(otherCoordinator, r.id, c.caseId)).toEqual({ kind: "forbidden" });
    expect(await status(r.id)).toBe("received");
  });

  it("closing a case closes its taken-up reports in the same transaction (reason code only), mails the reporters who asked, and reopening leaves them closed", async () => {
    const first = await takeUp("Sam Sluiting", true);
    const second = await file("Sam Sluiting", { notify: true });
    expect((await join(coordinator, second.id, first.caseId)).kind).toBe("ok");
    const quiet = await file("Sam Sluiting");
    expect((await join(coordinator, quiet.id, first.caseId)).kind).toBe("ok");
    mails();

    await transitionCase(ctx, who(chair), first.caseId, "close", { reason: "concern_addressed", note: "Vrije tekst bij de casus." });
    for (const r of [first.report, second, quiet]) {
      expect(await status(r.id)).toBe("closed");
      const last = (await store.eventsOf(db(), r.id)).at(-1)!;
      expect([last.transition, last.from_status, last.to_status, last.reason_enc, last.actor_id]).toEqual(["case_closed.concern_addressed", "taken_up", "closed", null, chair.userId]);
      expect(await audits("intake.report.close_with_case", r.id)).toEqual([`${chair.userId}:success`]);
      expect((await reporterView(ctx, who(reporter), r.reference))?.status).toBe("closed");
    }
    // Two reports asked for status mails: two mails, the reference only, never the closure note.
    const sent = mails();
    expect(sent.map((m) => m.to[0]).sort()).toEqual([(await emailOf(reporter)), (await emailOf(reporter))]);
    expect(sent.map((m) => [first.report.reference, second.reference].some((ref) => m.text.includes(ref))).every(Boolean)).toBe(true);
    for (const m of sent) expect(`${m.subject}\n${m.text}`).not.toMatch(/Sam|Sluiting|Vrije tekst|concern/);

    await transitionCase(ctx, who(chair), first.caseId, "reopen", { reason: "Nieuwe zorg." });
    expect((await caseRow(ctx, first.caseId))!.status).toBe("active");
    for (const r of [first.report, second, quiet]) expect(await status(r.id)).toBe("closed");
    expect(mails()).toEqual([]);
  });

  it("a report closed by hand before its case is left as it is; a case closing with no report touches no report", async () => {
    const c = await takeUp("Lea Langs");
    expect((await decide(ctx, who(chair), c.report.id, { transition: "close", reason: "Opgevolgd.", referralService: "" })).kind).toBe("ok");
    const before = (await store.eventsOf(db(), c.report.id)).length;
    await transitionCase(ctx, who(chair), c.caseId, "close", { reason: "other" });
    expect((await store.eventsOf(db(), c.report.id)).length).toBe(before);
    expect(await audits("intake.report.close_with_case", c.report.id)).toEqual([]);
  });

  async function emailOf(actor: Actor) {
    return (await db().selectFrom("app_user").select("email").where("id", "=", actor.userId).executeTakeFirstOrThrow()).email;
  }
});
