import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { todayInBrussels } from "../../platform/db/values";
import { openCaseFromScreening } from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { scheduleMeeting } from "./service";
import * as store from "./store";

/**
 * Planning a consultation over HTTP in two steps: step 1 pages and searches the LIVC's open cases
 * and keeps what was chosen; step 2 offers per case the organisations seated in the LIVC on the
 * meeting date plus those invited for that case before, and the server refuses any other service.
 */
describeEachDialect("meetings: planning form", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let coordinator: TestUser;
  let s: LoginSession;
  let caseA: { id: string; label: string };
  let caseB: { id: string; label: string };
  let closed: { id: string; label: string };
  const org: Record<"seated" | "ended" | "invited" | "elsewhere", string> = { seated: "", ended: "", invited: "", elsewhere: "" };
  const day = "2099-12-01";

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx(), "PLAN");
    org.seated = await makeOrganisation(ctx(), "CAW Zetel", "caw");
    org.ended = await makeOrganisation(ctx(), "OCMW Vroeger", "ocmw_social_service");
    org.invited = await makeOrganisation(ctx(), "CLB Uitgenodigd", "clb");
    org.elsewhere = await makeOrganisation(ctx(), "School Elders", "school_primary");
    await partners.addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId: org.seated, fromOn: "2020-01-01" });
    await partners.addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId: org.ended, fromOn: "2020-01-01", toOn: "2021-01-01" });
    await addFramework(ctx().database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    coordinator = await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] });
    const actor = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    const open = async () => {
      const c = await openCaseFromScreening(ctx(), { actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Olaf Fictief", dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" });
      return { id: c.id, label: c.label };
    };
    caseA = await open();
    closed = await open();
    await ctx().database.db.updateTable("case_file").set({ status: "closed" }).where("id", "=", closed.id).execute();
    // 50 more open cases: the open cases fill two pages of 50 (newest first, so A is on page 2).
    for (let i = 0; i < 49; i++) await open();
    caseB = await open();
    // An earlier meeting invited the CLB (no seat) for case A only.
    await scheduleMeeting(ctx(), { actor }, { livcId: livc, heldOn: "2099-11-01", startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId: caseA.id, organisationIds: [org.invited] }] });
    s = await login(app, coordinator);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, fields: [string, string][]) =>
    app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: new URLSearchParams([["_csrf", s.csrfToken], ["livc", livc], ...fields]).toString() });
  const basics: [string, string][] = [
    ["held_on", day],
    ["starts_at", "14:00"],
    ["place", "Stadhuis"],
  ];
  const box = (html: string, name: string, value: string) => new RegExp(`<input type="checkbox"[^>]*name="${name}" value="${value}"[^>]*/>`).exec(html)?.[0];
  const meetingsOfLivc = async () => (await ctx().database.db.selectFrom("consultation").select("id").where("livc_id", "=", livc).execute()).length;

  it("step 1 shows one page of open cases; paging and search keep what was typed and ticked", async () => {
    const first = await app.inject({ method: "GET", url: "/meetings/new", headers: s.headers() });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain("Open casussen: 51 (pagina 1 van 2)");
    expect(box(first.body, "cases", caseB.id)).toBeDefined();
    expect(first.body).not.toContain(caseA.id);
    expect(first.body).not.toContain(closed.id);
    // The services checkboxes are not on step 1 at all: only a page of cases.
    expect(first.body).not.toContain('name="services_');
    expect(first.body).toContain('name="go" value="page-2"');

    const second = await post("/meetings/new", [...basics, ["cases", caseB.id], ["go", "page-2"]]);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain("(pagina 2 van 2)");
    expect(box(second.body, "cases", caseA.id)).not.toContain("checked");
    expect(box(second.body, "cases", caseB.id)).toContain("checked");
    expect(second.body).toContain('value="Stadhuis"');

    const found = await post("/meetings/new", [...basics, ["cases", caseB.id], ["q", caseA.label], ["go", "search"]]);
    expect(found.body).toContain("Open casussen: 1 (pagina 1 van 1)");
    expect(box(found.body, "cases", caseA.id)).toBeDefined();
    expect(box(found.body, "cases", caseB.id)).toContain("checked");
    // A closed case is never offered, even when asked for by label.
    const none = await post("/meetings/new", [["q", closed.label], ["go", "search"]]);
    expect(none.body).toContain("Open casussen: 0");
    expect(none.body).not.toContain(closed.id);
  });

  it("step 1 refuses to continue without a valid date and keeps the input", async () => {
    const r = await post("/meetings/new", [["place", "Stadhuis"], ["cases", caseB.id], ["go", "next"]]);
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('href="#held_on"');
    expect(r.body).toContain('value="Stadhuis"');
    expect(box(r.body, "cases", caseB.id)).toContain("checked");
    const noCase = await post("/meetings/new", [...basics, ["go", "next"]]);
    expect(noCase.statusCode).toBe(400);
    expect(noCase.body).toContain('href="#cases"');
    expect(noCase.body).toContain('id="cases"');
  });

  it("step 2 offers per case the seated organisations and those already invited for that case", async () => {
    const r = await post("/meetings/new", [...basics, ["cases", caseA.id], ["cases", caseB.id], ["go", "next"]]);
    expect(r.statusCode).toBe(200);
    expect(box(r.body, `services_${caseA.id}`, org.seated)).toBeDefined();
    expect(box(r.body, `services_${caseA.id}`, org.invited)).toBeDefined();
    expect(box(r.body, `services_${caseB.id}`, org.seated)).toBeDefined();
    expect(box(r.body, `services_${caseB.id}`, org.invited)).toBeUndefined();
    for (const c of [caseA, caseB]) {
      expect(box(r.body, `services_${c.id}`, org.ended)).toBeUndefined();
      expect(box(r.body, `services_${c.id}`, org.elsewhere)).toBeUndefined();
      expect(r.body).toContain(`Diensten voor ${c.label}`);
    }
    // Going back keeps the ticked services (hidden) and the chosen cases.
    const back = await post("/meetings/new", [...basics, ["cases", caseA.id], [`services_${caseA.id}`, org.invited], ["go", "back"]]);
    expect(back.body).toContain(`<input type="hidden" name="services_${caseA.id}" value="${org.invited}"/>`);
    expect(box(back.body, "cases", caseA.id)).toContain("checked");
  });

  it("the server refuses a service that was not offered for its case, with a field error", async () => {
    const before = await meetingsOfLivc();
    for (const [caseId, organisationId] of [
      [caseB.id, org.invited],
      [caseA.id, org.elsewhere],
      [caseA.id, org.ended],
    ]) {
      const r = await post("/meetings", [...basics, ["cases", caseA.id], ["cases", caseB.id], [`services_${caseA.id}`, org.seated], [`services_${caseId}`, organisationId]]);
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain(`href="#svc-${caseId}"`);
      expect(r.body).toContain("Kies voor deze casus alleen diensten uit de lijst");
      // The offered choice stays ticked; the refused one is not shown.
      expect(box(r.body, `services_${caseA.id}`, org.seated)).toContain("checked");
    }
    expect(await meetingsOfLivc()).toBe(before);
  });

  it("plans the meeting with the offered services, each for its own case", async () => {
    const r = await post("/meetings", [...basics, ["cases", caseA.id], ["cases", caseB.id], [`services_${caseA.id}`, org.seated], [`services_${caseA.id}`, org.invited], [`services_${caseB.id}`, org.seated]]);
    expect(r.statusCode).toBe(303);
    const id = r.headers.location?.toString().split("/").at(-1) ?? "";
    const services = await store.servicesOf(ctx().database.db, id);
    expect(services.map((x) => `${x.case_id}:${x.organisation_id}`).sort()).toEqual([`${caseA.id}:${org.seated}`, `${caseA.id}:${org.invited}`, `${caseB.id}:${org.seated}`].sort());
    expect((await store.agendaOf(ctx().database.db, id)).map((a) => a.case_id)).toEqual([caseA.id, caseB.id]);
  });

  it("the minutes offer and accept as action owner only organisations that can see the case (decision 0061)", async () => {
    // Held today: minutes are saved from the meeting's day on (decision 0058).
    const today: [string, string][] = [["held_on", todayInBrussels()], ...basics.filter(([k]) => k !== "held_on")];
    const planned = await post("/meetings", [...today, ["cases", caseA.id], [`services_${caseA.id}`, org.invited]]);
    const id = planned.headers.location?.toString().split("/").at(-1) ?? "";
    await app.inject({ method: "POST", url: `/meetings/${id}/acknowledge`, headers: s.headers({ form: true }), payload: s.form() });
    const minutesPage = () => app.inject({ method: "GET", url: `/meetings/${id}/cases/${caseA.id}/minutes`, headers: s.headers() });
    // Invited but not yet accepted: its members cannot see the case, so it is not offered.
    expect((await minutesPage()).body).not.toContain(`value="${org.invited}"`);
    const inv = await ctx().database.db.selectFrom("consultation_case_service").select("invitation_id").where("consultation_id", "=", id).where("organisation_id", "=", org.invited).executeTakeFirstOrThrow();
    await partners.respondToInvitation(ctx(), {}, inv.invitation_id!, { answer: "accept" });
    const page = await minutesPage();
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${org.invited}"`);
    // Seated in the LIVC but not invited for the case: not offered.
    expect(page.body).not.toContain(`value="${org.seated}"`);
    expect(page.body).not.toContain(`value="${org.elsewhere}"`);
    const bad = await app.inject({ method: "POST", url: `/meetings/${id}/cases/${caseA.id}/minutes`, headers: s.headers({ form: true }), payload: s.form({ action1_description: "Huisbezoek", action1_owner: org.seated, action1_due_on: "2099-12-20" }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#action1_owner"');
    expect(bad.body).toContain("Huisbezoek");
    const ok = await app.inject({ method: "POST", url: `/meetings/${id}/cases/${caseA.id}/minutes`, headers: s.headers({ form: true }), payload: s.form({ action1_owner: org.invited, action1_due_on: "2099-12-20" }) });
    expect(ok.statusCode).toBe(303);
  });
});
