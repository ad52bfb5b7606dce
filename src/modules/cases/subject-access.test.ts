import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import type { Actor } from "../../platform/policy/actor";
import { emptyForm } from "../intake/schema";
import { decide, fileReport, openForScreening } from "../intake/service";
import { SubjectAccessDenied, subjectAccessExport, subjectAccessPdf } from "./service";
import { makeActor } from "./testing";

/**
 * Subject access (GDPR art. 15) also covers reports (aanmeldingen), whatever their screening outcome,
 * found by the same blind index; the reporter's details are withheld (art. 15(4)); every read is audited.
 */
describeEachDialect("subject access: reports", (ctx) => {
  let livc: string;
  let reporter: Actor;
  let coordinator: Actor;
  let dpo: Actor;

  beforeAll(async () => {
    livc = await makeTestLivc(ctx().database, {}, livcInput("SAR", "LIVC Inzage"), ["44021"]);
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    dpo = await makeActor(ctx(), [], { isDpo: true });
  });

  async function submit(name: string, birthDate: string, observation: string) {
    const form = { ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: birthDate, municipality_nis: "44021", signals: ["supports_violence"], observation, since: "weeks", person_knows: "no", reporter_contact: "REPORTER-0470-123456" };
    const r = await fileReport(ctx(), { actor: reporter }, form, "submit");
    if (r.kind !== "submitted") throw new Error(`not submitted: ${JSON.stringify(r)}`);
    return (await ctx().database.db.selectFrom("report").select("id").where("reference", "=", r.reference).executeTakeFirstOrThrow()).id;
  }

  it("exports the person's reports not taken up as a case, with the screening reason, without the reporter's details", async () => {
    const first = await submit("Sara Inzage", "2001-02-03", "OBS-first");
    const second = await submit("Sara Inzage", "2001-02-03", "OBS-second");
    await submit("Other Person", "2001-02-03", "OBS-other");
    await openForScreening(ctx(), { actor: coordinator }, first);
    expect(await decide(ctx(), { actor: coordinator }, first, { transition: "no_action", reason: "REASON-no-action", referralService: "" })).toMatchObject({ kind: "ok" });

    const e = await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "sara  inzage", dateOfBirth: "2001-02-03" });
    const reports = e.records.find((s) => s.title === "reports");
    expect(reports?.rows).toHaveLength(2);
    const text = JSON.stringify(e);
    expect(text).toContain("OBS-first");
    expect(text).toContain("OBS-second");
    expect(text).toContain("REASON-no-action");
    expect(text).not.toContain("OBS-other");
    expect(text).not.toContain("REPORTER-0470-123456");
    expect(reports?.rows.find((r) => r.observation === "OBS-first")).toMatchObject({ status: "no_action", name: "Sara Inzage", date_of_birth: "2001-02-03", reporter: "withheld (GDPR art. 15(4))" });

    const pdf = await subjectAccessPdf(e);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");

    // Each report document read is in the audit log, under the DPO.
    const reads = await ctx().database.db.selectFrom("audit_entry").select(["resource_id", "outcome", "action"]).where("actor_id", "=", dpo.userId).where("resource_type", "=", "report").execute();
    expect(reads.map((r) => r.resource_id).sort()).toEqual([first, second].sort());
    expect(reads.every((r) => r.action === "personal_data.read" && r.outcome === "allowed")).toBe(true);
  });

  it("gives nothing to anyone but the DPO, and nothing for another date of birth", async () => {
    await expect(subjectAccessExport(ctx(), { actor: coordinator }, { fullName: "Sara Inzage", dateOfBirth: "2001-02-03" })).rejects.toBeInstanceOf(SubjectAccessDenied);
    const e = await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Sara Inzage", dateOfBirth: "2001-02-04" });
    expect(e.records.find((s) => s.title === "reports")?.rows).toEqual([]);
  });
});
