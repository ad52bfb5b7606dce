import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { makeActor, makeLivc } from "../cases/testing";
import { addMembership } from "../registry/service";
import { notTakenUpBefore } from "./retention";
import { loadIntakeRetentionConfig } from "./retention-config";
import { discardDraft, draftToDiscard } from "./retention-drafts";
import { reportPurgesDue } from "./retention-overview";
import { emptyForm } from "./schema";
import { decide, fileReport, purgeReports, reportPurgeLog } from "./service";
import * as store from "./store";

/**
 * Decision 0053: drafts are discarded by their reporter or erased after SCHAKEL_DRAFT_RETENTION_DAYS;
 * reports not taken up keep their personal data SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS after the decision,
 * computed at each run (a changed term counts for stored reports).
 */
describeEachDialect("intake: draft discard, draft expiry, reports not taken up", (ctx) => {
  let livc: string;
  let reporter: Actor;
  let otherReporter: Actor;
  let coordinator: Actor;
  const db = () => ctx().database.db;
  const terms = { draftDays: 30, notTakenUpMonths: 12 };
  const form = (name: string) => ({ ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: "2001-02-03", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: `OBS-${name}`, reporter_contact: "09 111 22 33" });
  const draft = async (name: string, by = reporter) => {
    const r = await fileReport(ctx(), { actor: by }, form(name), "draft");
    if (r.kind !== "draft") throw new Error(r.kind);
    return (await store.reportByReference(db(), r.reference))!;
  };
  const submit = async (name: string) => {
    const r = await fileReport(ctx(), { actor: reporter }, form(name), "submit");
    if (r.kind !== "submitted") throw new Error(r.kind);
    return (await store.reportByReference(db(), r.reference))!;
  };
  const audits = (resourceId: string, action: string) => db().selectFrom("audit_entry").select(["outcome", "actor_id"]).where("resource_id", "=", resourceId).where("action", "=", action).execute();
  const exists = async (id: string) => Boolean(await store.reportById(db(), id));
  const logOf = async (id: string) => (await reportPurgeLog(ctx())).find((l) => l.report_id === id);

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter" }]);
    otherReporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
  });

  it("the reporter discards their own draft: row and ciphertext gone, proof without content, audited; nobody else can", async () => {
    const d = await draft("Fictieve Weggooi");
    expect(d.content_enc).not.toBe("");
    // Another reporter: not found, the attempt audited as denied, the draft untouched.
    expect(await draftToDiscard(ctx(), { actor: otherReporter }, d.reference)).toBeNull();
    expect(await discardDraft(ctx(), { actor: otherReporter }, d.reference)).toBe("not_found");
    expect((await audits(d.id, "intake.report.draft.discard")).filter((a) => a.outcome === "denied")).toHaveLength(2);
    expect(await exists(d.id)).toBe(true);

    expect(await draftToDiscard(ctx(), { actor: reporter }, d.reference)).toEqual({ reference: d.reference, lastSaved: d.updated_at });
    expect(await discardDraft(ctx(), { actor: reporter }, d.reference)).toBe("ok");
    expect(await exists(d.id)).toBe(false);
    const log = await logOf(d.id);
    expect(log).toMatchObject({ reference: d.reference, cause: "draft_discarded", livc_id: null, retention_until: null, removed: { report_content: 1 } });
    expect(JSON.stringify(log)).not.toMatch(/Weggooi|OBS-|09 111/);
    expect(await audits(d.id, "intake.report.draft.discard")).toContainEqual({ outcome: "success", actor_id: reporter.userId });
    // Gone: a second discard finds nothing.
    expect(await discardDraft(ctx(), { actor: reporter }, d.reference)).toBe("not_found");
  });

  it("a submitted report is no draft: it cannot be discarded", async () => {
    const r = await submit("Fictieve Ingediend");
    expect(await draftToDiscard(ctx(), { actor: reporter }, r.reference)).toBeNull();
    expect(await discardDraft(ctx(), { actor: reporter }, r.reference)).toBe("not_found");
    expect(await exists(r.id)).toBe(true);
    expect((await store.reportById(db(), r.id))?.content_enc).not.toBe("");
  });

  it("the daily purge erases drafts not saved for the term (boundary day exact), lists them in a dry run, keeps fresher ones", async () => {
    const today = todayInBrussels();
    const old = await draft("Fictief Oud");
    const edge = await draft("Fictief Grens");
    const fresh = await draft("Fictief Vers");
    // Last saved 30 days ago (untouched for the whole term), 29 days ago (one day to go), and today.
    await db().updateTable("report").set({ updated_at: `${addDays(today, -30)}T23:59:00.000Z` }).where("id", "=", old.id).execute();
    await db().updateTable("report").set({ updated_at: `${addDays(today, -29)}T00:01:00.000Z` }).where("id", "=", edge.id).execute();

    const dry = await purgeReports(ctx(), { dryRun: true, today, terms });
    expect(dry.drafts.map((d) => d.reference)).toContain(old.reference);
    expect(dry.drafts.map((d) => d.reference)).not.toContain(edge.reference);
    expect(await exists(old.id)).toBe(true);

    const run = await purgeReports(ctx(), { today, terms });
    expect(run.drafts.map((d) => d.reportId)).toEqual([old.id]);
    expect(await exists(old.id)).toBe(false);
    expect(await exists(edge.id)).toBe(true);
    expect(await exists(fresh.id)).toBe(true);
    expect(await logOf(old.id)).toMatchObject({ cause: "draft_expired", reference: old.reference, removed: { report_content: 1 } });
    expect(await audits(old.id, "intake.report.draft.purge")).toEqual([{ outcome: "success", actor_id: null }]);

    // The next day the other one has been untouched for 30 days too; a shorter term takes the fresh one as well.
    expect((await purgeReports(ctx(), { today: addDays(today, 1), terms })).drafts.map((d) => d.reportId)).toEqual([edge.id]);
    expect((await purgeReports(ctx(), { today: addDays(today, 1), terms: { ...terms, draftDays: 1 } })).drafts.map((d) => d.reportId)).toEqual([fresh.id]);
  });

  it("reports screened as no further action or referred go N months after the decision; taken up, undecided and police ones keep their general term", async () => {
    const noAction = await submit("Fictief Geen Actie");
    const referred = await submit("Fictief Doorverwezen");
    const takenUp = await submit("Fictief Opgenomen");
    const open = await submit("Fictief Open");
    expect(await decide(ctx(), { actor: coordinator }, noAction.id, { transition: "no_action", reason: "REASON-geen", referralService: "" })).toMatchObject({ kind: "ok" });
    expect(await decide(ctx(), { actor: coordinator }, referred.id, { transition: "refer", reason: "REASON-ref", referralService: "caw" })).toMatchObject({ kind: "ok" });
    expect(await decide(ctx(), { actor: coordinator }, takenUp.id, { transition: "take_up", reason: "REASON-case", referralService: "" })).toMatchObject({ kind: "ok" });
    // Decided on 15 January 2025 (as if): the term of 12 months ends on 15 January 2026.
    for (const id of [noAction.id, referred.id, takenUp.id]) await db().updateTable("report").set({ decided_at: "2025-01-15T09:30:00.000Z" }).where("id", "=", id).execute();
    const mine = [noAction.id, referred.id, takenUp.id, open.id];

    const before = await purgeReports(ctx(), { today: "2026-01-14", terms });
    expect(before.purged.filter((p) => mine.includes(p.reportId))).toEqual([]);

    const run = await purgeReports(ctx(), { today: "2026-01-15", terms });
    const purged = run.purged.filter((p) => mine.includes(p.reportId));
    expect(purged.map((p) => p.reportId).sort()).toEqual([noAction.id, referred.id].sort());
    expect(purged.every((p) => p.retentionUntil === "2026-01-15")).toBe(true);
    expect(await logOf(noAction.id)).toMatchObject({ cause: "not_taken_up_end", retention_until: "2026-01-15", removed: { report_content: 1, subject_index: 1, decision_reasons: 1 } });
    expect(await store.reportById(db(), referred.id)).toMatchObject({ content_enc: "", subject_index: null, status: "referred" });
    for (const id of [takenUp.id, open.id]) expect((await store.reportById(db(), id))?.purged_at).toBeNull();
  });

  it("the term is computed at each run: a shorter setting takes stored reports at the next run; the retention page counts by the same rule", async () => {
    const r = await submit("Fictief Korter");
    expect(await decide(ctx(), { actor: coordinator }, r.id, { transition: "no_action", reason: "x", referralService: "" })).toMatchObject({ kind: "ok" });
    await db().updateTable("report").set({ decided_at: "2030-03-10T12:00:00.000Z" }).where("id", "=", r.id).execute();

    // Due on 2031-03-10 with 12 months: in the 90-day horizon from 2031-01-01, not in the 30-day one.
    const due = await reportPurgesDue(ctx(), "2031-01-31", "2031-04-01", 12);
    expect(due.get(livc)).toMatchObject({ due30: 0 });
    expect(due.get(livc)?.due90).toBeGreaterThanOrEqual(1);

    expect((await purgeReports(ctx(), { today: "2030-10-01", terms })).purged.map((p) => p.reportId)).not.toContain(r.id);
    const shorter = await purgeReports(ctx(), { today: "2030-10-01", terms: { ...terms, notTakenUpMonths: 6 } });
    expect(shorter.purged.find((p) => p.reportId === r.id)?.retentionUntil).toBe("2030-09-10");
    expect((await store.reportById(db(), r.id))?.purged_at).toBeTruthy();
  });

  it("settings: defaults, and a bad value names its variable", () => {
    expect(loadIntakeRetentionConfig({})).toEqual({ draftDays: 30, notTakenUpMonths: 12 });
    expect(loadIntakeRetentionConfig({ SCHAKEL_DRAFT_RETENTION_DAYS: "7", SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS: "3" })).toEqual({ draftDays: 7, notTakenUpMonths: 3 });
    expect(() => loadIntakeRetentionConfig({ SCHAKEL_DRAFT_RETENTION_DAYS: "0" })).toThrow(/SCHAKEL_DRAFT_RETENTION_DAYS must be a whole number of days from 1 to 365 \(got "0"\)/);
    expect(() => loadIntakeRetentionConfig({ SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS: "soon" })).toThrow(/SCHAKEL_REPORT_NOT_TAKEN_UP_MONTHS must be a whole number of months/);
    expect(notTakenUpBefore("2026-01-15", 12)).toBe("2025-01-16");
  });
});
