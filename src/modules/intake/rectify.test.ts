import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { rectifiableRecords, subjectAccessExport } from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { addMembership } from "../registry/service";
import { openReportContent, subjectIndexOf } from "./personal";
import { rectifyReportIdentity, reportIdentityForEdit } from "./rectify";
import { emptyForm } from "./schema";
import { fileReport, openForScreening } from "./service";
import * as store from "./store";

/**
 * Rectification of the person a report names (decision 0046): whoever may screen it and the DPO;
 * only name and birth date change in the encrypted document; the blind index follows, so the
 * duplicate hint and subject access find the report under the corrected data; refused and audited
 * for everyone else.
 */
describeEachDialect("report identity rectification", (ctx) => {
  let livc: string;
  let otherLivc: string;
  let reporter: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let chair: Actor;
  let otherCoordinator: Actor;
  let analyst: Actor;
  let dpo: Actor;
  const db = () => ctx().database.db;
  const file = async (name: string, birth: string, observation = "Waarneming") => {
    const made = await fileReport(
      ctx(),
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: birth, municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation, reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    return (await store.reportByReference(db(), made.reference))!;
  };
  const audits = (actorId: string, action: string) => db().selectFrom("audit_entry").select(["outcome", "resource_id"]).where("actor_id", "=", actorId).where("action", "=", action).execute();

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    otherLivc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const org = await makeOrganisation(ctx(), "CLB", "clb");
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter", organisationId: org }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer" }]);
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    otherCoordinator = await makeActor(ctx(), [{ livcId: otherLivc, role: "coordinator" }]);
    analyst = await makeActor(ctx(), [], { isRegionalAnalyst: true });
    dpo = await makeActor(ctx(), [], { isDpo: true });
  }, 60_000);

  it("the information officer corrects the name: the rest of the document unchanged, blind index moved, a history line, audited", async () => {
    const r = await file("Sara Smetss", "2008-02-02", "Zag iets op school");
    const before = await openReportContent(ctx(), { actor: officer }, { id: r.id, livcId: livc, allowed: true, contentEnc: r.content_enc });
    await rectifyReportIdentity(ctx(), { actor: officer }, r.id, { fullName: "Sara Smets", dateOfBirth: "2008-02-03", reason: "typo" });
    const row = (await store.reportById(db(), r.id))!;
    expect(row.content_enc).not.toBe(r.content_enc);
    const after = await openReportContent(ctx(), { actor: officer }, { id: r.id, livcId: livc, allowed: true, contentEnc: row.content_enc });
    expect(after).toEqual({ ...before, subjectName: "Sara Smets", subjectBirthDate: "2008-02-03" });
    expect(row.subject_index).toBe(await subjectIndexOf(ctx(), "Sara Smets", "2008-02-03"));
    expect(row.status).toBe(r.status);
    const events = await db().selectFrom("report_event").select(["transition", "reason_enc", "from_status", "to_status"]).where("report_id", "=", r.id).orderBy("at").execute();
    expect(events.at(-1)).toEqual({ transition: "identity_corrected.typo", reason_enc: null, from_status: r.status, to_status: r.status });
    expect(await audits(officer.userId, "intake.report.rectify")).toEqual([{ outcome: "success", resource_id: r.id }]);
  });

  it("after the correction the duplicate hint and subject access find the report under the corrected data only", async () => {
    const typo = await file("Tom Tuyttens", "2007-07-07");
    const later = await file("Tom Tuytens", "2007-07-07");
    const dupOf = async (id: string) => {
      const view = await openForScreening(ctx(), { actor: coordinator }, id);
      if (view.kind !== "ok") throw new Error(view.kind);
      return view.duplicates.reports.map((d) => d.id);
    };
    expect(await dupOf(later.id)).not.toContain(typo.id);
    expect((await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Tom Tuytens", dateOfBirth: "2007-07-07" })).records.flatMap((s) => s.rows)).toHaveLength(1);
    await rectifyReportIdentity(ctx(), { actor: coordinator }, typo.id, { fullName: "Tom Tuytens", dateOfBirth: "2007-07-07", reason: "typo" });
    expect(await dupOf(later.id)).toContain(typo.id);
    expect((await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Tom Tuytens", dateOfBirth: "2007-07-07" })).records.flatMap((s) => s.rows)).toHaveLength(2);
    expect((await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Tom Tuyttens", dateOfBirth: "2007-07-07" })).records.flatMap((s) => s.rows)).toHaveLength(0);
  });

  it("the DPO finds the report by the blind index, reads (audited) and corrects it", async () => {
    const r = await file("Ward Wouters", "2006-03-03");
    const found = await rectifiableRecords(ctx(), { actor: dpo }, { fullName: "Ward Wouters", dateOfBirth: "2006-03-03" });
    expect(found).toContainEqual({ kind: "report", name: r.reference, livcId: livc, href: `/screening/${r.id}/identity` });
    expect(await reportIdentityForEdit(ctx(), { actor: dpo }, r.id)).toMatchObject({ fullName: "Ward Wouters", dateOfBirth: "2006-03-03", reference: r.reference });
    expect(await audits(dpo.userId, "intake.report.identity.read")).toContainEqual({ outcome: "success", resource_id: r.id });
    await rectifyReportIdentity(ctx(), { actor: dpo }, r.id, { fullName: "Ward Wauters", dateOfBirth: "2006-03-03", reason: "subject_request" });
    expect((await store.reportById(db(), r.id))!.subject_index).toBe(await subjectIndexOf(ctx(), "Ward Wauters", "2006-03-03"));
  });

  it("refuses the chair (does not screen), another LIVC's coordinator, an analyst and the reporter: audited, nothing changed; a missing birth date is refused", async () => {
    const r = await file("Vera Vos", "2005-05-05");
    for (const actor of [chair, otherCoordinator, analyst, reporter]) {
      await expect(reportIdentityForEdit(ctx(), { actor }, r.id)).rejects.toMatchObject({ code: "forbidden" });
      await expect(rectifyReportIdentity(ctx(), { actor }, r.id, { fullName: "Iemand", dateOfBirth: "2001-01-01", reason: "other" })).rejects.toMatchObject({ code: "forbidden" });
      expect(await audits(actor.userId, "intake.report.rectify")).toEqual([{ outcome: "denied", resource_id: r.id }]);
      expect(await audits(actor.userId, "intake.report.identity.read")).toEqual([{ outcome: "denied", resource_id: r.id }]);
    }
    await expect(rectifyReportIdentity(ctx(), { actor: coordinator }, r.id, { fullName: "Vera Vos", dateOfBirth: "", reason: "typo" })).rejects.toMatchObject({ errors: { date_of_birth: "required" } });
    expect((await store.reportById(db(), r.id))!.content_enc).toBe(r.content_enc);
  });
});

describeEachDialect("report identity rectification: the page", (ctx) => {
  let app: FastifyInstance;
  let reportId: string;
  let coordinator: LoginSession;
  let chair: LoginSession;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter", organisationId: await makeOrganisation(ctx(), "CLB", "clb") }]);
    const made = await fileReport(
      ctx(),
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Rik Ruelens", subject_birth_date: "2004-04-04", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "Obs", reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    reportId = (await store.reportByReference(ctx().database.db, made.reference))!.id;
    coordinator = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] }));
    chair = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("linked from the screening page, pre-filled, refused input kept with the linked summary, saved back to the screening page with its history line", async () => {
    expect((await app.inject({ method: "GET", url: `/screening/${reportId}`, headers: coordinator.headers() })).body).toContain(`/screening/${reportId}/identity`);
    const form = await app.inject({ method: "GET", url: `/screening/${reportId}/identity`, headers: coordinator.headers() });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Rik Ruelens"');
    const post = (fields: Record<string, string>) => app.inject({ method: "POST", url: `/screening/${reportId}/identity`, headers: coordinator.headers({ form: true }), payload: coordinator.form(fields) });
    const bad = await post({ full_name: "Rik Rulens", date_of_birth: "4/4/2004", reason: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#date_of_birth"');
    expect(bad.body).toContain('href="#reason"');
    expect(bad.body).toContain('value="Rik Rulens"');
    expect(bad.body).toContain('value="4/4/2004"');
    const ok = await post({ full_name: "Rik Rulens", date_of_birth: "2004-04-04", reason: "wrong_person" });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/screening/${reportId}`);
    const page = await app.inject({ method: "GET", url: `/screening/${reportId}`, headers: coordinator.headers() });
    expect(page.body).toContain("Rik Rulens");
    expect(page.body).toContain("Identiteit verbeterd (verwisseld met een andere persoon)");
    expect((await app.inject({ method: "GET", url: `/screening/${reportId}/identity`, headers: chair.headers() })).statusCode).toBe(403);
  });
});
