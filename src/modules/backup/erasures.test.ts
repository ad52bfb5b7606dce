import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeEachDialect, openTestContext, testConfig } from "../../../test/support/db";
import { createUser } from "../../../test/support/auth";
import { verifyAuditChain } from "../../platform/audit";
import { openContext } from "../../platform/bootstrap";
import type { AppContext } from "../../platform/context";
import { loadMasterKey } from "../../platform/crypto/master-key";
import { newId, nowIso, todayInBrussels } from "../../platform/db/values";
import { newReference } from "../intake/reference-number";
import { runRetentionPurge } from "../cases";
import { caseIdentityForEdit, openCaseFromScreening, rectifyCaseIdentity, transitionCase } from "../cases/service";
import { makeActor, makeLivc } from "../cases/testing";
import { discardDraft } from "../intake/retention-drafts";
import { emptyForm } from "../intake/schema";
import { fileReport } from "../intake/service";
import { addMembership } from "../registry/service";
import { BackupError, createBackup, openBackup, restoreBackup } from "./service";

const root = path.resolve(import.meta.dirname, "../../..");

/** A decided report long past its term, without a case; the purge never decrypts, so any document will do. */
async function putOldReport(ctx: AppContext, livcId: string, reporterId: string) {
  const at = nowIso();
  const id = newId();
  await ctx.database.db.insertInto("report").values({
    id, reference: newReference(), status: "no_action", reporter_user_id: reporterId, reporter_organisation_id: null, livc_id: livcId, regional_queue: null, municipality_nis: "44021",
    routed_on: "2019-01-01", identity_known: 1, minor: 0, danger_now: 0, notify_status: 0, subject_index: "idx", content_enc: "sealed-document", created_at: at, updated_at: at,
    submitted_at: at, screening_due_on: null, retention_until: "2012-01-01", decided_at: at, case_id: null,
  }).execute();
  return id;
}

