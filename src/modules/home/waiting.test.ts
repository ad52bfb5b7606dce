import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor, LivcRole } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import * as cases from "../cases/service";
import { makeLivc, makeOrganisation } from "../cases/testing";
import { addContactPoint } from "../intake/contacts";
import { emptyForm } from "../intake/schema";
import * as intake from "../intake/service";
import { meetingListFor } from "../meetings/replan";
import * as meetings from "../meetings/service";
import * as partners from "../partners/service";
import { addFramework, addMembership } from "../registry/service";
import { type WaitingKey, waitingFor } from "./waiting";

/**
 * The start page (decision 0059): each count equals the rows of the list it links to, computed with
 * that list's own service call; only the person's roles are asked; the page shows numbers, no names.
 */
describeEachDialect("start page: what waits, per role", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let otherLivc: string;
  let clb: string;
  let town: string;
  const p: Record<"coordinator" | "clb" | "reporter" | "analyst" | "dpo", { actor: Actor; session: LoginSession }> = {} as never;
  const today = todayInBrussels();
  const SUBJECT = "Wachtende Persoon";
  let caseId = "";
  let caseLabel = "";

  async function person(roles: { livcId: string; role: LivcRole; organisationId?: string }[], platform: { analyst?: boolean; dpo?: boolean } = {}) {
    const user = await createUser(ctx(), { roles, platformRoles: [...(platform.analyst ? (["regional_analyst"] as const) : []), ...(platform.dpo ? (["dpo"] as const) : [])] });
    const actor: Actor = {
      userId: user.id,
      displayName: user.displayName,
      sessionId: "test",
      isAdmin: false,
      isRegionalAnalyst: Boolean(platform.analyst),
      isDpo: Boolean(platform.dpo),
      memberships: roles.map((r) => ({ livcId: r.livcId, role: r.role, organisationId: r.organisationId ?? null })),
    };
    return { actor, session: await login(app, user) };
  }

  const file = (who: Actor, nis: string, mode: "submit" | "draft" = "submit") =>
    intake.fileReport(ctx(), { actor: who }, { ...emptyForm(), identity_known: "known", subject_name: SUBJECT, subject_birth_date: "2001-01-01", municipality_nis: nis, signals: ["supports_violence"], observation: "x", since: "weeks", person_knows: "no", reporter_contact: "0470" }, mode);

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    otherLivc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "31005", joined_on: "2019-01-01", left_on: null });
    await addMembership(ctx().database, { actor: null }, otherLivc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    await addFramework(ctx().database, {}, livc, { participants: "Vaste leden", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2026-01-01" });
    town = await makeOrganisation(ctx(), "Stad", "prevention_service");
    clb = await makeOrganisation(ctx(), "CLB", "clb");
    const caw = await makeOrganisation(ctx(), "CAW", "caw");
    app = await buildApp(ctx(), { logger: false });
    p.coordinator = await person([{ livcId: livc, role: "coordinator", organisationId: town }]);
    p.clb = await person([{ livcId: livc, role: "partner_member", organisationId: clb }]);
    p.reporter = await person([
      { livcId: livc, role: "reporter" },
      { livcId: otherLivc, role: "reporter" },
    ]);
    p.analyst = await person([], { analyst: true });
    p.dpo = await person([], { dpo: true });
    await partners.addOrganisationContact(ctx(), {}, clb, p.clb.actor.userId);

    // Reports: three to screen in the coordinator's LIVC (one past its deadline), one in another LIVC, one draft.
    const filed = [];
    for (let i = 0; i < 3; i++) filed.push(await file(p.reporter.actor, "31005"));
    await file(p.reporter.actor, "44021");
    await file(p.reporter.actor, "31005", "draft");
    const first = filed[0];
    if (first.kind !== "submitted") throw new Error("not filed");
    await ctx().database.db.updateTable("report").set({ screening_due_on: addDays(today, -3) }).where("reference", "=", first.reference).execute();

    // Invitations to the CLB: one pending, one declined; one to a CAW (not the contact's organisation).
    await partners.sendInvitation(ctx(), {}, { livcId: livc, organisationId: clb, kind: "structural" });
    const declined = await partners.sendInvitation(ctx(), {}, { livcId: otherLivc, organisationId: clb, kind: "structural" });
    await partners.respondToInvitation(ctx(), {}, declined, { answer: "decline", reason: "no_capacity" });
    await partners.sendInvitation(ctx(), {}, { livcId: livc, organisationId: caw, kind: "structural" });

    // A case with an overdue action and a planned meeting that invites the CLB for it.
    const opened = await cases.openCaseFromScreening(ctx(), { actor: p.coordinator.actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: SUBJECT, dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" });
    caseId = opened.id;
    caseLabel = opened.label;
    // Owned by the coordinator's own service (a core service of the LIVC, decision 0061): the CLB's invitation stays pending.
    await cases.addActions(ctx(), { actor: p.coordinator.actor }, caseId, [{ description: "Huisbezoek", ownerOrganisationId: town, dueOn: addDays(today, -2) }]);
    await meetings.scheduleMeeting(ctx(), { actor: p.coordinator.actor }, { livcId: livc, heldOn: addDays(today, 10), startsAt: "14:00", place: "Stadhuis", videoUrl: null, items: [{ caseId, organisationIds: [clb] }] });
    // A closed case whose post-closure review is due (months pass: the dates are set directly).
    const closed = await cases.openCaseFromScreening(ctx(), { actor: p.coordinator.actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Andere Persoon", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
    await ctx().database.db.updateTable("case_file").set({ status: "closed", closed_on: addDays(today, -200) }).where("id", "=", closed.id).execute();
    await ctx().database.db.insertInto("case_review").values({ id: crypto.randomUUID(), case_id: closed.id, livc_id: livc, months: 6, due_on: addDays(today, -5), done_at: null, done_by: null, outcome: null }).execute();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const who = (a: Actor) => ({ actor: a });
  const counts = async (a: Actor) => Object.fromEntries((await waitingFor(ctx(), who(a))).counts.map((c) => [c.key, c.count])) as Partial<Record<WaitingKey, number>>;
  /** The meetings of /meetings?status=planned whose page still asks this person to acknowledge. */
  const unacknowledged = async (a: Actor) => {
    const list = await meetingListFor(ctx(), a, { status: "planned", page: 1 });
    let n = 0;
    for (const m of list.rows) if (!(await meetings.meetingView(ctx(), who(a), m.id)).acknowledged) n++;
    return n;
  };

  it("a screener's counts equal the open tab of /screening and the rows marked overdue there", async () => {
    const c = await counts(p.coordinator.actor);
    const queue = await intake.livcQueue(ctx(), p.coordinator.actor, { filter: "open", page: 1 });
    if (!queue || queue === "not_found") throw new Error("no queue");
    expect(c.screening_open).toBe(3);
    expect(c.screening_open).toBe(queue.list.counts.open);
    expect(c.screening_overdue).toBe(1);
    expect(c.screening_overdue).toBe(queue.list.items.filter((i) => i.overdue).length);
  });

  it("a coordinator's overdue actions and due reviews equal the work list's rows; meetings to acknowledge the planned meetings still asking", async () => {
    const c = await counts(p.coordinator.actor);
    const overdue = await cases.overdueFor(ctx(), who(p.coordinator.actor));
    const reviews = await cases.dueReviewsFor(ctx(), who(p.coordinator.actor), undefined, 0);
    expect(c.actions_overdue).toBe(1);
    expect(c.actions_overdue).toBe(new Set([...overdue.asLead, ...overdue.asOwner].map((a) => a.actionId)).size);
    expect(c.reviews_due).toBe(1);
    expect(c.reviews_due).toBe(reviews.length);
    expect(c.meetings_ack).toBe(1);
    expect(c.meetings_ack).toBe(await unacknowledged(p.coordinator.actor));
    // Acknowledged: the count drops, as the meeting page stops asking.
    const [m] = (await meetingListFor(ctx(), p.coordinator.actor, { status: "planned", page: 1 })).rows;
    await meetings.acknowledgeConfidentiality(ctx(), who(p.coordinator.actor), m.id);
    expect((await counts(p.coordinator.actor)).meetings_ack).toBe(0);
    expect(await unacknowledged(p.coordinator.actor)).toBe(0);
    // A coordinator is no contact of an invited organisation and files no reports here: neither is shown.
    expect(c.invitations).toBeUndefined();
    expect(c.reports_drafts).toBeUndefined();
  });

  it("a partner member's invitations equal the pending rows of /invitations; their meeting is counted until acknowledged", async () => {
    const c = await counts(p.clb.actor);
    const rows = await partners.visibleInvitations(ctx(), { livcIds: [], organisationIds: [clb] });
    // The structural one and the consultation invitation the meeting sent; not the declined one nor the CAW's.
    expect(c.invitations).toBe(2);
    expect(c.invitations).toBe(rows.filter((r) => r.status === "pending").length);
    expect(c.meetings_ack).toBe(1);
    expect(c.meetings_ack).toBe(await unacknowledged(p.clb.actor));
    // No screening, no reviews for a partner member.
    expect(c.screening_open).toBeUndefined();
    expect(c.reviews_due).toBeUndefined();
  });

  it("a reporter's drafts and reports equal the two kinds of rows of /reports; analysts and the DPO get links, not counts", async () => {
    const c = await counts(p.reporter.actor);
    const mine = await intake.myReports(ctx(), p.reporter.actor);
    expect(c).toEqual({ reports_drafts: 1, reports_sent: 4 });
    expect(c.reports_drafts).toBe(mine.filter((r) => r.draft).length);
    expect(c.reports_sent).toBe(mine.filter((r) => !r.draft).length);
    expect(await waitingFor(ctx(), who(p.analyst.actor))).toEqual({ counts: [], links: [{ key: "registry", href: "/registry" }, { key: "monitoring", href: "/monitoring" }] });
    expect(await waitingFor(ctx(), who(p.dpo.actor))).toEqual({ counts: [], links: [{ key: "audit", href: "/audit" }] });
  });

  it("a regional contact point's count equals the open tab of /screening/regional; others are not asked", async () => {
    // Leuven (24062) has no LIVC here: its reports go to the regional queue of Vlaams-Brabant.
    const filer = await person([{ livcId: livc, role: "reporter" }]);
    for (let i = 0; i < 2; i++) expect((await file(filer.actor, "24062")).kind).toBe("submitted");
    const regional = await person([]);
    const email = (await ctx().database.db.selectFrom("app_user").select("email").where("id", "=", regional.actor.userId).executeTakeFirstOrThrow()).email;
    expect(await addContactPoint(ctx(), {}, { email, province: "Vlaams-Brabant" })).toMatchObject({ ok: true });
    const c = await counts(regional.actor);
    const queue = await intake.regionalQueueFor(ctx(), regional.actor, { filter: "open", page: 1 });
    expect(c).toEqual({ regional_open: 2 });
    expect(c.regional_open).toBe(queue?.list.counts.open);
    expect((await counts(p.coordinator.actor)).regional_open).toBeUndefined();
    const page = await app.inject({ method: "GET", url: "/", headers: regional.session.headers() });
    expect(page.body).toMatch(/id="waiting-regional_open" data-count="2"><a href="\/screening\/regional"><span class="figure">2<\/span> Meldingen te screenen in de regionale wachtrij<\/a>/);
  });

  it("GET /: the welcome for a visitor; for a signed-in person numbers and links only, in their language", async () => {
    const anon = await app.inject({ method: "GET", url: "/" });
    expect(anon.statusCode).toBe(200);
    expect(anon.body).toContain("Welkom bij Schakel");
    expect(anon.body).not.toContain('id="waiting"');

    const page = await app.inject({ method: "GET", url: "/", headers: p.coordinator.session.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Wat wacht op jou");
    expect(page.body).toMatch(/id="waiting-screening_open" data-count="3"><a href="\/screening"><span class="figure">3<\/span> Meldingen te screenen<\/a>/);
    expect(page.body).toContain('id="waiting-actions_overdue" data-count="1"><a href="/cases/work">');
    // No name, label or reference on the page.
    for (const secret of [SUBJECT, "Andere Persoon", caseLabel]) expect(page.body).not.toContain(secret);
    expect(page.body).not.toMatch(/M-[A-Z0-9]{4}/);

    const en = await app.inject({ method: "GET", url: "/?lang=en", headers: p.clb.session.headers() });
    expect(en.body).toContain("What is waiting for you");
    expect(en.body).toMatch(/<span class="figure">2<\/span> Invitations without an answer/);
    const fr = await app.inject({ method: "GET", url: "/?lang=fr", headers: p.dpo.session.headers() });
    expect(fr.body).toMatch(/<a href="\/audit">Le journal d(')?(&#39;)?audit<\/a>/);
  });
});
