import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { addDays } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { subjectAccessExport } from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { addMembership } from "../registry/service";
import { emptyForm } from "./schema";
import { decide, fileReport, livcQueue, openForScreening, purgeReports, reporterView } from "./service";
import * as store from "./store";
import { addSupplement, withdrawReport } from "./supplement";
import { expectSealed } from "../../../test/support/sealed";

/**
 * A reporter adds to, or withdraws, a report they submitted (decision 0048): only the own reporter
 * (another reporter and the screener get "not found", audited as denied); the supplement is read by
 * the screeners through the personal-data door (audited) and alerts them in the app; withdrawal
 * only before a decision, out of the queue; "wrong person" erased at once, otherwise the normal term.
 */
describeEachDialect("report supplement and withdrawal", (ctx) => {
  let livc: string;
  let reporter: Actor;
  let otherReporter: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let chair: Actor;
  const db = () => ctx().database.db;
  const file = async (observation = "Zag iets op school") => {
    const made = await fileReport(
      ctx(),
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Fictieve Aanvulling", subject_birth_date: "2004-05-06", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation, reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    return (await store.reportByReference(db(), made.reference))!;
  };
  const audits = (actorId: string, action: string) => db().selectFrom("audit_entry").select(["outcome", "resource_id"]).where("actor_id", "=", actorId).where("action", "=", action).execute();
  // The alerts the supplement and the withdrawal raise (the "new report" alert at submission is decision 0060's, tested there).
  const alerts = (userId: string, reportId: string) =>
    db().selectFrom("intake_alert").select("kind").where("user_id", "=", userId).where("report_id", "=", reportId).where("kind", "!=", "new_report").orderBy("created_at").execute();
  const supplement = (by: Actor, reference: string, observation = "Sindsdien deelde hij filmpjes in de klasgroep.", signals: string[] = []) =>
    addSupplement(ctx(), { actor: by }, reference, { observation, signals });

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const org = await makeOrganisation(ctx(), "CLB", "clb");
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter", organisationId: org }]);
    otherReporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter", organisationId: org }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer" }]);
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
  }, 60_000);

  it("only the report's own reporter may add: another reporter and the screener get not_found, audited as denied", async () => {
    const r = await file();
    expect(await supplement(otherReporter, r.reference)).toEqual({ kind: "not_found" });
    expect(await supplement(coordinator, r.reference)).toEqual({ kind: "not_found" });
    expect(await audits(otherReporter.userId, "intake.report.supplement")).toEqual([{ outcome: "denied", resource_id: r.id }]);
    expect(await audits(coordinator.userId, "intake.report.supplement")).toEqual([{ outcome: "denied", resource_id: r.id }]);
    expect(await db().selectFrom("report_supplement").select("id").where("report_id", "=", r.id).execute()).toEqual([]);
    expect(await supplement(reporter, "M-NOPE-0000")).toEqual({ kind: "not_found" });
  });

  it("an empty or too long supplement, or an unknown signal, is refused and nothing is stored", async () => {
    const r = await file();
    expect(await supplement(reporter, r.reference, "   ")).toEqual({ kind: "errors", errors: [{ field: "observation", code: "required" }] });
    expect(await supplement(reporter, r.reference, "x".repeat(4001))).toMatchObject({ kind: "errors", errors: [{ field: "observation", code: "too_long" }] });
    expect(await supplement(reporter, r.reference, "Feit", ["rumour"])).toEqual({ kind: "errors", errors: [{ field: "signals", code: "invalid" }] });
    expect(await db().selectFrom("report_supplement").select("id").where("report_id", "=", r.id).execute()).toEqual([]);
    expect(await alerts(coordinator.userId, r.id)).toEqual([]);
  });

  it("the supplement is stored encrypted, alerts coordinator and officer (not the chair), and the screener reads it, audited", async () => {
    const r = await file();
    expect(await supplement(reporter, r.reference, "Hij toonde een wapen op zijn telefoon.", ["weapons_interest"])).toEqual({ kind: "ok" });
    const [row] = await db().selectFrom("report_supplement").selectAll().where("report_id", "=", r.id).execute();
    expectSealed(row.content_enc, "Hij toonde een wapen op zijn telefoon.");
    expect(row.author_user_id).toBe(reporter.userId);
    expect(await audits(reporter.userId, "intake.report.supplement")).toEqual([{ outcome: "success", resource_id: r.id }]);
    expect(await alerts(coordinator.userId, r.id)).toEqual([{ kind: "supplement" }]);
    expect(await alerts(officer.userId, r.id)).toEqual([{ kind: "supplement" }]);
    expect(await alerts(chair.userId, r.id)).toEqual([]);
    const view = await openForScreening(ctx(), { actor: officer }, r.id);
    if (view.kind !== "ok") throw new Error(view.kind);
    expect(view.supplements).toEqual([{ id: row.id, at: row.created_at, afterDecision: false, observation: "Hij toonde een wapen op zijn telefoon.", signals: ["weapons_interest"] }]);
    const reads = await db().selectFrom("audit_entry").select(["outcome"]).where("actor_id", "=", officer.userId).where("action", "=", "personal_data.read").where("resource_type", "=", "report_supplement").where("resource_id", "=", row.id).execute();
    expect(reads).toEqual([{ outcome: "allowed" }]);
    // Opening the report marks the officer's alerts read.
    expect(await db().selectFrom("intake_alert").select("read_at").where("user_id", "=", officer.userId).where("report_id", "=", r.id).executeTakeFirstOrThrow()).not.toMatchObject({ read_at: null });
    // Subject access (GDPR art. 15) includes the supplement: it is data about the person too.
    const dpo = await makeActor(ctx(), [], { isDpo: true });
    const exported = (await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Fictieve Aanvulling", dateOfBirth: "2004-05-06" })).records.flatMap((x) => x.rows);
    expect(exported.find((x) => x.reference === r.reference)?.supplements).toContain("Hij toonde een wapen op zijn telefoon. weapons_interest");
    // The reporter's status page lists the date only.
    const status = await reporterView(ctx(), { actor: reporter }, r.reference);
    expect(status).toMatchObject({ status: "received", supplements: [row.created_at], maySupplement: true, mayWithdraw: true, withdrawnReason: null });
  });

  it("after a referral a supplement is new information for the screeners; after closing none is taken", async () => {
    const r = await file();
    expect(await decide(ctx(), { actor: coordinator }, r.id, { transition: "refer", reason: "Past bij het CAW.", referralService: "caw" })).toMatchObject({ kind: "ok" });
    expect(await supplement(reporter, r.reference)).toEqual({ kind: "ok" });
    const view = await openForScreening(ctx(), { actor: coordinator }, r.id);
    if (view.kind !== "ok") throw new Error(view.kind);
    expect(view.supplements.map((s) => s.afterDecision)).toEqual([true]);
    expect(await reporterView(ctx(), { actor: reporter }, r.reference)).toMatchObject({ status: "referred", maySupplement: true, mayWithdraw: false });
    expect(await decide(ctx(), { actor: coordinator }, r.id, { transition: "close", reason: "Opgevolgd.", referralService: "" })).toMatchObject({ kind: "ok" });
    expect(await supplement(reporter, r.reference)).toEqual({ kind: "closed" });
    expect(await db().selectFrom("report_supplement").select("id").where("report_id", "=", r.id).execute()).toHaveLength(1);
  });

  it("withdrawal: only the own reporter, a reason from the list, only before a decision; the report leaves the open queue", async () => {
    const open = async () => {
      const q = await livcQueue(ctx(), coordinator, { filter: "open", page: 1 });
      if (!q || q === "not_found") throw new Error("no queue");
      return q.list.counts;
    };
    const r = await file();
    const before = await open();
    expect(await withdrawReport(ctx(), { actor: otherReporter }, r.reference, "filed_by_mistake")).toEqual({ kind: "not_found" });
    expect(await withdrawReport(ctx(), { actor: coordinator }, r.reference, "filed_by_mistake")).toEqual({ kind: "not_found" });
    expect(await withdrawReport(ctx(), { actor: reporter }, r.reference, "because")).toEqual({ kind: "invalid" });
    expect((await store.reportById(db(), r.id))!.status).toBe("received");
    expect(await withdrawReport(ctx(), { actor: reporter }, r.reference, "filed_by_mistake")).toEqual({ kind: "ok", purged: false });
    const row = (await store.reportById(db(), r.id))!;
    expect(row).toMatchObject({ status: "withdrawn", withdrawn_reason: "filed_by_mistake", purged_at: null, retention_until: r.retention_until });
    expect(row.content_enc).toBe(r.content_enc);
    expect(await open()).toEqual({ open: before.open - 1, decided: before.decided });
    const events = await db().selectFrom("report_event").select(["transition", "from_status", "to_status", "actor_id"]).where("report_id", "=", r.id).orderBy("at").execute();
    expect(events.at(-1)).toEqual({ transition: "withdraw", from_status: "received", to_status: "withdrawn", actor_id: reporter.userId });
    expect(await audits(reporter.userId, "intake.report.withdraw")).toContainEqual({ outcome: "success", resource_id: r.id });
    expect(await alerts(coordinator.userId, r.id)).toEqual([{ kind: "withdrawn" }]);
    expect(await reporterView(ctx(), { actor: reporter }, r.reference)).toMatchObject({ status: "withdrawn", maySupplement: false, mayWithdraw: false, withdrawnReason: "filed_by_mistake" });
    // Withdrawn is final: no second withdrawal, no supplement, no screening decision.
    expect(await withdrawReport(ctx(), { actor: reporter }, r.reference, "other")).toEqual({ kind: "closed" });
    expect(await supplement(reporter, r.reference)).toEqual({ kind: "closed" });
    expect(await decide(ctx(), { actor: coordinator }, r.id, { transition: "no_action", reason: "Geen", referralService: "" })).toMatchObject({ kind: "refused", reason: "wrong_status" });
    // In screening it can still be withdrawn; after a decision it cannot.
    const s = await file();
    expect(await decide(ctx(), { actor: officer }, s.id, { transition: "start_screening", reason: "", referralService: "" })).toMatchObject({ kind: "ok" });
    expect(await withdrawReport(ctx(), { actor: reporter }, s.reference, "wrong_livc")).toEqual({ kind: "ok", purged: false });
    const d = await file();
    expect(await decide(ctx(), { actor: coordinator }, d.id, { transition: "no_action", reason: "Geen zorgen.", referralService: "" })).toMatchObject({ kind: "ok" });
    expect(await withdrawReport(ctx(), { actor: reporter }, d.reference, "filed_by_mistake")).toEqual({ kind: "closed" });
    expect((await store.reportById(db(), d.id))!.status).toBe("no_action");
  });

  it("retention: 'wrong person' erases the report and its supplements at once (purge log); other reasons keep them until the normal term", async () => {
    const wrong = await file();
    expect(await supplement(reporter, wrong.reference)).toEqual({ kind: "ok" });
    expect(await withdrawReport(ctx(), { actor: reporter }, wrong.reference, "wrong_person")).toEqual({ kind: "ok", purged: true });
    const gone = (await store.reportById(db(), wrong.id))!;
    expect(gone).toMatchObject({ status: "withdrawn", content_enc: "", subject_index: null });
    expect(gone.purged_at).not.toBeNull();
    expect(await db().selectFrom("report_supplement").select("content_enc").where("report_id", "=", wrong.id).execute()).toEqual([{ content_enc: "" }]);
    const log = await db().selectFrom("report_purge_log").selectAll().where("report_id", "=", wrong.id).execute();
    expect(log).toHaveLength(1);
    expect(log[0].cause).toBe("withdrawn_wrong_person");
    expect(JSON.parse(log[0].removed)).toMatchObject({ report_content: 1, subject_index: 1, supplements: 1 });
    // The screener opens it from the alert: withdrawn, nothing left to read, no decision possible.
    const view = await openForScreening(ctx(), { actor: coordinator }, wrong.id);
    if (view.kind !== "ok") throw new Error(view.kind);
    expect(view.content.subjectName).toBe("");
    expect(view.supplements.map((s) => s.observation)).toEqual([""]);
    expect(view.transitions).toEqual([]);

    const kept = await file();
    expect(await supplement(reporter, kept.reference)).toEqual({ kind: "ok" });
    expect(await withdrawReport(ctx(), { actor: reporter }, kept.reference, "other")).toEqual({ kind: "ok", purged: false });
    const before = await purgeReports(ctx(), { dryRun: true, today: addDays(kept.retention_until!, -1) });
    expect(before.purged.map((p) => p.reportId)).not.toContain(kept.id);
    const atEnd = await purgeReports(ctx(), { today: kept.retention_until! });
    expect(atEnd.purged.find((p) => p.reportId === kept.id)?.removed).toMatchObject({ report_content: 1, supplements: 1 });
    expect(await db().selectFrom("report_supplement").select("content_enc").where("report_id", "=", kept.id).execute()).toEqual([{ content_enc: "" }]);
  });
});