/** One LIVC with a case whose retention passed long ago, a report likewise, and a case with a wrong name. */
async function scenario(ctx: AppContext) {
  const livc = await makeLivc(ctx);
  const chair = await makeActor(ctx, [{ livcId: livc, role: "chair" }, { livcId: livc, role: "coordinator" }]);
  const old = await openCaseFromScreening(ctx, { actor: chair }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Greta Verzonnen", dateOfBirth: "1980-01-01" }, screeningDecision: "take_up", openedOn: "2009-01-01" });
  await transitionCase(ctx, { actor: chair }, old.id, "close", { reason: "concern_addressed", today: "2010-01-01" });
  const wrong = await openCaseFromScreening(ctx, { actor: chair }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Jan Janssenn", dateOfBirth: "2008-04-01" }, screeningDecision: "take_up" });
  const report = await putOldReport(ctx, livc, chair.userId);
  return { chair, oldCase: old.id, wrongCase: wrong.id, report };
}

/** What happens after the backup: the purge and an identity correction (decision 0046). */
async function eraseAfterBackup(ctx: AppContext, s: Awaited<ReturnType<typeof scenario>>) {
  await runRetentionPurge(ctx, { today: todayInBrussels() });
  await rectifyCaseIdentity(ctx, { actor: s.chair }, s.wrongCase, { fullName: "Jan Janssens", dateOfBirth: "2008-04-11", reason: "typo" });
}

const caseState = (ctx: AppContext, id: string) =>
  ctx.database.db.selectFrom("case_file").select(["status", "identity_enc", "subject_index", "purged_at"]).where("id", "=", id).executeTakeFirstOrThrow();
const reportState = (ctx: AppContext, id: string) => ctx.database.db.selectFrom("report").select(["content_enc", "subject_index", "purged_at"]).where("id", "=", id).executeTakeFirstOrThrow();

/**
 * A backup made before a purge or an identity correction must not silently bring the erased or old
 * data back (decision 0054): refused by default, with the dates; with reapplyErasures the named
 * records keep the target's state and the proof of purge survives.
 */
describeEachDialect("restore versus purges and rectifications", (ctx) => {
  const master = () => loadMasterKey(ctx().config, () => {});

  it("refuses a backup older than the target's newest purge and correction, naming both dates, and changes nothing", async () => {
    const s = await scenario(ctx());
    const { bytes, manifest } = await createBackup(ctx().database, master());
    await eraseAfterBackup(ctx(), s);
    const before = { old: await caseState(ctx(), s.oldCase), wrong: await caseState(ctx(), s.wrongCase), report: await reportState(ctx(), s.report) };
    expect(before.old.status).toBe("purged");
    expect(before.report.content_enc).toBe("");

    const attempt = restoreBackup(ctx().database, openBackup(bytes, master()), { force: true });
    await expect(attempt).rejects.toThrow(BackupError);
    const message = await attempt.then(() => "restored", (e: Error) => e.message);
    expect(message).toContain(`made on ${manifest.created_at}`);
    expect(message).toMatch(/before 2 purges \(newest \d{4}-\d\d-\d\dT[^)]+\) and 1 identity correction \(newest \d{4}-\d\d-\d\dT[^)]+\)/);
    expect(message).toContain("--reapply-erasures");
    expect(message.split("\n")).toHaveLength(1);
    // Nothing changed: the refusal comes before the tables are replaced.
    expect(await caseState(ctx(), s.oldCase)).toEqual(before.old);
    expect(await caseState(ctx(), s.wrongCase)).toEqual(before.wrong);
    expect(await reportState(ctx(), s.report)).toEqual(before.report);
  }, 60_000);

  it("with reapplyErasures restores the backup but keeps the purged and corrected records as they are now, with their purge logs", async () => {
    const s = await scenario(ctx());
    const { bytes } = await createBackup(ctx().database, master());
    await eraseAfterBackup(ctx(), s);
    const later = await createUser(ctx(), {});
    const now = { old: await caseState(ctx(), s.oldCase), wrong: await caseState(ctx(), s.wrongCase), report: await reportState(ctx(), s.report) };
    const logs = {
      cases: await ctx().database.db.selectFrom("case_purge_log").selectAll().where("case_id", "=", s.oldCase).execute(),
      reports: await ctx().database.db.selectFrom("report_purge_log").selectAll().where("report_id", "=", s.report).execute(),
    };
    expect(logs.cases).toHaveLength(1);
    expect(logs.reports).toHaveLength(1);

    const r = await restoreBackup(ctx().database, openBackup(bytes, master()), { force: true, reapplyErasures: true });
    expect(r.reapplied).toMatchObject({ purges: 2, rectifications: 1, cases: 2, reports: 1 });
    expect(r.reapplied?.caseIds.sort()).toEqual([s.oldCase, s.wrongCase].sort());

    // The backup's content is back (an account made after it is gone) ...
    expect(await ctx().database.db.selectFrom("app_user").select("id").where("id", "=", later.id).executeTakeFirst()).toBeUndefined();
    // ... but the purged case and report stay purged, the corrected identity stays corrected.
    expect(await caseState(ctx(), s.oldCase)).toEqual(now.old);
    expect(await reportState(ctx(), s.report)).toEqual(now.report);
    expect(await caseState(ctx(), s.wrongCase)).toEqual(now.wrong);
    const identity = await caseIdentityForEdit(ctx(), { actor: s.chair }, s.wrongCase);
    expect(identity.identity).toEqual({ fullName: "Jan Janssens", dateOfBirth: "2008-04-11" });
    // The proof of purge is the target's own log rows, unchanged; the case timeline keeps its purge and correction lines.
    expect(await ctx().database.db.selectFrom("case_purge_log").selectAll().where("case_id", "=", s.oldCase).execute()).toEqual(logs.cases);
    expect(await ctx().database.db.selectFrom("report_purge_log").selectAll().where("report_id", "=", s.report).execute()).toEqual(logs.reports);
    const events = await ctx().database.db.selectFrom("case_event").select("kind").where("case_id", "in", [s.oldCase, s.wrongCase]).execute();
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(["purged", "identity_corrected"]));

    // A second restore of the same backup over the result is again refused: the erasures are still newer than the backup.
    await expect(restoreBackup(ctx().database, openBackup(bytes, master()), { force: true })).rejects.toThrow(/before 2 purges .* and 1 identity correction/);
  }, 60_000);

  it("a draft its reporter discarded after the backup (row deleted, proof in the purge log) stays deleted after a restore with reapplyErasures", async () => {
    const livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter" }]);
    const form = { ...emptyForm(), identity_known: "known", subject_name: "Fictieve Weggooi", subject_birth_date: "2001-02-03", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "OBS", reporter_contact: "09 111 22 33" };
    const filed = await fileReport(ctx(), { actor: reporter }, form, "draft");
    if (filed.kind !== "draft") throw new Error(filed.kind);
    const row = () => ctx().database.db.selectFrom("report").select(["id", "content_enc"]).where("reference", "=", filed.reference).executeTakeFirst();
    const id = (await row())!.id;
    const { bytes } = await createBackup(ctx().database, master());
    expect(await discardDraft(ctx(), { actor: reporter }, filed.reference)).toBe("ok");
    expect(await row()).toBeUndefined();

    await expect(restoreBackup(ctx().database, openBackup(bytes, master()), { force: true })).rejects.toThrow(/before 1 purge \(newest /);
    const r = await restoreBackup(ctx().database, openBackup(bytes, master()), { force: true, reapplyErasures: true });
    expect(r.reapplied).toMatchObject({ purges: 1, reports: 1, reportIds: [id] });
    expect(r.reapplied?.deleted).toBeGreaterThanOrEqual(1);
    expect(await row()).toBeUndefined();
    expect(await ctx().database.db.selectFrom("report_event").select("id").where("report_id", "=", id).execute()).toEqual([]);
    expect(await ctx().database.db.selectFrom("report_purge_log").select("cause").where("report_id", "=", id).execute()).toEqual([{ cause: "draft_discarded" }]);
  }, 60_000);

  it("a backup made after the newest purge restores without the flag", async () => {
    const s = await scenario(ctx());
    await eraseAfterBackup(ctx(), s);
    const { bytes, manifest } = await createBackup(ctx().database, master());
    const r = await restoreBackup(ctx().database, openBackup(bytes, master()), { force: true });
    expect(r.reapplied).toBeUndefined();
    expect(r.rows).toBe(manifest.tables.reduce((n, t) => n + t.rows, 0));
    expect((await caseState(ctx(), s.oldCase)).status).toBe("purged");
  }, 60_000);
});

