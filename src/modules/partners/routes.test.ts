import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { addOrganisationContact, invitationById, respondToInvitation, sendInvitation } from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

describe("Partners over HTTP: policy, answers, regional figures", () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let livcA = "";
  let livcB = "";
  let invA = "";
  let invB = "";
  let partnerA: LoginSession;
  let chairA: LoginSession;
  let analyst: LoginSession;

  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
    app = await buildApp(ctx, { logger: false });
    livcA = await makeLivc(ctx, "LIVC Alfa", ["12025"]);
    livcB = await makeLivc(ctx, "LIVC Bravo", ["44021"]);
    const cawA = await makeOrg(ctx, "CAW Alfa", "caw");
    const clbB = await makeOrg(ctx, "CLB Bravo", "clb");
    const userA = await createUser(ctx, { roles: [{ livcId: livcA, role: "partner_member", organisationId: cawA }], organisationId: cawA });
    const userB = await createUser(ctx, { organisationId: clbB });
    await addOrganisationContact(ctx, system, cawA, userA.id);
    await addOrganisationContact(ctx, system, clbB, userB.id);
    invA = await sendInvitation(ctx, system, { livcId: livcA, organisationId: cawA, kind: "consultation", caseRef: "A-9" });
    invB = await sendInvitation(ctx, system, { livcId: livcB, organisationId: clbB, kind: "structural" });
    partnerA = await login(app, userA);
    chairA = await login(app, await createUser(ctx, { roles: [{ livcId: livcA, role: "chair" }] }));
    analyst = await login(app, await createUser(ctx, { platformRoles: ["regional_analyst"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it("a partner of LIVC A cannot see LIVC B's invitations: not in the list, not by id, cannot answer", async () => {
    const list = await app.inject({ method: "GET", url: "/api/v1/partners/invitations", headers: partnerA.headers() });
    expect(list.statusCode).toBe(200);
    expect(list.json().invitations.map((i: { id: string }) => i.id)).toEqual([invA]);
    const inbox = await app.inject({ method: "GET", url: "/invitations", headers: partnerA.headers() });
    expect(inbox.body).toContain(`/invitations/${invA}`);
    expect(inbox.body).not.toContain(invB);
    expect((await app.inject({ method: "GET", url: `/invitations/${invB}`, headers: partnerA.headers() })).statusCode).toBe(404);
    const answer = await app.inject({ method: "POST", url: `/invitations/${invB}`, headers: partnerA.headers({ form: true }), payload: partnerA.form({ answer: "accept" }) });
    expect(answer.statusCode).toBe(404);
    expect((await invitationById(ctx, invB))!.status).toBe("pending");
  });

  it("the chair of A sees A's invitations but not B's LIVC page", async () => {
    const list = await app.inject({ method: "GET", url: "/api/v1/partners/invitations", headers: chairA.headers() });
    expect(list.json().invitations.map((i: { id: string }) => i.id)).toEqual([invA]);
    expect((await app.inject({ method: "GET", url: `/partners/livc/${livcB}`, headers: chairA.headers() })).statusCode).toBe(404);
    const page = await app.inject({ method: "GET", url: `/partners/livc/${livcA}`, headers: chairA.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("CAW Alfa");
    // A partner member may not invite.
    const invite = await app.inject({ method: "POST", url: `/partners/livc/${livcA}/invitations`, headers: partnerA.headers({ form: true }), payload: partnerA.form({ organisation_id: "x" }) });
    expect(invite.statusCode).toBe(403);
  });

  it("the LIVC page shows its invitations 50 at a time, newest first among the pending ones; the invite form still offers every organisation invited before", async () => {
    const livc = await makeLivc(ctx, "LIVC Paged", ["11002"]);
    const chair = await login(app, await createUser(ctx, { roles: [{ livcId: livc, role: "chair" }] }));
    const early = await makeOrg(ctx, "Vroeg Uitgenodigde Dienst", "clb");
    await sendInvitation(ctx, system, { livcId: livc, organisationId: early, kind: "structural", today: "2025-01-02" });
    const later = await makeOrg(ctx, "Later Uitgenodigde Dienst", "youth_work");
    for (let i = 0; i < 54; i++) await sendInvitation(ctx, system, { livcId: livc, organisationId: later, kind: "consultation", caseRef: `P-${i}` });
    const rows = (html: string) => (html.match(/<tr>/g) ?? []).length - 1;
    const first = await app.inject({ method: "GET", url: `/partners/livc/${livc}`, headers: chair.headers() });
    expect(first.statusCode).toBe(200);
    const invitations = (html: string) => html.slice(html.indexOf('id="invitations"'), html.indexOf('id="seat"'));
    expect(rows(invitations(first.body))).toBe(50);
    expect(invitations(first.body)).not.toContain("Vroeg Uitgenodigde Dienst");
    expect(invitations(first.body)).toContain(`href="/partners/livc/${livc}?inv_page=2#invitations"`);
    // The organisation invited only on the second page is still offered in the invite form.
    expect(first.body.slice(0, first.body.indexOf('id="invitations"'))).toContain("Vroeg Uitgenodigde Dienst");
    const second = await app.inject({ method: "GET", url: `/partners/livc/${livc}?inv_page=2`, headers: chair.headers() });
    expect(rows(invitations(second.body))).toBe(5);
    expect(invitations(second.body)).toContain("Vroeg Uitgenodigde Dienst");
    // A page past the end shows the last one.
    const past = await app.inject({ method: "GET", url: `/partners/livc/${livc}?inv_page=99`, headers: chair.headers() });
    expect(rows(invitations(past.body))).toBe(5);
  });

  it("a decline without a reason is refused with the error summary; with a reason it is recorded", async () => {
    const refused = await app.inject({ method: "POST", url: `/invitations/${invA}`, headers: partnerA.headers({ form: true }), payload: partnerA.form({ answer: "decline", note: "" }) });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('class="error-summary"');
    expect(refused.body).toContain('href="#reason"');
    expect((await invitationById(ctx, invA))!.status).toBe("pending");
    const ok = await app.inject({ method: "POST", url: `/invitations/${invA}`, headers: partnerA.headers({ form: true }), payload: partnerA.form({ answer: "decline", reason: "no_capacity" }) });
    expect(ok.statusCode).toBe(303);
    expect(await invitationById(ctx, invA)).toMatchObject({ status: "declined", decline_reason: "no_capacity" });
  });

  it("regional figures: JSON with the agreed fields, <5 for small counts, documented in OpenAPI", async () => {
    // A structural invitation in an ended quarter, declined (the invitations above are of today: in the running quarter).
    const zulu = await makeOrg(ctx, "CAW Zulu", "caw");
    const inv = await sendInvitation(ctx, system, { livcId: livcA, organisationId: zulu, kind: "structural", today: "2025-05-02", termDays: 14 });
    await respondToInvitation(ctx, system, inv, { answer: "decline", reason: "no_capacity", today: "2025-05-05" });
    const date = "2025-08-01";
    const res = await app.inject({ method: "GET", url: `/api/v1/monitoring/participation?date=${date}`, headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ date: "2025-06-30", requested_date: date, after_today: false, period: { from: "2024-07-01", to: "2025-06-30" }, livcs: 2, livcs_without_social_partner: 2 });
    expect(body.notice).toContain("parameter date (2025-08-01)");
    const caw = body.by_sector.find((s: { sector: string }) => s.sector === "caw");
    expect(caw).toMatchObject({ sector: "caw", livcs_member: 0, invitations: { sent: "<5", accepted: 0, declined: "<5", expired: 0 }, decline_reasons: { no_capacity: "<5" }, attendance_rate: null });
    expect(res.body).not.toMatch(/CAW Alfa|CAW Zulu|Test Persoon/);
    expect((await app.inject({ method: "GET", url: "/api/v1/monitoring/participation?date=2025-02-30", headers: analyst.headers() })).statusCode).toBe(400);
    expect((await app.inject({ method: "GET", url: "/api/v1/monitoring/participation" })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/v1/monitoring/participation", headers: partnerA.headers() })).statusCode).toBe(403);
    const docs = (await app.inject({ method: "GET", url: "/api/docs/json" })).json();
    expect(Object.keys(docs.paths)).toContain("/api/v1/monitoring/participation");
  });

  it("exports CSV (BOM, ';') and PDF, and renders the matrix page", async () => {
    const date = "2025-08-01";
    const csv = await app.inject({ method: "GET", url: `/monitoring/participation.csv?date=${date}`, headers: analyst.headers() });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.startsWith("\uFEFFdate;level;livc_code")).toBe(true);
    expect(csv.body).toContain("\n2025-06-30;flanders;;;caw;yes;0;;0;<5;0;<5;0;");
    expect(csv.headers["content-disposition"]).toContain("schakel-participation-2025-06-30.csv");
    const pdf = await app.inject({ method: "GET", url: `/monitoring/participation.pdf?date=${date}`, headers: analyst.headers() });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    const page = await app.inject({ method: "GET", url: `/monitoring/participation?date=${date}`, headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="matrix"');
    expect(page.body).toContain("LIVC Alfa");
  });

  it("the LIVC page shows invitations awaiting an answer before answered ones, however old (only those can be withdrawn)", async () => {
    const livc = await makeLivc(ctx, "LIVC Wachtend", ["11004"]);
    const chair = await login(app, await createUser(ctx, { roles: [{ livcId: livc, role: "chair" }] }));
    const waiting = await makeOrg(ctx, "Nog Wachtende Dienst", "clb");
    // Sent first (the same day as the others: the running quarter, outside the regional figures below).
    await sendInvitation(ctx, system, { livcId: livc, organisationId: waiting, kind: "structural" });
    const answered = await makeOrg(ctx, "Al Geantwoorde Dienst", "youth_work");
    for (let i = 0; i < 52; i++) {
      const inv = await sendInvitation(ctx, system, { livcId: livc, organisationId: answered, kind: "consultation", caseRef: `W-${i}` });
      await respondToInvitation(ctx, system, inv, { answer: "decline", reason: "no_capacity" });
    }
    const invitations = (html: string) => html.slice(html.indexOf('id="invitations"'), html.indexOf('id="seat"'));
    const res = await app.inject({ method: "GET", url: `/partners/livc/${livc}`, headers: chair.headers() });
    expect(res.statusCode).toBe(200);
    const first = invitations(res.body);
    // The oldest invitation, still pending, heads page 1 (newest first would put it on page 2).
    expect(first).toContain("Nog Wachtende Dienst");
    expect(first.indexOf("Nog Wachtende Dienst")).toBeLessThan(first.indexOf("Al Geantwoorde Dienst"));
    expect(invitations((await app.inject({ method: "GET", url: `/partners/livc/${livc}?inv_page=2`, headers: chair.headers() })).body)).not.toContain("Nog Wachtende Dienst");
  });
});
