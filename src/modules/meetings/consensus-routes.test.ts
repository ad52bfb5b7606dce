import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { openCaseFromScreening } from "../cases/service";
import { makeLivc, makeOrganisation } from "../cases/testing";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { scheduleMeeting } from "./service";
import * as store from "./store";

/**
 * Decision 0051 over HTTP: the framework on the acknowledgement card (a partner without registry.read
 * reads it), the one attendance register with the chair who has no organisation, a feedback form
 * refused for a consultation that did not discuss the case or was not held (typed text kept), and
 * the per-organisation register of the partners page gone.
 */
describeEachDialect("meetings: consensus and framework over HTTP", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let meetingId: string;
  let plannedId: string;
  let users: Record<"chair" | "coordinator" | "officer" | "clb" | "caw", TestUser>;
  const s = {} as Record<keyof typeof users, LoginSession>;
  const cases: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };
  const today = todayInBrussels();

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx());
    await addFramework(ctx().database, {}, livc, { participants: "Burgemeester, coördinator, informatieambtenaar, diensten per casus", purpose: "Casusoverleg over radicalisering", working_arrangements: "Agenda vijf werkdagen vooraf", adopted_on: "2020-01-01" });
    const clb = await makeOrganisation(ctx(), "CLB", "clb");
    const caw = await makeOrganisation(ctx(), "CAW", "caw");
    const police = await makeOrganisation(ctx(), "Politie", "local_police");
    users = {
      chair: await createUser(ctx(), { displayName: "Burgemeester Zonder Organisatie", roles: [{ livcId: livc, role: "chair" }] }),
      coordinator: await createUser(ctx(), { displayName: "Coördinator Route", roles: [{ livcId: livc, role: "coordinator" }] }),
      officer: await createUser(ctx(), { displayName: "Informatieambtenaar Route", roles: [{ livcId: livc, role: "information_officer", organisationId: police }] }),
      clb: await createUser(ctx(), { displayName: "Partner CLB Route", roles: [{ livcId: livc, role: "partner_member", organisationId: clb }] }),
      caw: await createUser(ctx(), { displayName: "Partner CAW Route", roles: [{ livcId: livc, role: "partner_member", organisationId: caw }] }),
    };
    await partners.addOrganisationContact(ctx(), {}, clb, users.clb.id);
    await partners.addOrganisationContact(ctx(), {}, caw, users.caw.id);
    const actor: Actor = { userId: users.coordinator.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role: "coordinator", organisationId: null }] };
    for (const k of ["a", "b", "c"] as const) {
      cases[k] = (await openCaseFromScreening(ctx(), { actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Fictief Persoon", dateOfBirth: "2000-02-02" }, screeningDecision: "take_up" })).id;
    }
    meetingId = await scheduleMeeting(ctx(), { actor }, { livcId: livc, heldOn: addDays(today, -2), startsAt: "14:00", place: "Stadhuis", videoUrl: null, items: [{ caseId: cases.a, organisationIds: [clb] }, { caseId: cases.b, organisationIds: [caw] }] });
    plannedId = await scheduleMeeting(ctx(), { actor }, { livcId: livc, heldOn: addDays(today, 5), startsAt: null, place: "Stadhuis", videoUrl: null, items: [{ caseId: cases.c, organisationIds: [] }] });
    for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k]);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (who: LoginSession, url: string, fields: Record<string, string>, extra = "") => app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: who.form(fields) + extra });
  const get = (who: LoginSession, url: string) => app.inject({ method: "GET", url, headers: who.headers() });

  it("a partner reads the framework they are bound by on the acknowledgement card, without registry.read", async () => {
    const page = await get(s.clb, `/meetings/${meetingId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Het kader waaraan u gebonden bent");
    for (const text of ["Burgemeester, coördinator, informatieambtenaar, diensten per casus", "Casusoverleg over radicalisering", "Agenda vijf werkdagen vooraf"]) expect(page.body).toContain(text);
    expect((await get(s.clb, `/registry/${livc}`)).statusCode).toBe(403);
  });

  it("the one register records the chair without an organisation; the partners page's own register is gone", async () => {
    for (const [k, org] of [["clb", "clb"], ["caw", "caw"]] as const) {
      const inv = (await store.servicesOf(ctx().database.db, meetingId)).find((x) => x.case_id === (org === "clb" ? cases.a : cases.b))!;
      expect((await post(s[k], `/invitations/${inv.invitation_id}`, { answer: "accept" })).statusCode).toBe(303);
    }
    for (const k of Object.keys(users) as (keyof typeof users)[]) expect((await post(s[k], `/meetings/${meetingId}/acknowledge`, {})).statusCode).toBe(303);
    const present = Object.values(users).map((u) => `&present=${u.id}`).join("");
    expect((await post(s.coordinator, `/meetings/${meetingId}/attendance`, {}, present)).statusCode).toBe(303);
    const page = await get(s.coordinator, `/meetings/${meetingId}`);
    expect(page.body).toMatch(new RegExp(`id="present-${users.chair.id}"[^>]*checked`));
    expect((await partners.attendanceFor(ctx(), meetingId)).find((l) => l.user_id === users.chair.id)).toMatchObject({ organisation_id: null, attended: true });
    // The per-organisation register (user-less lines the consensus never read) is no more; the LIVC page links to the meeting's.
    expect((await get(s.coordinator, `/partners/consultations/${meetingId}`)).statusCode).toBe(404);
    expect((await post(s.coordinator, `/partners/consultations/${meetingId}`, { present: "x" })).statusCode).toBe(404);
    const livcPage = await get(s.coordinator, `/partners/livc/${livc}`);
    expect(livcPage.body).toContain(`href="/meetings/${meetingId}#att-title"`);
  });

  it("a feedback form for a consultation that did not discuss the case, or was not held, is refused with the text kept", async () => {
    const notOnAgenda = await post(s.officer, `/cases/${cases.c}/feedback`, { consultation: meetingId, content: "Tekst die blijft staan" });
    expect(notOnAgenda.statusCode).toBe(400);
    expect(notOnAgenda.body).toContain('class="error-summary"');
    expect(notOnAgenda.body).toContain('href="#consultation"');
    expect(notOnAgenda.body).toContain("De casus stond niet op de agenda van dit overleg");
    expect(notOnAgenda.body).toContain("Tekst die blijft staan</textarea>");
    const notHeld = await post(s.officer, `/cases/${cases.c}/feedback`, { consultation: plannedId, content: "Nog een tekst" });
    expect(notHeld.statusCode).toBe(400);
    expect(notHeld.body).toContain("Dit overleg vond nog niet plaats");
    expect(notHeld.body).toContain("Nog een tekst</textarea>");
    const forms = await ctx().database.db.selectFrom("feedback_form").select("id").where("case_id", "=", cases.c).execute();
    expect(forms).toEqual([]);
  });

  it("case A's form asks the chair and the CLB partner, not the CAW partner who was there for case B", async () => {
    const made = await post(s.officer, `/cases/${cases.a}/feedback`, { consultation: meetingId, content: "Opvolging via het CLB." });
    expect(made.statusCode).toBe(303);
    const url = made.headers.location as string;
    const form = await get(s.officer, url);
    expect(form.statusCode).toBe(200);
    for (const name of ["Burgemeester Zonder Organisatie", "Coördinator Route", "Informatieambtenaar Route", "Partner CLB Route"]) expect(form.body).toContain(`${name}: Nog niet gestemd`);
    expect(form.body).not.toContain("Partner CAW Route");
    expect((await get(s.caw, url)).statusCode).toBe(404);
    expect((await post(s.caw, `${url}/vote`, { vote: "object" })).statusCode).toBe(404);
    expect((await post(s.chair, `${url}/vote`, { vote: "approve" })).statusCode).toBe(303);
    expect((await get(s.officer, url)).body).toContain("Burgemeester Zonder Organisatie: Akkoord");
  });
});