describe("schakel restore over purges (SQLite, real processes)", () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(root, "bin/schakel.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env } });

  it("refuses in one line naming the dates, restores with --reapply-erasures, and the case stays purged", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-erasure-"));
    const key = randomBytes(32).toString("base64");
    const live = await openTestContext("sqlite", { SCHAKEL_MASTER_KEY: key });
    const url = live.database.url;
    const s = await scenario(live);
    await live.close();
    const file = path.join(dir, "before-purge.schakelbackup");
    const env = { DATABASE_URL: url, SCHAKEL_MASTER_KEY: key };
    expect(run(["backup", "--out", file], env).status).toBe(0);
    const created = JSON.parse(fs.readFileSync(file).toString("utf8").split("\n")[1]).created_at as string;

    const purge = run(["purge"], env);
    expect(purge.status, purge.stderr).toBe(0);

    const refused = run(["restore", file, "--force"], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split("\n")).toEqual([expect.stringContaining(`This backup was made on ${created}, before 2 purges (newest `)]);
    expect(refused.stderr).toContain("--reapply-erasures");

    const restored = run(["restore", file, "--force", "--reapply-erasures"], env);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/every table's checksum matches/);
    expect(restored.stdout).toMatch(/Re-applied 2 purge\(s\) and 0 identity correction\(s\) made after the backup: 1 case\(s\) and 1 report\(s\) kept as they are now/);

    const after = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: key }) });
    try {
      expect((await caseState(after, s.oldCase)).status).toBe("purged");
      expect((await caseState(after, s.oldCase)).identity_enc).toBeNull();
      expect((await reportState(after, s.report)).content_enc).toBe("");
      expect(await after.database.db.selectFrom("case_purge_log").select("id").where("case_id", "=", s.oldCase).execute()).toHaveLength(1);
      const entries = await after.database.db.selectFrom("audit_entry").select(["action", "resource_id"]).where("action", "=", "backup.reapply-erasure").execute();
      expect(entries.map((e) => e.resource_id).sort()).toEqual([s.oldCase, s.report].sort());
      expect((await verifyAuditChain(after.database)).ok).toBe(true);
    } finally {
      await after.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
