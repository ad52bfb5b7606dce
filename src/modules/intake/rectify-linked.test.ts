import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { caseIdentityForEdit, caseRow, rectifiableRecords, rectifyCaseIdentity, subjectAccessExport } from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { addMembership } from "../registry/service";
import { openReportContent, subjectIndexOf } from "./personal";
import { rectifyReportIdentity, reportIdentityForEdit } from "./rectify";
import { emptyForm } from "./schema";
import { decide, fileReport } from "./service";
import * as store from "./store";

/**
 * A case and the report it was taken up from, corrected together (decision 0050): offered only to
 * who may correct both (each record keeps its own rule), one transaction, a history line and an
 * audit entry for each record; subject access and the DPO's search then agree on the new identity.
 */
describeEachDialect("rectification of a case with its source report", (ctx, dialect) => {
  let livc: string;
  let reporter: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let chair: Actor;
  let dpo: Actor;
  const db = () => ctx().database.db;
  const who = (actor: Actor) => ({ actor });
  /** A report filed and taken up as a case by the coordinator: its id, reference and the case id. */
  const takenUp = async (name: string, birth: string) => {
    const made = await fileReport(
      ctx(),
      who(reporter),
      { ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: birth, municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "OBS-linked", reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    const report = (await store.reportByReference(db(), made.reference))!;
    const taken = await decide(ctx(), who(coordinator), report.id, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error(`not taken up: ${taken.kind}`);
    return { id: report.id, reference: report.reference, caseId: taken.caseId };
  };
  const reportName = async (id: string) => {
    const row = (await store.reportById(db(), id))!;
    const c = await openReportContent(ctx(), who(dpo), { id, livcId: row.livc_id, allowed: true, contentEnc: row.content_enc });
    return [c.subjectName, c.subjectBirthDate, row.subject_index];
  };
  const caseIdentity = async (caseId: string) => [(await caseIdentityForEdit(ctx(), who(dpo), caseId)).identity, (await caseRow(ctx(), caseId))!.subject_index];
  const audits = async (actorId: string, action: string) =>
    (await db().selectFrom("audit_entry").select(["outcome", "resource_id"]).where("actor_id", "=", actorId).where("action", "=", action).execute()).map((a) => `${a.resource_id}:${a.outcome}`);
  const caseEvents = async (caseId: string) => (await db().selectFrom("case_event").select(["kind", "reason"]).where("case_id", "=", caseId).where("kind", "=", "identity_corrected").execute()).map((e) => e.reason);
  const reportEvents = async (id: string) => (await db().selectFrom("report_event").select("transition").where("report_id", "=", id).where("transition", "like", "identity_corrected%").execute()).map((e) => e.transition);
  const found = async (fullName: string, dateOfBirth: string) => (await rectifiableRecords(ctx(), who(dpo), { fullName, dateOfBirth })).map((r) => `${r.kind}:${r.name}`).sort();

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter", organisationId: await makeOrganisation(ctx(), "CLB", "clb") }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer" }]);
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    dpo = await makeActor(ctx(), [], { isDpo: true });
  }, 60_000);

  it("from the case, the coordinator corrects case and report together: both sealed and re-indexed, an event and a history line, an audit entry each; the DPO's search and subject access find both under the new identity and nothing under the old", async () => {
    const r = await takenUp("Lotte Linkk", "2006-06-06");
    const label = (await caseRow(ctx(), r.caseId))!.label;
    expect((await caseIdentityForEdit(ctx(), who(coordinator), r.caseId)).linked).toEqual([{ kind: "report", id: r.id, name: r.reference, state: "ok", needsDateOfBirth: true }]);
    expect(await found("Lotte Linkk", "2006-06-06")).toEqual([`case:${label}`, `report:${r.reference}`]);

    const done = await rectifyCaseIdentity(ctx(), who(coordinator), r.caseId, { fullName: "Lotte Link", dateOfBirth: "2006-06-07", reason: "typo" }, { alsoLinked: true });
    expect(done.linked).toEqual([r.reference]);
    const index = await subjectIndexOf(ctx(), "Lotte Link", "2006-06-07");
    expect(await caseIdentity(r.caseId)).toEqual([{ fullName: "Lotte Link", dateOfBirth: "2006-06-07" }, index]);
    expect(await reportName(r.id)).toEqual(["Lotte Link", "2006-06-07", index]);
    expect(await caseEvents(r.caseId)).toEqual(["typo"]);
    expect(await reportEvents(r.id)).toEqual(["identity_corrected.typo"]);
    expect(await audits(coordinator.userId, "case.identity.rectify")).toEqual([`${r.caseId}:success`]);
    expect(await audits(coordinator.userId, "intake.report.rectify")).toEqual([`${r.id}:success`]);

    expect(await found("Lotte Link", "2006-06-07")).toEqual([`case:${label}`, `report:${r.reference}`]);
    expect(await found("Lotte Linkk", "2006-06-06")).toEqual([]);
    const access = await subjectAccessExport(ctx(), who(dpo), { fullName: "Lotte Link", dateOfBirth: "2006-06-07" });
    expect(access.cases.map((c) => c.label)).toEqual([label]);
    expect(JSON.stringify(access.records)).toContain(r.reference);
    const old = await subjectAccessExport(ctx(), who(dpo), { fullName: "Lotte Linkk", dateOfBirth: "2006-06-06" });
    expect([old.cases.length, old.records.flatMap((s) => s.rows).length]).toEqual([0, 0]);
  });

  it("from the report, the coordinator corrects report and case together; unticked, each alone", async () => {
    const r = await takenUp("Bart Bron", "2001-01-01");
    const label = (await caseRow(ctx(), r.caseId))!.label;
    expect((await reportIdentityForEdit(ctx(), who(coordinator), r.id)).linkedCase).toEqual({ label, state: "ok" });
    await rectifyReportIdentity(ctx(), who(coordinator), r.id, { fullName: "Bart Bronn", dateOfBirth: "2001-01-01", reason: "other" });
    expect((await reportName(r.id))[0]).toBe("Bart Bronn");
    expect((await caseIdentity(r.caseId))[0]).toEqual({ fullName: "Bart Bron", dateOfBirth: "2001-01-01" });
    expect(await caseEvents(r.caseId)).toEqual([]);

    expect(await rectifyReportIdentity(ctx(), who(coordinator), r.id, { fullName: "Bart Bronne", dateOfBirth: "2001-01-02", reason: "subject_request" }, { alsoCase: true })).toEqual({ caseLabel: label });
    const index = await subjectIndexOf(ctx(), "Bart Bronne", "2001-01-02");
    expect(await caseIdentity(r.caseId)).toEqual([{ fullName: "Bart Bronne", dateOfBirth: "2001-01-02" }, index]);
    expect(await reportName(r.id)).toEqual(["Bart Bronne", "2001-01-02", index]);
    expect(await caseEvents(r.caseId)).toEqual(["subject_request"]);
    expect(await reportEvents(r.id)).toEqual(["identity_corrected.other", "identity_corrected.subject_request"]);

    await rectifyCaseIdentity(ctx(), who(coordinator), r.caseId, { fullName: "Bart Bronner", dateOfBirth: "", reason: "typo" });
    expect((await caseIdentity(r.caseId))[0]).toEqual({ fullName: "Bart Bronner", dateOfBirth: null });
    expect((await reportName(r.id))[0]).toBe("Bart Bronne");
  });

  it("each record keeps its own rule: the chair is not offered the report and the information officer not the case (asking anyway corrects only their own); a report needs a date of birth; a purged report has nothing to correct", async () => {
    const r = await takenUp("Chris Regel", "1999-09-09");
    const reportBefore = await reportName(r.id);
    expect((await caseIdentityForEdit(ctx(), who(chair), r.caseId)).linked.map((l) => l.state)).toEqual(["not_allowed"]);
    await rectifyCaseIdentity(ctx(), who(chair), r.caseId, { fullName: "Chris Regels", dateOfBirth: "1999-09-09", reason: "typo" }, { alsoLinked: true });
    expect((await caseIdentity(r.caseId))[0]).toEqual({ fullName: "Chris Regels", dateOfBirth: "1999-09-09" });
    expect(await reportName(r.id)).toEqual(reportBefore);
    expect(await audits(chair.userId, "intake.report.rectify")).toEqual([]);

    expect((await reportIdentityForEdit(ctx(), who(officer), r.id)).linkedCase?.state).toBe("not_allowed");
    expect(await rectifyReportIdentity(ctx(), who(officer), r.id, { fullName: "Chris Regeling", dateOfBirth: "1999-09-09", reason: "typo" }, { alsoCase: true })).toEqual({ caseLabel: null });
    expect((await reportName(r.id))[0]).toBe("Chris Regeling");
    expect((await caseIdentity(r.caseId))[0]).toEqual({ fullName: "Chris Regels", dateOfBirth: "1999-09-09" });
    expect(await audits(officer.userId, "case.identity.rectify")).toEqual([]);

    // With the report ticked a date of birth is required (the report's form requires one); nothing changes.
    const caseBefore = await caseIdentity(r.caseId);
    await expect(rectifyCaseIdentity(ctx(), who(coordinator), r.caseId, { fullName: "Chris X", dateOfBirth: "", reason: "typo" }, { alsoLinked: true })).rejects.toMatchObject({ errors: { date_of_birth: "required_linked" } });
    expect(await caseIdentity(r.caseId)).toEqual(caseBefore);

    // Purged meanwhile (as the retention purge leaves it: no document, no index).
    await db().updateTable("report").set({ content_enc: "", subject_index: null, purged_at: new Date().toISOString() }).where("id", "=", r.id).execute();
    expect((await caseIdentityForEdit(ctx(), who(coordinator), r.caseId)).linked.map((l) => l.state)).toEqual(["nothing"]);
    await rectifyCaseIdentity(ctx(), who(coordinator), r.caseId, { fullName: "Chris Y", dateOfBirth: "", reason: "typo" }, { alsoLinked: true });
    expect((await caseIdentity(r.caseId))[0]).toEqual({ fullName: "Chris Y", dateOfBirth: null });
  });

  // One transaction (the atomic-audit pattern): the second record's audit entry refused -> the first
  // record's correction is not kept either.
  const refuseAuditOf = async (action: string) => {
    if (dialect === "sqlite") await sql.raw(`create trigger refuse_linked before insert on audit_entry for each row when new.action = '${action}' begin select raise(abort, 'audit refused'); end`).execute(db());
    else {
      await sql.raw("create or replace function refuse_linked() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db());
      await sql.raw(`create trigger refuse_linked before insert on audit_entry for each row when (new.action = '${action}') execute function refuse_linked()`).execute(db());
    }
  };
  const allowAudit = () => sql.raw(dialect === "sqlite" ? "drop trigger refuse_linked" : "drop trigger refuse_linked on audit_entry").execute(db());
  const snapshot = async (r: { id: string; caseId: string }) =>
    Promise.all([
      db().selectFrom("report").select(["content_enc", "subject_index", "updated_at"]).where("id", "=", r.id).executeTakeFirstOrThrow(),
      db().selectFrom("case_file").select(["identity_enc", "subject_index", "updated_at"]).where("id", "=", r.caseId).executeTakeFirstOrThrow(),
      reportEvents(r.id),
      caseEvents(r.caseId),
    ]);

  it("one transaction: when the report's audit entry is refused the case is not corrected either, and the other way round", async () => {
    const r = await takenUp("Atoom Samen", "1998-08-08");
    const before = await snapshot(r);
    await refuseAuditOf("intake.report.rectify");
    try {
      await expect(rectifyCaseIdentity(ctx(), who(coordinator), r.caseId, { fullName: "Atoom Apart", dateOfBirth: "1998-08-08", reason: "typo" }, { alsoLinked: true })).rejects.toThrow();
    } finally {
      await allowAudit();
    }
    expect(await snapshot(r)).toEqual(before);
    await refuseAuditOf("case.identity.rectify");
    try {
      await expect(rectifyReportIdentity(ctx(), who(coordinator), r.id, { fullName: "Atoom Apart", dateOfBirth: "1998-08-08", reason: "typo" }, { alsoCase: true })).rejects.toThrow();
    } finally {
      await allowAudit();
    }
    expect(await snapshot(r)).toEqual(before);
  });
});

