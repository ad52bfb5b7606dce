import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { bornYearsBefore, todayInBrussels } from "../../platform/db/values";
import { runRetentionPurge } from "../cases";
import { caseRow, purgeLog, setLegalHold, transitionCase } from "../cases/service";
import { makeActor } from "../cases/testing";
import { addMembership, createLivc } from "../registry/service";
import { emptyForm } from "./schema";
import { decide, fileReport, openForScreening, purgeReports, reportPurgeLog } from "./service";

/** Retention end of reports: on their own term, with their case, never under a case's legal hold. */
describeEachDialect("intake: report retention purge", (ctx) => {
  let livc: string;
  let reporter: Actor;
  let coordinator: Actor;
  let chair: Actor;
  const who = (actor: Actor) => ({ actor });

  beforeAll(async () => {
    livc = await createLivc(ctx().database, {}, { code: "RET", name: "LIVC Ret", founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null });
    await addMembership(ctx().database, {}, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
  });

  const db = () => ctx().database.db;
  const row = (id: string) => db().selectFrom("report").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  async function submit(name: string, birthDate: string) {
    const form = { ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: birthDate, municipality_nis: "44021", signals: ["supports_violence"], observation: `OBS-${name}`, since: "weeks", person_knows: "no", reporter_contact: "CONTACT-0470" };
    const r = await fileReport(ctx(), who(reporter), form, "submit");
    if (r.kind !== "submitted") throw new Error(`not submitted: ${JSON.stringify(r)}`);
    return (await db().selectFrom("report").select("id").where("reference", "=", r.reference).executeTakeFirstOrThrow()).id;
  }

  it("purges a report after its term (shorter for a minor), keeps the anonymous facts, and leaves proof without content", async () => {
    // The not-taken-up term (decision 0053) set longer than the general one, so the general term decides here.
    const terms = { draftDays: 30, notTakenUpMonths: 120 };
    const minor = await submit("Nora Minor", bornYearsBefore(todayInBrussels(), 13, "05-06")); // 12 or 13 whenever the test runs
    const adult = await submit("Arne Adult", "1990-05-06");
    expect(await decide(ctx(), who(coordinator), minor, { transition: "no_action", reason: "REASON-secret", referralService: "" })).toMatchObject({ kind: "ok" });
    const minorUntil = (await row(minor)).retention_until!;
    const adultUntil = (await row(adult)).retention_until!;
    expect(minorUntil < adultUntil).toBe(true);

    const dry = await purgeReports(ctx(), { dryRun: true, today: minorUntil, terms });
    expect(dry.purged.map((p) => p.reportId)).toContain(minor);
    expect(dry.purged.map((p) => p.reportId)).not.toContain(adult);
    expect((await row(minor)).purged_at).toBeNull();

    const before = await row(minor);
    const run = await purgeReports(ctx(), { today: minorUntil, terms });
    expect(run.purged.find((p) => p.reportId === minor)?.removed).toEqual({ report_content: 1, subject_index: 1, case_link: 0, decision_reasons: 1, supplements: 0 });
    const after = await row(minor);
    expect(after).toMatchObject({ content_enc: "", subject_index: null, status: "no_action", livc_id: livc, submitted_at: before.submitted_at, decided_at: before.decided_at, minor: 1, municipality_nis: "44021" });
    expect(after.purged_at).toBeTruthy();
    const events = await db().selectFrom("report_event").select(["reason_enc", "transition"]).where("report_id", "=", minor).execute();
    expect(events.map((e) => e.transition)).toEqual(["submit", "no_action"]);
    expect(events.every((e) => e.reason_enc === null)).toBe(true);
    expect((await row(adult)).content_enc).not.toBe("");

    const log = (await reportPurgeLog(ctx())).find((l) => l.report_id === minor)!;
    expect(log).toMatchObject({ cause: "retention_end", livc_id: livc, reference: before.reference, removed: { report_content: 1, decision_reasons: 1 } });
    expect(JSON.stringify(log)).not.toMatch(/Nora|OBS-|CONTACT|REASON/);
    const audit = await db().selectFrom("audit_entry").select(["action", "outcome"]).where("resource_id", "=", minor).where("action", "=", "intake.report.purge").execute();
    expect(audit).toEqual([{ action: "intake.report.purge", outcome: "success" }]);

    // The screening page still opens (facts only), and a second run finds nothing more.
    const view = await openForScreening(ctx(), who(coordinator), minor);
    expect(view.kind === "ok" && view.content.subjectName).toBe("");
    expect(view.kind === "ok" && view.events.every((e) => e.reason === null)).toBe(true);
    expect((await purgeReports(ctx(), { today: minorUntil, terms })).purged.map((p) => p.reportId)).not.toContain(minor);
  });

  it("a report taken up as a case follows the case: kept while it is kept (legal hold included), purged with it", async () => {
    const id = await submit("Cas Follows", "1995-01-02");
    const taken = await decide(ctx(), who(coordinator), id, { transition: "take_up", reason: "Partners needed.", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error("not taken up");
    const caseId = taken.caseId;
    const reportUntil = (await row(id)).retention_until!;

    const open = await purgeReports(ctx(), { today: reportUntil });
    expect(open.purged.map((p) => p.reportId)).not.toContain(id);
    expect(open.withCase).toBeGreaterThanOrEqual(1);

    await transitionCase(ctx(), who(chair), caseId, "close", { reason: "concern_addressed", today: "2026-12-01" });
    const caseUntil = (await caseRow(ctx(), caseId))!.retention_until!;
    await setLegalHold(ctx(), who(chair), caseId, "Gerechtelijk onderzoek");
    const today = [caseUntil, reportUntil].sort().at(-1)!; // the later of two ISO dates
    const held = await runRetentionPurge(ctx(), { today });
    expect(held.cases.held.map((h) => h.caseId)).toContain(caseId);
    expect(held.reports.held.map((h) => h.reportId)).toContain(id);
    expect((await row(id)).content_enc).not.toBe("");

    await setLegalHold(ctx(), who(chair), caseId, null);
    // The dry run lists both: the case (with its report) and nothing changes.
    const dry = await runRetentionPurge(ctx(), { dryRun: true, today });
    expect(dry.cases.purged.find((p) => p.caseId === caseId)?.removed).toMatchObject({ identity: 1, report: 1 });
    expect(dry.reports.held.map((h) => h.reportId)).not.toContain(id);
    expect((await row(id)).purged_at).toBeNull();

    await runRetentionPurge(ctx(), { today });
    expect((await caseRow(ctx(), caseId))?.status).toBe("purged");
    // Closing the case closed its report too (decision 0062); the purge keeps that status.
    expect(await row(id)).toMatchObject({ content_enc: "", subject_index: null, case_id: null, status: "closed" });
    expect((await reportPurgeLog(ctx())).find((l) => l.report_id === id)).toMatchObject({ cause: "case_purged", removed: { report_content: 1, case_link: 1, decision_reasons: 1 } });
    expect((await purgeLog(ctx())).find((l) => l.case_id === caseId)?.removed).toMatchObject({ report: 1 });
  });

  it("a report whose case was purged before is purged on its own term", async () => {
    const id = await submit("Late Report", "1980-01-02");
    const taken = await decide(ctx(), who(coordinator), id, { transition: "take_up", reason: "x", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error("not taken up");
    await transitionCase(ctx(), who(chair), taken.caseId, "close", { reason: "other", today: "2026-12-01" });
    // As a case purged before reports had a purge: the case goes, the report link stays behind.
    await db().updateTable("case_file").set({ status: "purged", identity_enc: null }).where("id", "=", taken.caseId).execute();
    const r = await purgeReports(ctx(), { today: (await row(id)).retention_until! });
    expect(r.purged.find((p) => p.reportId === id)?.removed).toMatchObject({ report_content: 1, case_link: 1 });
  });
});
