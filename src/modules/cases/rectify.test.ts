import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { CaseError, casesOfSubject, caseIdentityForEdit, getCase, listCases, openCaseFromScreening, rectifiableRecords, rectifyCaseIdentity, RectifyInvalid, subjectAccessExport } from "./service";
import * as pd from "./personal";
import * as store from "./store";
import { makeActor, makeLivc } from "./testing";
import { expectSealed } from "../../../test/support/sealed";

const WRONG = { fullName: "Jan Janssenn", dateOfBirth: "2008-04-01" };
const RIGHT = { fullName: "Jan Janssens", dateOfBirth: "2008-04-11" };

/**
 * Rectification of a case's identity (GDPR art. 16, decision 0046): the chair, the coordinator and
 * the DPO may; the stored ciphertext changes and decrypts to the new value; the blind index follows,
 * so the duplicate hint and subject access find the person under the corrected data only; a
 * content-free event and the audit entry; everyone else refused and audited.
 */
describeEachDialect("case identity rectification", (ctx) => {
  let livc: string;
  let coordinator: Actor;
  let officer: Actor;
  let partner: Actor;
  let analyst: Actor;
  let admin: Actor;
  let dpo: Actor;
  const db = () => ctx().database.db;
  const open = async (identity = WRONG) =>
    (await openCaseFromScreening(ctx(), { actor: coordinator }, { livcId: livc, reportId: null, minor: true, identity, screeningDecision: "take_up" })).id;
  const row = (id: string) => db().selectFrom("case_file").select(["identity_enc", "subject_index"]).where("id", "=", id).executeTakeFirstOrThrow();
  const audits = (actorId: string, action: string) =>
    db().selectFrom("audit_entry").select(["outcome", "resource_id"]).where("actor_id", "=", actorId).where("action", "=", action).execute();

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer" }]);
    partner = await makeActor(ctx(), [{ livcId: livc, role: "partner_member" }]);
    analyst = await makeActor(ctx(), [], { isRegionalAnalyst: true });
    admin = await makeActor(ctx(), [], { isAdmin: true });
    dpo = await makeActor(ctx(), [], { isDpo: true });
  }, 60_000);

  it("the coordinator corrects name and date of birth: new ciphertext decrypting to the new value, event and audit entry, blind index moved", async () => {
    const id = await open();
    const before = await row(id);
    await rectifyCaseIdentity(ctx(), { actor: coordinator }, id, { ...RIGHT, reason: "typo" });
    const after = await row(id);
    expect(after.identity_enc).not.toBe(before.identity_enc);
    expectSealed(after.identity_enc, "Jan Janssens");
    expect((await getCase(ctx(), { actor: coordinator }, id)).identity).toEqual(RIGHT);
    expect(after.subject_index).toBe(await pd.subjectIndexOf(ctx(), RIGHT.fullName, RIGHT.dateOfBirth));
    expect(after.subject_index).not.toBe(before.subject_index);
    // Content-free: the kind and the reason code only.
    const events = await db().selectFrom("case_event").select(["kind", "reason", "note_enc", "actor_id"]).where("case_id", "=", id).where("kind", "=", "identity_corrected").execute();
    expect(events).toEqual([{ kind: "identity_corrected", reason: "typo", note_enc: null, actor_id: coordinator.userId }]);
    expect(await audits(coordinator.userId, "case.identity.rectify")).toEqual([{ outcome: "success", resource_id: id }]);
    const write = await db().selectFrom("audit_entry").select("outcome").where("actor_id", "=", coordinator.userId).where("action", "=", "personal_data.write").where("resource_id", "=", id).execute();
    expect(write.length).toBeGreaterThanOrEqual(2); // opened, then corrected
  });

  it("after the correction the old name finds nothing and the new one finds the case: list search, duplicate hint, subject access", async () => {
    const id = await open({ fullName: "Piet Peeterss", dateOfBirth: "2007-01-02" });
    const oldIndex = await pd.subjectIndexOf(ctx(), "Piet Peeterss", "2007-01-02");
    const newIndex = await pd.subjectIndexOf(ctx(), "Piet Peeters", "2007-01-02");
    expect((await casesOfSubject(ctx(), livc, newIndex)).map((c) => c.id)).not.toContain(id);
    await rectifyCaseIdentity(ctx(), { actor: coordinator }, id, { fullName: "Piet Peeters", dateOfBirth: "2007-01-02", reason: "subject_request" });
    // The duplicate hint at screening (casesOfSubject) and the case list's person search.
    expect((await casesOfSubject(ctx(), livc, oldIndex)).map((c) => c.id)).not.toContain(id);
    expect((await casesOfSubject(ctx(), livc, newIndex)).map((c) => c.id)).toContain(id);
    expect((await listCases(ctx(), { actor: coordinator }, { fullName: "Piet Peeterss", dateOfBirth: "2007-01-02" })).map((c) => c.id)).not.toContain(id);
    expect((await listCases(ctx(), { actor: coordinator }, { fullName: "Piet Peeters", dateOfBirth: "2007-01-02" })).map((c) => c.id)).toEqual([id]);
    // Subject access (art. 15) under the corrected data, none under the old.
    expect((await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Piet Peeterss", dateOfBirth: "2007-01-02" })).cases).toEqual([]);
    const sar = await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Piet Peeters", dateOfBirth: "2007-01-02" });
    expect(sar.cases.map((c) => c.identity)).toEqual([{ fullName: "Piet Peeters", dateOfBirth: "2007-01-02" }]);
  });

  it("the DPO (not on the need-to-know list) finds the case by the blind index, reads the form (audited) and corrects it", async () => {
    const id = await open({ fullName: "Mia Maes", dateOfBirth: "2006-06-06" });
    const found = await rectifiableRecords(ctx(), { actor: dpo }, { fullName: "Mia Maes", dateOfBirth: "2006-06-06" });
    expect(found.filter((r) => r.kind === "case").map((r) => r.href)).toEqual([`/cases/${id}/identity`]);
    const form = await caseIdentityForEdit(ctx(), { actor: dpo }, id);
    expect(form.identity).toEqual({ fullName: "Mia Maes", dateOfBirth: "2006-06-06" });
    expect(await audits(dpo.userId, "case.identity.read")).toContainEqual({ outcome: "success", resource_id: id });
    expect((await audits(dpo.userId, "personal_data.read")).map((a) => a.resource_id)).toContain(id);
    await rectifyCaseIdentity(ctx(), { actor: dpo }, id, { fullName: "Mia Maes", dateOfBirth: "", reason: "wrong_person" });
    expect((await getCase(ctx(), { actor: coordinator }, id)).identity).toEqual({ fullName: "Mia Maes", dateOfBirth: null });
    expect(await audits(dpo.userId, "case.identity.rectify")).toEqual([{ outcome: "success", resource_id: id }]);
    // The search itself is logged; nobody but the DPO may search.
    expect((await audits(dpo.userId, "rectify.search")).length).toBe(1);
    await expect(rectifiableRecords(ctx(), { actor: coordinator }, { fullName: "Mia Maes", dateOfBirth: null })).rejects.toBeInstanceOf(CaseError);
    expect(await audits(coordinator.userId, "rectify.search")).toEqual([{ outcome: "denied", resource_id: "search" }]);
  });

  it("refuses the information officer, a partner member with a grant, an analyst and an administrator: audited, nothing changed", async () => {
    const id = await open({ fullName: "Lotte Lemmens", dateOfBirth: "2009-09-09" });
    await store.insertGrant(db(), { case_id: id, user_id: partner.userId, consultation_id: "test-consultation" });
    const before = await row(id);
    const expected: [Actor, "not_allowed" | "not_found"][] = [
      [officer, "not_allowed"], // sees the case, has no manage rights
      [partner, "not_allowed"], // sees this case through a grant
      [analyst, "not_found"],
      [admin, "not_found"],
    ];
    for (const [actor, code] of expected) {
      await expect(caseIdentityForEdit(ctx(), { actor }, id)).rejects.toMatchObject({ code });
      await expect(rectifyCaseIdentity(ctx(), { actor }, id, { fullName: "Iemand Anders", dateOfBirth: "2001-01-01", reason: "other" })).rejects.toMatchObject({ code });
      expect(await audits(actor.userId, "case.identity.read")).toEqual([{ outcome: "denied", resource_id: id }]);
      expect(await audits(actor.userId, "case.identity.rectify")).toEqual([{ outcome: "denied", resource_id: id }]);
      expect(await audits(actor.userId, "personal_data.read")).toEqual([]);
    }
    expect(await row(id)).toEqual(before);
    expect(await db().selectFrom("case_event").select("id").where("case_id", "=", id).where("kind", "=", "identity_corrected").execute()).toEqual([]);
  });

  it("refuses an empty name, a bad or future date and a reason outside the list, changing nothing; a purged case has nothing to correct", async () => {
    const id = await open({ fullName: "Noor Nys", dateOfBirth: "2010-10-10" });
    const before = await row(id);
    const refused = await rectifyCaseIdentity(ctx(), { actor: coordinator }, id, { fullName: "  ", dateOfBirth: "10-10-2010", reason: "because" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RectifyInvalid);
    expect((refused as RectifyInvalid).errors).toEqual({ full_name: "required", date_of_birth: "invalid", reason: "required" });
    const future = await rectifyCaseIdentity(ctx(), { actor: coordinator }, id, { fullName: "Noor Nys", dateOfBirth: "2999-01-01", reason: "typo" }).catch((e: unknown) => e);
    expect((future as RectifyInvalid).errors).toEqual({ date_of_birth: "future" });
    expect(await row(id)).toEqual(before);
    await db().updateTable("case_file").set({ status: "purged", identity_enc: null, subject_index: null }).where("id", "=", id).execute();
    await expect(rectifyCaseIdentity(ctx(), { actor: coordinator }, id, { fullName: "Noor Nys", dateOfBirth: "2010-10-10", reason: "typo" })).rejects.toMatchObject({ code: "wrong_status" });
  });
});

describeEachDialect("case identity rectification: the page", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let caseId: string;
  let users: Record<"chair" | "officer" | "analyst" | "dpo", TestUser>;
  const s: Partial<Record<keyof typeof users, LoginSession>> = {};
  const post = (who: LoginSession, fields: Record<string, string>, url = `/cases/${caseId}/identity`) =>
    app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: who.form(fields) });

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx());
    users = {
      chair: await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] }),
      officer: await createUser(ctx(), { roles: [{ livcId: livc, role: "information_officer" }] }),
      analyst: await createUser(ctx(), { platformRoles: ["regional_analyst"] }),
      dpo: await createUser(ctx(), { platformRoles: ["dpo"] }),
    };
    for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k]);
    const lead = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    caseId = (await openCaseFromScreening(ctx(), { actor: lead }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Els Fictief", dateOfBirth: "2001-05-05" }, screeningDecision: "take_up" })).id;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("the chair sees the link and the pre-filled form; an empty name is refused with the summary linked and the typed values kept; a good one saves", async () => {
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: s.chair!.headers() })).body).toContain(`/cases/${caseId}/identity`);
    const form = await app.inject({ method: "GET", url: `/cases/${caseId}/identity`, headers: s.chair!.headers() });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Els Fictief"');
    expect(form.body).toContain('value="2001-05-05"');
    const bad = await post(s.chair!, { full_name: "", date_of_birth: "2001-05-15", reason: "typo" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#full_name"');
    expect(bad.body).toContain('value="2001-05-15"');
    expect(bad.body).toMatch(/<option value="typo" selected>/);
    expect(bad.body).toContain('aria-invalid="true"');
    const ok = await post(s.chair!, { full_name: "Els Fictieve", date_of_birth: "2001-05-15", reason: "typo" });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/cases/${caseId}`);
    const page = await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: s.chair!.headers() });
    expect(page.body).toContain("Els Fictieve");
    expect(page.body).toContain("Identiteit verbeterd");
  });

  it("the information officer gets 403 and no link, the analyst 404, a post without CSRF 403; the DPO reaches the form from the search and returns to it", async () => {
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: s.officer!.headers() })).body).not.toContain(`/cases/${caseId}/identity`);
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}/identity`, headers: s.officer!.headers() })).statusCode).toBe(403);
    expect((await post(s.officer!, { full_name: "X", date_of_birth: "", reason: "typo" })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: `/cases/${caseId}/identity`, headers: s.analyst!.headers() })).statusCode).toBe(404);
    const noCsrf = await app.inject({ method: "POST", url: `/cases/${caseId}/identity`, headers: s.chair!.headers({ form: true }), payload: "full_name=X&date_of_birth=&reason=typo" });
    expect(noCsrf.statusCode).toBe(403);

    const search = await post(s.dpo!, { name: "Els Fictieve", dob: "2001-05-15" }, "/rectify");
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain(`href="/cases/${caseId}/identity"`);
    const saved = await post(s.dpo!, { full_name: "Els Fictieve", date_of_birth: "2001-05-16", reason: "subject_request" });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe("/rectify?done=1");
    // The chair and the coordinator are not DPOs: the search page is not theirs.
    expect((await app.inject({ method: "GET", url: "/rectify", headers: s.chair!.headers() })).statusCode).toBe(403);
  });
});
