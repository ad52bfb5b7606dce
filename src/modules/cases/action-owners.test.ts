import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import type { AppContext } from "../../platform/context";
import { addDays } from "../../platform/db/values";
import { translator } from "../../platform/i18n";
import type { Actor, LivcMembership } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { updateUser } from "../identity/store";
import { acknowledgeConfidentiality, scheduleMeeting } from "../meetings/service";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { runDailyJobs } from ".";
import { mailActionOwners, sendActionReminders } from "./action-mail";
import { actionOwnerOptions, addActions, openCaseFromScreening, updateAction } from "./service";
import { makeLivc, makeOrganisation } from "./testing";

/**
 * Decision 0061: an action's owner is an organisation whose members can see the case (the LIVC's core
 * services, services invited for the case that accepted); owners find their open actions on the work
 * list, are told by a content-free mail (real SMTP receiver) and reminded once; an edit never
 * overwrites a change made meanwhile.
 */
describeEachDialect("action owners", (base) => {
  const BASE = "https://schakel.example";
  let smtp: SmtpReceiver;
  let ctx: AppContext;
  let app: FastifyInstance;
  let livc: string;
  let caseId: string;
  let label: string;
  const org: Record<string, string> = {};
  const u: Record<string, TestUser> = {};
  const s: Record<string, LoginSession> = {};
  const actors: Record<string, Actor> = {};
  const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
  const post = (who: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: who.form(fields) });
  const get = (who: LoginSession, url: string) => app.inject({ method: "GET", url, headers: who.headers() });
  const ownerSelect = (html: string) => html.slice(html.indexOf('id="owner"'), html.indexOf("</select>", html.indexOf('id="owner"')));
  const actionRow = (id: string) => ctx.database.db.selectFrom("case_action").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ctx = { ...base(), config: { ...base().config, SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE } };
    app = await buildApp(ctx, { logger: false });
    livc = await makeLivc(ctx);
    org.town = await makeOrganisation(ctx, "Stad Preventie", "prevention_service");
    org.police = await makeOrganisation(ctx, "Politiezone", "local_police");
    org.clb = await makeOrganisation(ctx, "CLB Aanvaard", "clb");
    org.caw = await makeOrganisation(ctx, "CAW Nog Niet", "caw");
    org.seated = await makeOrganisation(ctx, "Jeugdwerk Zetel", "youth_work");
    org.elsewhere = await makeOrganisation(ctx, "School Elders", "school_primary");
    await partners.addSeat(ctx, {}, { livcId: livc, seat: "partner", organisationId: org.seated, fromOn: "2020-01-01" });
    const people: [string, LivcMembership["role"], string][] = [
      ["coord", "coordinator", org.town],
      ["io", "information_officer", org.police],
      ["clb", "partner_member", org.clb],
      ["caw", "partner_member", org.caw],
      ["seated", "partner_member", org.seated],
    ];
    for (const [key, role, organisationId] of people) {
      u[key] = await createUser(ctx, { displayName: `Persoon ${key.toUpperCase()} Fictief`, roles: [{ livcId: livc, role, organisationId }] });
      actors[key] = { userId: u[key].id, displayName: "", sessionId: "t", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role, organisationId }] };
    }
    await updateUser(ctx.database.db, u.clb.id, { language: "fr" });
    await updateUser(ctx.database.db, u.io.id, { language: "en" });
    const c = await openCaseFromScreening(ctx, { actor: actors.coord }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Olaf Geheimnaam", dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" });
    caseId = c.id;
    label = c.label ?? "";
    await addFramework(ctx.database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    const meetingId = await scheduleMeeting(ctx, { actor: actors.coord }, { livcId: livc, heldOn: "2099-12-20", startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId, organisationIds: [org.clb, org.caw] }] });
    const inv = await ctx.database.db.selectFrom("consultation_case_service").select("invitation_id").where("consultation_id", "=", meetingId).where("organisation_id", "=", org.clb).executeTakeFirstOrThrow();
    await partners.respondToInvitation(ctx, { actor: actors.clb }, inv.invitation_id!, { answer: "accept" });
    await acknowledgeConfidentiality(ctx, { actor: actors.clb }, meetingId);
    for (const key of Object.keys(u)) s[key] = await login(app, u[key]);
    smtp.inbox.length = 0;
  }, 90_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
  });

  it("offers as owners only the core services and the services that accepted for the case, and refuses any other on save with the input kept", async () => {
    const page = await get(s.coord, `/cases/${caseId}`);
    expect(page.statusCode).toBe(200);
    const select = ownerSelect(page.body);
    for (const ok of [org.town, org.police, org.clb]) expect(select).toContain(`value="${ok}"`);
    // Seated but not invited, invited but not (yet) accepted, and an outsider: their members cannot see the case.
    for (const no of [org.seated, org.caw, org.elsewhere]) expect(select).not.toContain(`value="${no}"`);
    expect((await actionOwnerOptions(ctx, { id: caseId, livc_id: livc })).map((o) => o.id).sort()).toEqual([org.town, org.police, org.clb].sort());

    const bad = await post(s.coord, `/cases/${caseId}/actions`, { description: "Huisbezoek-TYPED", owner: org.seated, due_on: "2099-01-01" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(translator("nl")("case.error.owner_no_access"));
    expect(bad.body).toContain('href="#owner"');
    expect(bad.body).toContain("Huisbezoek-TYPED");
    expect(await ctx.database.db.selectFrom("case_action").select("id").where("case_id", "=", caseId).execute()).toHaveLength(0);
    expect(smtp.inbox).toHaveLength(0);
  });

  it("tells the owning organisation's members who can see the case by a content-free mail in their language, once", async () => {
    const ok = await post(s.coord, `/cases/${caseId}/actions`, { description: "Gesprek-GEHEIM", owner: org.clb, due_on: "2099-01-10" });
    expect(ok.statusCode).toBe(303);
    const mails = received();
    // Only the CLB member (grant for the case); not the CAW, the seated partner or the coordinator.
    expect(mails.map((m) => m.to[0])).toEqual([u.clb.email]);
    const fr = translator("fr");
    const livcName = (await ctx.database.db.selectFrom("livc").select("name").where("id", "=", livc).executeTakeFirstOrThrow()).name;
    const params = { livc: livcName, date: "10 janvier 2099", link: `${BASE}/cases/work` };
    expect(mails[0].subject).toBe(fr("case.actmail.assigned.subject", params));
    expect(mails[0].text.trim()).toBe(fr("case.actmail.assigned.body", params).trim());
    expect(mails[0].text).toContain(`${BASE}/cases/work`);
    expect(mails[0].text).toContain(params.livc);
    for (const secret of [label, "Gesprek-GEHEIM", "Olaf", "Geheimnaam", ...Object.values(u).map((x) => x.displayName)]) expect(`${mails[0].subject}\n${mails[0].text}`).not.toContain(secret);
    const [action] = await ctx.database.db.selectFrom("case_action").select(["id", "owner_mailed_at"]).where("case_id", "=", caseId).execute();
    expect(action.owner_mailed_at).not.toBeNull();
    // The daily job finds nothing more to tell.
    await runDailyJobs(ctx, "2098-01-01");
    expect(received()).toEqual([]);
  });

  it("lists every open action of my organisation on the work list, on cases I may see only, without the action text", async () => {
    await addActions(ctx, { actor: actors.coord }, caseId, [{ description: "Politie-TEKST", ownerOrganisationId: org.police, dueOn: "2099-02-01" }]);
    const clbWork = await get(s.clb, "/cases/work");
    expect(clbWork.statusCode).toBe(200);
    // The CLB member reads French (the account's language).
    expect(clbWork.body).toContain(translator("fr")("case.work.open_owner"));
    const open = clbWork.body.slice(clbWork.body.indexOf('id="open-owner"'));
    expect(open).toContain(`/cases/${caseId}`);
    expect(open).toContain(label);
    expect(clbWork.body).not.toContain("Gesprek-GEHEIM");
    expect(clbWork.body).not.toContain("Geheimnaam");
    // The police's action is the information officer's (a core member), not the CLB's.
    const ioOpen = (await get(s.io, "/cases/work")).body;
    expect(ioOpen.slice(ioOpen.indexOf('id="open-owner"'))).toContain(`/cases/${caseId}`);
    // A seated partner without a grant sees nothing of the case.
    const seated = (await get(s.seated, "/cases/work")).body;
    expect(seated).toContain(translator("nl")("case.work.open_none"));
    expect(seated).not.toContain(`/cases/${caseId}`);
    await mailActionOwners(ctx);
    received();
  });

  it("flags to the leads an open action owned by an organisation that cannot see the case, and will not keep it as owner", async () => {
    // Legacy data: an action saved before decision 0061 with an owner that cannot see the case. The service
    // no longer accepts such an owner, so it is added with a valid one and its owner changed in the database.
    const [orphan] = await addActions(ctx, { actor: actors.coord }, caseId, [{ description: "Oud", ownerOrganisationId: org.police, dueOn: "2099-03-01" }]);
    await ctx.database.db.updateTable("case_action").set({ owner_organisation_id: org.seated }).where("id", "=", orphan).execute();
    const nl = translator("nl");
    const lead = (await get(s.coord, `/cases/${caseId}`)).body;
    expect(lead).toContain(nl("case.plan.orphans", { count: 1 }));
    expect(lead).toContain(nl("case.plan.owner_no_access"));
    // The plan scrolls sideways on its own (a 360 px screen is not pushed).
    expect(lead).toMatch(/<section class="table-scroll" tabindex="0" aria-label="Opvolgingsplan">/);
    const partner = (await get(s.clb, `/cases/${caseId}`)).body;
    expect(partner).not.toContain(translator("fr")("case.plan.owner_no_access"));
    // Its members are not told (no grant for the case), and their work list still shows nothing of the case.
    expect((await mailActionOwners(ctx)).sent).toBe(0);
    expect((await get(s.seated, "/cases/work")).body).not.toContain(`/cases/${caseId}`);
    const revision = String((await actionRow(orphan)).revision);
    const keep = await post(s.coord, `/cases/actions/${orphan}/edit`, { description: "Oud", owner: org.seated, due_on: "2099-03-01", revision });
    expect(keep.statusCode).toBe(400);
    expect(keep.body).toContain(nl("case.error.owner_no_access"));
    received();
    // Given to the police: its information officer is told (in English), the flag is gone.
    const moved = await post(s.coord, `/cases/actions/${orphan}/edit`, { description: "Oud", owner: org.police, due_on: "2099-03-01", revision });
    expect(moved.statusCode).toBe(303);
    expect(received().map((m) => [m.to[0], m.subject.startsWith("New action")])).toEqual([[u.io.email, true]]);
    expect((await get(s.coord, `/cases/${caseId}`)).body).not.toContain(nl("case.plan.owner_no_access"));
  });

  it("reminds the owners once, a few days before the due date, from the daily job", async () => {
    received();
    // 2099-01-10 is the CLB action's due date: four days ahead nothing, three days ahead the reminder.
    expect((await sendActionReminders(ctx, { today: "2099-01-06" })).actions).toBe(0);
    await runDailyJobs(ctx, "2099-01-07");
    const mails = received();
    expect(mails.map((m) => m.to[0])).toEqual([u.clb.email]);
    expect(mails[0].subject).toContain(translator("fr")("case.actmail.reminder.subject", { livc: "", date: "" }).slice(0, 10));
    expect(mails[0].text).not.toContain("Gesprek-GEHEIM");
    expect((await sendActionReminders(ctx, { today: "2099-01-08" })).actions).toBe(0);
    expect(received()).toEqual([]);
    const audited = await ctx.database.db.selectFrom("audit_entry").select(["action", "actor_id"]).where("action", "=", "case.plan.action_reminded").where("resource_id", "=", caseId).execute();
    expect(audited).toEqual([{ action: "case.plan.action_reminded", actor_id: null }]);
    // A new due date is a new reminder.
    const clbAction = await ctx.database.db.selectFrom("case_action").select(["id", "revision"]).where("case_id", "=", caseId).where("due_on", "=", "2099-01-10").executeTakeFirstOrThrow();
    await updateAction(ctx, { actor: actors.coord }, clbAction.id, { description: "Gesprek-GEHEIM", ownerOrganisationId: org.clb, dueOn: "2099-01-20", revision: clbAction.revision });
    expect((await sendActionReminders(ctx, { today: addDays("2099-01-20", -3) })).actions).toBe(1);
    expect(received().map((m) => m.to[0])).toEqual([u.clb.email]);
  });

  it("an edit loaded before another change is refused: nothing overwritten, the typed input kept, a notice shown", async () => {
    const [id] = await addActions(ctx, { actor: actors.coord }, caseId, [{ description: "Versie-1", ownerOrganisationId: org.clb, dueOn: "2099-04-01" }]);
    const loaded = String((await actionRow(id)).revision);
    // Someone else edits first.
    expect((await post(s.coord, `/cases/actions/${id}/edit`, { description: "Versie-2", owner: org.clb, due_on: "2099-04-02", revision: loaded })).statusCode).toBe(303);
    const late = await post(s.coord, `/cases/actions/${id}/edit`, { description: "Versie-LAAT", owner: org.clb, due_on: "2099-04-03", revision: loaded });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain(translator("nl")("case.plan.conflict"));
    expect(late.body).toContain("Versie-LAAT");
    expect(late.body).toContain("Versie-2");
    expect((await actionRow(id)).due_on).toBe("2099-04-02");

    // A partner marks it done while the lead edits: the lead's save does not re-edit it.
    const fresh = String((await actionRow(id)).revision);
    expect((await post(s.clb, `/cases/actions/${id}`, { status: "done" })).statusCode).toBe(303);
    const after = await post(s.coord, `/cases/actions/${id}/edit`, { description: "Versie-3", owner: org.clb, due_on: "2099-05-01", revision: fresh });
    expect(after.statusCode).toBe(409);
    expect(after.body).toContain("Versie-3");
    expect(after.body).not.toContain(translator("nl")("case.plan.save"));
    expect(await actionRow(id)).toMatchObject({ status: "done", due_on: "2099-04-02" });

    // The service itself compares the revision in its transaction.
    const [other] = await addActions(ctx, { actor: actors.coord }, caseId, [{ description: "X", ownerOrganisationId: org.clb, dueOn: "2099-06-01" }]);
    const stale = (await actionRow(other)).revision;
    await updateAction(ctx, { actor: actors.coord }, other, { description: "Y", ownerOrganisationId: org.clb, dueOn: "2099-06-02", revision: stale });
    await expect(updateAction(ctx, { actor: actors.coord }, other, { description: "Z", ownerOrganisationId: org.clb, dueOn: "2099-06-03", revision: stale })).rejects.toMatchObject({ code: "conflict" });
    expect((await actionRow(other)).due_on).toBe("2099-06-02");
    received();
  });

  it("the service itself refuses an owner that cannot see the case: addActions and updateAction write nothing", async () => {
    const written = async () => {
      const [actions, events, audit] = await Promise.all([
        ctx.database.db.selectFrom("case_action").selectAll().where("case_id", "=", caseId).orderBy("id").execute(),
        ctx.database.db.selectFrom("case_event").select("id").where("case_id", "=", caseId).execute(),
        ctx.database.db.selectFrom("audit_entry").select("seq").where("resource_id", "=", caseId).execute(),
      ]);
      return { actions, events: events.length, audit: audit.length };
    };
    const [id] = await addActions(ctx, { actor: actors.coord }, caseId, [{ description: "Geldig", ownerOrganisationId: org.clb, dueOn: "2099-08-01" }]);
    const before = await written();
    // Seated but not invited, invited but not accepted, an outsider: refused, also next to a valid owner in one call.
    for (const no of [org.seated, org.caw, org.elsewhere]) {
      await expect(addActions(ctx, { actor: actors.coord }, caseId, [{ description: "Geen toegang", ownerOrganisationId: no, dueOn: "2099-08-02" }])).rejects.toMatchObject({ code: "invalid", field: "owner" });
      await expect(
        addActions(ctx, { actor: actors.coord }, caseId, [
          { description: "Geldig bij", ownerOrganisationId: org.town, dueOn: "2099-08-02" },
          { description: "Geen toegang", ownerOrganisationId: no, dueOn: "2099-08-02" },
        ]),
      ).rejects.toMatchObject({ code: "invalid", field: "owner" });
      const revision = (await actionRow(id)).revision;
      await expect(updateAction(ctx, { actor: actors.coord }, id, { description: "Anders", ownerOrganisationId: no, dueOn: "2099-08-03", revision })).rejects.toMatchObject({ code: "invalid", field: "owner" });
    }
    expect(await written()).toEqual(before);
    // A valid owner is still saved by the same calls.
    await updateAction(ctx, { actor: actors.coord }, id, { description: "Anders", ownerOrganisationId: org.town, dueOn: "2099-08-03", revision: (await actionRow(id)).revision });
    expect(await actionRow(id)).toMatchObject({ owner_organisation_id: org.town, due_on: "2099-08-03" });
    await mailActionOwners(ctx);
    received();
  });
});