describeEachDialect("rectification of a case with its source report: the pages", (ctx) => {
  let app: FastifyInstance;
  let coordinator: LoginSession;
  let chair: LoginSession;
  let report: { id: string; reference: string; caseId: string; label: string };

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter", organisationId: await makeOrganisation(ctx(), "CLB", "clb") }]);
    const coordinatorUser = await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] });
    const made = await fileReport(
      ctx(),
      { actor: reporter },
      { ...emptyForm(), identity_known: "known", subject_name: "Pieter Pagina", subject_birth_date: "2003-03-03", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "Obs", reporter_contact: "09 123 45 67" },
      "submit",
    );
    if (made.kind !== "submitted") throw new Error(made.kind);
    const id = (await store.reportByReference(ctx().database.db, made.reference))!.id;
    const coordinatorActor = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    const taken = await decide(ctx(), { actor: coordinatorActor }, id, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error(taken.kind);
    report = { id, reference: made.reference, caseId: taken.caseId, label: (await caseRow(ctx(), taken.caseId))!.label! };
    coordinator = await login(app, coordinatorUser);
    chair = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const checkbox = (body: string) => /<input type="checkbox" id="also_linked" name="also_linked" value="yes"( checked)?/.exec(body);

  it("the case form names the source report and offers it ticked; a refusal keeps the unticked box; saved with the box, both change; the chair sees the reference without the box", async () => {
    const url = `/cases/${report.caseId}/identity`;
    const form = await app.inject({ method: "GET", url, headers: coordinator.headers() });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`Deze casus kwam uit melding ${report.reference}.`);
    expect(checkbox(form.body)?.[1]).toBe(" checked");
    const post = (fields: Record<string, string>) => app.inject({ method: "POST", url, headers: coordinator.headers({ form: true }), payload: coordinator.form(fields) });

    const unticked = await post({ full_name: "", date_of_birth: "2003-03-04", reason: "typo" });
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('href="#full_name"');
    expect(checkbox(unticked.body)?.[1]).toBeUndefined();
    const ticked = await post({ full_name: "Pieter Paginaa", date_of_birth: "", reason: "typo", also_linked: "yes" });
    expect(ticked.statusCode).toBe(400);
    expect(ticked.body).toContain('href="#date_of_birth"');
    expect(ticked.body).toContain("een melding heeft er een nodig");
    expect(ticked.body).toContain('value="Pieter Paginaa"');
    expect(checkbox(ticked.body)?.[1]).toBe(" checked");

    const ok = await post({ full_name: "Pieter Page", date_of_birth: "2003-03-04", reason: "wrong_person", also_linked: "yes" });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/cases/${report.caseId}`);
    const screening = await app.inject({ method: "GET", url: `/screening/${report.id}`, headers: coordinator.headers() });
    expect(screening.body).toContain("Pieter Page");
    expect(screening.body).toContain("Identiteit verbeterd (verwisseld met een andere persoon)");

    const chairForm = await app.inject({ method: "GET", url, headers: chair.headers() });
    expect(chairForm.body).toContain(`Deze casus kwam uit melding ${report.reference}.`);
    expect(chairForm.body).toContain("verbetert wie de melding screent");
    expect(checkbox(chairForm.body)).toBeNull();
  });

  it("the report form names the case and offers it ticked; saved without the box only the report changes, with it both", async () => {
    const url = `/screening/${report.id}/identity`;
    const form = await app.inject({ method: "GET", url, headers: coordinator.headers() });
    expect(form.body).toContain(`Deze melding werd casus ${report.label}.`);
    expect(checkbox(form.body)?.[1]).toBe(" checked");
    const post = (fields: Record<string, string>) => app.inject({ method: "POST", url, headers: coordinator.headers({ form: true }), payload: coordinator.form(fields) });
    expect((await post({ full_name: "Pieter Alleen", date_of_birth: "2003-03-04", reason: "typo" })).statusCode).toBe(303);
    const casePage = async () => (await app.inject({ method: "GET", url: `/cases/${report.caseId}`, headers: coordinator.headers() })).body;
    expect(await casePage()).toContain("Pieter Page");
    expect((await post({ full_name: "Pieter Samen", date_of_birth: "2003-03-04", reason: "typo", also_linked: "yes" })).statusCode).toBe(303);
    expect(await casePage()).toContain("Pieter Samen");
  });
});
