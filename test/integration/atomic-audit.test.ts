import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { generate } from "otplib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { finishEnrolment, startEnrolment } from "../../src/modules/identity/login";
import { createCampaign } from "../../src/modules/awareness/service";
import * as caseService from "../../src/modules/cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../../src/modules/cases/testing";
import { emptyForm } from "../../src/modules/intake/schema";
import { decide, fileReport, sendDeadlineReminders } from "../../src/modules/intake/service";
import { handOverReport } from "../../src/modules/intake/handover";
import { rectifyReportIdentity } from "../../src/modules/intake/rectify";
import { addSupplement, withdrawReport } from "../../src/modules/intake/supplement";
import { discardDraft } from "../../src/modules/intake/retention-drafts";
import { purgeReports } from "../../src/modules/intake/retention";
import { acknowledgeConfidentiality, recordMeetingAttendance, saveCaseMinutes, scheduleMeeting } from "../../src/modules/meetings/service";
import { addAgendaCase, cancelMeeting, removeAgendaCase, rescheduleMeeting } from "../../src/modules/meetings/replan";
import { addFramework, addObstacle, registerRevision } from "../../src/modules/registry/service";
import { createAccount } from "../../src/modules/identity/service";
import { decideRequest, withdrawRequest } from "../../src/modules/identity/approvals";
import { requestPlatformRole, requestRole } from "../../src/modules/identity/roles";
import { decidePlatformRequest, withdrawPlatformRequest } from "../../src/modules/identity/platform-approvals";
import * as partners from "../../src/modules/partners/service";
import * as partnersStore from "../../src/modules/partners/store";
import { addContactPoint } from "../../src/modules/intake/contacts";
import { createConsultation, setConsultationStatus } from "../../src/modules/partners/service";
import { findUser, updateUser } from "../../src/modules/identity/store";
import { issueToken } from "../../src/modules/identity/tokens";
import { createSession, SESSION_COOKIE, sessionIdOf } from "../../src/platform/auth/session";
import { toCount } from "../../src/platform/db/values";
import { buildApp } from "../../src/platform/web/app";
import { CookieJar, createUser, csrfFromHtml, freshTotp, type LoginSession, login, type TestUser } from "../support/auth";
import { describeEachDialect, type TestContext } from "../support/db";

/**
 * Every change commits its audit entry in the same transaction. Proof with the REAL database
 * refusing the audit insert: a trigger on audit_entry raises, the change is driven through the app
 * (or the service), and the change must not be there afterwards and the answer must be an error.
 * Without one transaction the change would commit first and stay without its audit entry.
 */

const STRONG = "Atomair-Wachtwoord-2026!x";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** Installs the refusing trigger: for every entry, or only for entries of one action (a later step of a change). */
async function refuseAudit(ctx: TestContext, dialect: string, onlyAction?: string) {
  const db = ctx.database.db;
  if (onlyAction && !/^[a-z._-]+$/.test(onlyAction)) throw new Error("action names only");
  const when = onlyAction ? ` when new.action = '${onlyAction}'` : "";
  if (dialect === "sqlite") {
    await sql.raw(`create trigger refuse_audit before insert on audit_entry for each row${when} begin select raise(abort, 'audit refused'); end`).execute(db);
  } else {
    await sql.raw("create or replace function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db);
    await sql.raw(`create trigger refuse_audit before insert on audit_entry for each row${when.replace("when new", "when (new")}${when ? ")" : ""} execute function refuse_audit()`).execute(db);
  }
}

async function allowAudit(ctx: TestContext, dialect: string) {
  await sql.raw(dialect === "sqlite" ? "drop trigger refuse_audit" : "drop trigger refuse_audit on audit_entry").execute(ctx.database.db);
}

/** One path: set up (audit still works), then the change while the audit is refused, then "nothing changed". */
export interface AtomicCase<S> {
  name: string;
  /** Refuse only this action's entries (the change's later step), else every entry. */
  only?: string;
  setup: () => Promise<S>;
  /** The change: a route answer (must be 5xx) or a service call (must reject). */
  change: (s: S) => Promise<LightMyRequestResponse | unknown>;
  unchanged: (s: S) => Promise<void>;
}

export const atomicCase = <S>(c: AtomicCase<S>) => c as AtomicCase<unknown>;

const isInject = (r: unknown): r is LightMyRequestResponse => typeof r === "object" && r !== null && "statusCode" in r && "payload" in r;

/** An anonymous visitor's cookie jar and CSRF token from a public form. */
async function anonymousForm(app: FastifyInstance, url: string) {
  const jar = new CookieJar();
  const page = await app.inject({ method: "GET", url });
  jar.take(page);
  return { jar, csrf: csrfFromHtml(page.body) };
}

describeEachDialect("every change commits with its audit entry", (ctx, dialect) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  const db = () => ctx().database.db;
  const sessionsOf = async (userId: string) => toCount((await db().selectFrom("session").select((eb) => eb.fn.countAll().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow()).n);
  const tokensOf = async (userId: string) =>
    (await db().selectFrom("account_token").select(["id", "used_at"]).where("user_id", "=", userId).orderBy("id").execute()).map((t) => `${t.id}:${t.used_at ?? ""}`).join(",");
  const post = (s: LoginSession, url: string, fields: Record<string, string> = {}) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    campaignId = await createCampaign(db(), { name: "Ronde atomair", year: 2025, description: "" });
  });
  afterAll(async () => {
    await app?.close();
  });

  const count = async (table: string, where = "1 = 1") =>
    toCount((await sql<{ n: unknown }>`select count(*) as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(db())).rows[0].n);
  const newLivc = async (code: string) => {
    const made = await post(admin, "/registry", { code, name: code, founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "", chair_email: "", coordinator_email: "", info_officer_email: "" });
    expect(made.statusCode).toBe(303);
    return String(made.headers.location).split("/")[2].split("?")[0];
  };
  const partnersRevision = () => partnersStore.revision(db());
  const newContactPoint = async (province: string) => {
    const made = await addContactPoint(ctx(), {}, { email: (await createUser(ctx())).email, province });
    if (!made.ok) throw new Error(made.errors.join());
    return made.id;
  };
  let analyst: LoginSession;
  let campaignId: string;

  // Meetings, grants and feedback: one LIVC with a framework, a coordinator, an information officer,
  // a partner member of an invited organisation and two open cases; each case below plans its own meeting.
  const meetingWorld = memo(async () => {
    const c = ctx();
    const livcId = await makeLivc(c);
    await addFramework(c.database, {}, livcId, { participants: "Vaste leden", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2026-01-01" });
    const clb = await makeOrganisation(c, "CLB", "clb");
    const town = await makeOrganisation(c, "Stad", "prevention_service");
    const police = await makeOrganisation(c, "Politie", "local_police");
    const coordinator = await makeActor(c, [{ livcId, role: "coordinator", organisationId: town }]);
    const officer = await makeActor(c, [{ livcId, role: "information_officer", organisationId: police }]);
    const member = await makeActor(c, [{ livcId, role: "partner_member", organisationId: clb }]);
    await partners.addOrganisationContact(c, {}, clb, member.userId);
    const open = () =>
      caseService.openCaseFromScreening(c, { actor: coordinator }, { livcId, reportId: null, minor: false, identity: { fullName: "Fictieve Persoon", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
    const caseA = (await open()).id;
    const caseB = (await open()).id;
    const schedule = () =>
      scheduleMeeting(c, { actor: coordinator }, { livcId, heldOn: "2026-11-10", startsAt: "14:00", place: "Stadhuis", videoUrl: null, items: [{ caseId: caseA, organisationIds: [clb] }, { caseId: caseB, organisationIds: [clb] }] });
    return { livcId, clb, coordinator, officer, member, caseA, caseB, schedule };
  });
  /** A held meeting the coordinator and the officer attended: the feedback form's voters. */
  const heldMeeting = memo(async () => {
    const w = await meetingWorld();
    const meetingId = await w.schedule();
    for (const a of [w.coordinator, w.officer]) await acknowledgeConfidentiality(ctx(), { actor: a }, meetingId);
    await recordMeetingAttendance(ctx(), { actor: w.coordinator }, meetingId, [w.coordinator.userId, w.officer.userId]);
    return { ...w, meetingId };
  });
  const newForm = async () => {
    const h = await heldMeeting();
    return { ...h, formId: await caseService.draftFeedback(ctx(), { actor: h.officer }, h.caseA, h.meetingId, "Opvolging loopt via een partner.") };
  };
  const formRow = (id: string) => db().selectFrom("feedback_form").select(["revision", "content_enc", "attested_no_secrecy_at", "status"]).where("id", "=", id).executeTakeFirstOrThrow();
  const activeGrants = async (meetingId: string, userId: string) =>
    (await db().selectFrom("case_access_grant").select("case_id").where("consultation_id", "=", meetingId).where("user_id", "=", userId).where("revoked_at", "is", null).execute()).map((g) => g.case_id).sort();
  const invitationOf = async (meetingId: string, caseId: string) =>
    (await db().selectFrom("consultation_case_service").select("invitation_id").where("consultation_id", "=", meetingId).where("case_id", "=", caseId).executeTakeFirstOrThrow()).invitation_id!;
  const meetingCounts = async () =>
    Promise.all(["consultation", "consultation_case", "consultation_case_service", "partner_invitation", "case_event"].map((t) => count(t)));
  const reporter = memo(async () => makeActor(ctx(), [{ livcId: (await meetingWorld()).livcId, role: "partner_member", organisationId: (await meetingWorld()).clb }]));
  const draftForm = (observation: string) => ({ ...emptyForm(), identity_known: "known" as const, subject_name: "Fictieve Melding", observation });
  const submitForm = (observation: string) => ({
    ...draftForm(observation),
    subject_birth_date: "2001-02-03",
    municipality_nis: "44021",
    signals: ["supports_violence"],
    since: "weeks",
    person_knows: "no",
    reporter_contact: "09 123 45 67",
  });
  /** An LIVC with a coordinator and a chair; reportIn files a report about one person and puts it in that LIVC's queue. */
  const caseLinkWorld = memo(async () => {
    const c = ctx();
    const livcId = await makeLivc(c);
    const coordinator = await makeActor(c, [{ livcId, role: "coordinator" }]);
    const chair = await makeActor(c, [{ livcId, role: "chair" }]);
    const reportIn = async (observation: string) => {
      const made = await fileReport(c, { actor: await reporter() }, submitForm(observation), "submit");
      if (made.kind !== "submitted") throw new Error(made.kind);
      // Routing depends on the register of the day; the test puts the report in this LIVC's queue.
      const row = await db().updateTable("report").set({ livc_id: livcId, regional_queue: null }).where("reference", "=", made.reference).returning("id").executeTakeFirstOrThrow();
      return row.id;
    };
    return { livcId, coordinator, chair, reportIn };
  });
  /** Reports, their events, and the personal-data write entries on reports (the sealed document). */
  const intakeCounts = () => Promise.all([count("report"), count("report_event"), count("audit_entry", "action = 'personal_data.write' and resource_type = 'report'")]);
  const ownDraft = async (actor: Awaited<ReturnType<typeof reporter>>) => {
    const made = await fileReport(ctx(), { actor }, draftForm("Eerste waarneming"), "draft");
    if (made.kind !== "draft") throw new Error(made.kind);
    const row = () => db().selectFrom("report").select(["status", "content_enc", "updated_at"]).where("reference", "=", made.reference).executeTakeFirstOrThrow();
    return { actor, reference: made.reference, row, before: await row(), counts: await intakeCounts() };
  };
  const campaignCase = (name: string, table: string, url: () => string, fields: () => Record<string, string>, only?: string) =>
    atomicCase({
      name,
      only,
      setup: async () => count(table),
      change: () => post(analyst, url(), fields()),
      unchanged: async (before) => expect(await count(table)).toBe(before),
    });

  const cases: AtomicCase<unknown>[] = [
    // Accounts (administrator) ------------------------------------------------------------
    ...(["disable", "enable", "end-sessions", "invite-link", "reset-link"] as const).map((path) =>
      atomicCase({
        name: `POST /admin/accounts/:id/${path}`,
        setup: async () => {
          const user = await createUser(ctx());
          await login(app, user);
          if (path === "enable") await updateUser(db(), user.id, { status: "disabled" });
          const row = await findUser(db(), user.id);
          return { user, status: row!.status, sessions: await sessionsOf(user.id), tokens: await tokensOf(user.id) };
        },
        change: (s) => post(admin, `/admin/accounts/${s.user.id}/${path}`),
        unchanged: async (s) => {
          expect((await findUser(db(), s.user.id))!.status).toBe(s.status);
          expect(await sessionsOf(s.user.id)).toBe(s.sessions);
          expect(await tokensOf(s.user.id)).toBe(s.tokens);
        },
      }),
    ),
    atomicCase({
      name: "POST /admin/accounts (regression: account creation, atomic since session 2)",
      setup: async () => ({ email: `nieuw-${Date.now()}@test.schakel.invalid`, before: await count("app_user") }),
      change: (s) => post(admin, "/admin/accounts", { email: s.email, display_name: "Nieuw Account" }),
      unchanged: async (s) => expect(await count("app_user")).toBe(s.before),
    }),
    // Roles on the account page (decision 0041): the grant, the end and the platform roles with their entry.
    atomicCase({
      name: "POST /admin/accounts/:id/memberships (give an LIVC role)",
      setup: async () => ({ user: await createUser(ctx()), livcId: await makeLivc(ctx()) }),
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/memberships`, { livc_id: s.livcId, role: "chair", organisation_id: "", valid_from: "2026-01-01", valid_to: "" }),
      unchanged: async (s) => expect(await count("membership", `user_id = '${s.user.id}'`)).toBe(0),
    }),
    atomicCase({
      name: "POST /admin/accounts/:id/memberships/:mid/end (end an LIVC role)",
      setup: async () => {
        const user = await createUser(ctx(), { roles: [{ livcId: await makeLivc(ctx()), role: "coordinator" }] });
        const m = await db().selectFrom("membership").select("id").where("user_id", "=", user.id).executeTakeFirstOrThrow();
        return { user, mid: m.id };
      },
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/memberships/${s.mid}/end`, { valid_to: "" }),
      unchanged: async (s) => expect(await count("membership", `id = '${s.mid}' and valid_to is null`)).toBe(1),
    }),
    // Four eyes (decision 0049): approving, refusing and withdrawing a pending role commit with their entry.
    ...(["approve", "refuse", "withdraw"] as const).map((kind) =>
      atomicCase({
        name: `${kind} a pending LIVC role request (decision 0049)`,
        setup: async () => {
          const requester = await makeActor(ctx(), [], { isAdmin: true });
          const decider = await makeActor(ctx(), [], { isAdmin: true });
          const user = await createUser(ctx());
          const mid = await requestRole(ctx(), { actor: requester }, { userId: user.id, livcId: await makeLivc(ctx()), role: "coordinator" });
          return { requester, decider, mid };
        },
        change: (s) =>
          kind === "withdraw"
            ? withdrawRequest(ctx(), { actor: s.requester }, s.mid)
            : decideRequest(ctx(), { actor: s.decider }, s.mid, kind === "approve" ? { approve: true } : { approve: false, reason: "Niet afgesproken" }),
        unchanged: async (s) => expect(await count("membership", `id = '${s.mid}' and approval = 'pending' and decided_by is null and refusal_reason is null`)).toBe(1),
      }),
    ),
    // Partner invitation acceptance: the partner-member role is granted in the acceptance's transaction, with its own entry.
    atomicCase({
      name: "respondToInvitation accept (structural: the partner-member role's entry refused)",
      only: "account.membership.grant",
      setup: async () => {
        const livcId = await makeLivc(ctx());
        const org = await makeOrganisation(ctx(), "CAW Atomair", "caw");
        const contact = await makeActor(ctx(), []);
        const inv = await partners.sendInvitation(ctx(), {}, { livcId, organisationId: org, kind: "structural" });
        return { livcId, contact, inv };
      },
      change: (s) => partners.respondToInvitation(ctx(), { actor: s.contact }, s.inv, { answer: "accept" }),
      unchanged: async (s) => {
        expect((await partners.invitationById(ctx(), s.inv))?.status).toBe("pending");
        expect(await count("livc_partner", `livc_id = '${s.livcId}'`)).toBe(0);
        expect(await count("membership", `user_id = '${s.contact.userId}'`)).toBe(0);
      },
    }),
    atomicCase({
      name: "POST /admin/accounts/:id/platform-roles",
      setup: async () => ({ user: await createUser(ctx(), { platformRoles: ["dpo"] }) }),
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/platform-roles`, { roles: "regional_analyst" }),
      unchanged: async (s) => expect(await count("platform_role", `user_id = '${s.user.id}' and role = 'dpo'`)).toBe(1),
    }),
    // Four eyes on admin and dpo (decision 0049, amended): the request (account page, account creation) and each decision.
    atomicCase({
      name: "POST /admin/accounts/:id/platform-roles asking for dpo (a pending request, decision 0049)",
      only: "account.platform_role.request",
      setup: async () => ({ user: await createUser(ctx()) }),
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/platform-roles`, { roles: "dpo" }),
      unchanged: async (s) => {
        expect(await count("platform_role_request", `user_id = '${s.user.id}'`)).toBe(0);
        expect(await count("platform_role", `user_id = '${s.user.id}'`)).toBe(0);
      },
    }),
    atomicCase({
      name: "POST /admin/accounts with the dpo role (account and request together, decision 0049)",
      only: "account.platform_role.request",
      setup: async () => ({ email: `dpo-${Date.now()}@test.schakel.invalid`, before: await count("app_user") }),
      change: (s) => post(admin, "/admin/accounts", { email: s.email, display_name: "Nieuwe DPO", roles: "dpo" }),
      unchanged: async (s) => expect(await count("app_user")).toBe(s.before),
    }),
    ...(["approve", "refuse", "withdraw"] as const).map((kind) =>
      atomicCase({
        name: `${kind} a pending platform-role request (decision 0049, amended)`,
        setup: async () => {
          const requester = await makeActor(ctx(), [], { isAdmin: true });
          const decider = await makeActor(ctx(), [], { isAdmin: true });
          const user = await createUser(ctx());
          const rid = await requestPlatformRole(ctx(), { actor: requester }, user.id, "dpo");
          return { requester, decider, rid, user };
        },
        change: (s) =>
          kind === "withdraw"
            ? withdrawPlatformRequest(ctx(), { actor: s.requester }, s.rid)
            : decidePlatformRequest(ctx(), { actor: s.decider }, s.rid, kind === "approve" ? { approve: true } : { approve: false, reason: "Niet afgesproken" }),
        unchanged: async (s) => {
          expect(await count("platform_role_request", `id = '${s.rid}' and approval = 'pending' and decided_by is null and refusal_reason is null`)).toBe(1);
          expect(await count("platform_role", `user_id = '${s.user.id}'`)).toBe(0);
        },
      }),
    ),
    // Own account ---------------------------------------------------------------------------
    atomicCase({
      name: "POST /logout",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/logout"),
      unchanged: async (s) => expect(await sessionsOf(s.user.id)).toBe(1),
    }),
    atomicCase({
      name: "POST /account/language (decision 0035)",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/account/language", { language: "fr" }),
      unchanged: async (s) => expect((await findUser(db(), s.user.id))!.language).toBe("nl"),
    }),
    atomicCase({
      name: "POST /admin/accounts/:id/language (an administrator sets an account's language)",
      setup: async () => ({ user: await createUser(ctx()) }),
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/language`, { language: "en" }),
      unchanged: async (s) => expect((await findUser(db(), s.user.id))!.language).toBe("nl"),
    }),
    atomicCase({
      name: "POST /account/sessions/end-all",
      setup: async () => {
        const user = await createUser(ctx());
        await login(app, user);
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/account/sessions/end-all"),
      unchanged: async (s) => expect(await sessionsOf(s.user.id)).toBe(2),
    }),
    atomicCase({
      name: "POST /account/password",
      setup: async () => {
        const user = await createUser(ctx());
        await login(app, user);
        const s = await login(app, user);
        return { user, s, hash: (await findUser(db(), user.id))!.password_hash };
      },
      change: (s) => post(s.s, "/account/password", { password: STRONG, confirm: STRONG }),
      unchanged: async (s) => {
        expect((await findUser(db(), s.user.id))!.password_hash).toBe(s.hash);
        expect(await sessionsOf(s.user.id)).toBe(2);
        expect(await db().selectFrom("session").select("id").where("user_id", "=", s.user.id).where("id", "=", sessionIdOfJar(s.s)).executeTakeFirst()).toBeDefined();
      },
    }),
    atomicCase({
      name: "POST /account/reauth",
      setup: async () => {
        const user = await createUser(ctx());
        const s = await login(app, user);
        return { user, s, row: await findUser(db(), user.id) };
      },
      change: async (s) => post(s.s, "/account/reauth", { password: s.user.password, code: await freshTotp(s.user), next: "/account" }),
      unchanged: async (s) => {
        expect((await findUser(db(), s.user.id))!.totp_last_step).toBe(s.row!.totp_last_step);
        expect(await db().selectFrom("session").select("id").where("id", "=", sessionIdOfJar(s.s)).executeTakeFirst()).toBeDefined();
      },
    }),
    atomicCase({
      name: "POST /account/reset (reset link requested)",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, form: await anonymousForm(app, "/account/reset"), tokens: await tokensOf(user.id) };
      },
      change: (s) =>
        app.inject({ method: "POST", url: "/account/reset", headers: { ...FORM, cookie: s.form.jar.header() }, payload: new URLSearchParams({ _csrf: s.form.csrf, email: s.user.email }).toString() }),
      unchanged: async (s) => expect(await tokensOf(s.user.id)).toBe(s.tokens),
    }),
    atomicCase({
      name: "POST /account/activate (invitation redeemed)",
      setup: async () => {
        const id = await createAccount(ctx(), { email: `invited-${Date.now()}-${Math.random()}@test.schakel.invalid`, displayName: "Uitgenodigd Persoon", status: "invited" });
        const token = await issueToken(ctx(), id, "invite");
        return { id, token, form: await anonymousForm(app, `/account/activate?token=${token}`), tokens: await tokensOf(id) };
      },
      change: (s) =>
        app.inject({
          method: "POST",
          url: "/account/activate",
          headers: { ...FORM, cookie: s.form.jar.header() },
          payload: new URLSearchParams({ _csrf: s.form.csrf, token: s.token, password: STRONG, confirm: STRONG }).toString(),
        }),
      unchanged: async (s) => {
        const row = await findUser(db(), s.id);
        expect(row!.status).toBe("invited");
        expect(row!.password_hash).toBeNull();
        expect(await tokensOf(s.id)).toBe(s.tokens);
      },
    }),
    atomicCase({
      name: "finishEnrolment (TOTP enrolment, service)",
      setup: async () => {
        const id = await createAccount(ctx(), { email: `enrol-${Date.now()}-${Math.random()}@test.schakel.invalid`, displayName: "Nieuw Persoon", password: STRONG });
        const { session } = await createSession(db(), id, "enrol", "password", null);
        const { secret } = await startEnrolment(ctx(), session);
        const withPending = (await db().selectFrom("session").selectAll().where("id", "=", session.id).executeTakeFirstOrThrow())!;
        return { id, session: withPending, secret };
      },
      change: async (s) => finishEnrolment(ctx(), { userId: s.id }, s.session, await generate({ secret: s.secret })),
      unchanged: async (s) => {
        expect((await findUser(db(), s.id))!.totp_secret).toBeNull();
        const row = await db().selectFrom("session").selectAll().where("id", "=", s.session.id).executeTakeFirst();
        expect(row?.pending_totp).toBe(s.session.pending_totp);
        expect(row?.stage).toBe("enrol");
      },
    }),
    atomicCase({
      name: "POST /account/sso/unlink",
      setup: async () => {
        const user: TestUser = await createUser(ctx());
        await updateUser(db(), user.id, { oidc_issuer: "https://idp.test.schakel.invalid", oidc_subject: `sub-${user.id}` });
        return { user, s: await login(app, user) };
      },
      change: (s) => post(s.s, "/account/sso/unlink"),
      unchanged: async (s) => expect((await findUser(db(), s.user.id))!.oidc_subject).toBe(`sub-${s.user.id}`),
    }),
    // Account recovery (decision 0045): the whole reset, also when only its last entry is refused
    // (an SSO-linked account writes account.oidc.unlink first).
    ...([undefined, "account.mfa.reset"] as const).map((only) =>
      atomicCase({
        name: `POST /admin/accounts/:id/mfa-reset${only ? " (SSO-linked; the reset's entry refused)" : ""}`,
        only,
        setup: async () => {
          const user = await createUser(ctx());
          if (only) await updateUser(db(), user.id, { oidc_issuer: "https://idp.test.schakel.invalid", oidc_subject: `sub-${user.id}` });
          await db().insertInto("recovery_code").values({ id: `rc-${user.id}`, user_id: user.id, code_hash: `h-${user.id}`, used_at: null }).execute();
          await login(app, user);
          return { user, row: await findUser(db(), user.id), sessions: await sessionsOf(user.id), tokens: await tokensOf(user.id) };
        },
        change: (s) => post(admin, `/admin/accounts/${s.user.id}/mfa-reset`, { identity_verified: "yes" }),
        unchanged: async (s) => {
          expect(await findUser(db(), s.user.id)).toEqual(s.row);
          expect(await count("recovery_code", `user_id = '${s.user.id}'`)).toBe(1);
          expect(await sessionsOf(s.user.id)).toBe(s.sessions);
          expect(await tokensOf(s.user.id)).toBe(s.tokens);
        },
      }),
    ),
    atomicCase({
      name: "POST /admin/accounts/:id/details (name and e-mail address)",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, row: await findUser(db(), user.id) };
      },
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/details`, { display_name: "Andere Naam", email: `ander-${s.user.id}@test.schakel.invalid` }),
      unchanged: async (s) => expect(await findUser(db(), s.user.id)).toEqual(s.row),
    }),
    // A new address ends the person's sessions and unused reset links (decision 0050): refusing that
    // entry (written after the change) leaves the address, the sessions and the links as they were.
    atomicCase({
      name: "POST /admin/accounts/:id/details (new address; the end-sessions entry refused)",
      only: "account.end-sessions",
      setup: async () => {
        const user = await createUser(ctx());
        await login(app, user);
        await issueToken(ctx(), user.id, "reset");
        return { user, row: await findUser(db(), user.id), sessions: await sessionsOf(user.id), tokens: await tokensOf(user.id) };
      },
      change: (s) => post(admin, `/admin/accounts/${s.user.id}/details`, { display_name: s.user.displayName, email: `nieuw-${s.user.id}@test.schakel.invalid` }),
      unchanged: async (s) => {
        expect(await findUser(db(), s.user.id)).toEqual(s.row);
        expect(await sessionsOf(s.user.id)).toBe(s.sessions);
        expect(await tokensOf(s.user.id)).toBe(s.tokens);
      },
    }),
    atomicCase({
      name: "POST /account/name (own name)",
      setup: async () => {
        const user = await createUser(ctx());
        return { user, s: await login(app, user), row: await findUser(db(), user.id) };
      },
      change: (s) => post(s.s, "/account/name", { display_name: "Eigen Andere Naam" }),
      unchanged: async (s) => expect((await findUser(db(), s.user.id))!.display_name).toBe(s.row!.display_name),
    }),
    // Registry: the LIVC, its officers' role grants and every entry in one transaction --------
    atomicCase({
      name: "POST /registry (new LIVC with a chair: role grant refused)",
      only: "account.membership.request",
      setup: async () => ({ chair: await createUser(ctx()), livcs: await count("livc") }),
      change: (s) => post(admin, "/registry", { code: "LIVC-ATOM-1", name: "LIVC Atomair", founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "", chair_email: s.chair.email, coordinator_email: "", info_officer_email: "" }),
      unchanged: async (s) => {
        expect(await count("livc")).toBe(s.livcs);
        expect(await count("membership", `user_id = '${s.chair.id}'`)).toBe(0);
      },
    }),
    atomicCase({
      name: "POST /registry/:id/edit (officer linked: role grant refused)",
      only: "account.membership.request",
      setup: async () => {
        const made = await post(admin, "/registry", { code: "LIVC-ATOM-2", name: "LIVC Atomair 2", founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "", chair_email: "", coordinator_email: "", info_officer_email: "" });
        expect(made.statusCode).toBe(303);
        const livcId = String(made.headers.location).split("/")[2].split("?")[0];
        return { livcId, chair: await createUser(ctx()) };
      },
      change: (s) =>
        post(admin, `/registry/${s.livcId}/edit`, { code: "LIVC-ATOM-2", name: "LIVC Atomair 2 gewijzigd", founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "", chair_email: s.chair.email, coordinator_email: "", info_officer_email: "" }),
      unchanged: async (s) => {
        const livc = await db().selectFrom("livc").select(["name", "chair_user_id"]).where("id", "=", s.livcId).executeTakeFirstOrThrow();
        expect(livc).toEqual({ name: "LIVC Atomair 2", chair_user_id: null });
        expect(await count("membership", `user_id = '${s.chair.id}'`)).toBe(0);
      },
    }),
    // Registry (decision 0044): the chair's framework version, the analyst's obstacle correction and end
    atomicCase({
      name: "POST /registry/:id/frameworks/new (the LIVC's chair)",
      setup: async () => {
        const livcId = await newLivc(`LIVC-ATOM-FW-${dialect}`);
        const chair = await login(app, await createUser(ctx(), { roles: [{ livcId, role: "chair" }] }));
        return { livcId, chair, revision: await registerRevision(db()) };
      },
      change: (s) => post(s.chair, `/registry/${s.livcId}/frameworks/new`, { participants: "Vaste leden", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2026-01-01" }),
      unchanged: async (s) => {
        expect(await count("livc_framework", `livc_id = '${s.livcId}'`)).toBe(0);
        expect(await registerRevision(db())).toBe(s.revision);
      },
    }),
    ...(["correct", "end"] as const).map((kind, i) =>
      atomicCase({
        name: `POST /registry/obstacles/:id/${kind} (regional analyst)`,
        setup: async () => {
          const o = { nis: "11001", recorded_on: `2023-0${i + 1}-15`, reason: "capacity" as const, note: `atomair ${kind}` };
          await addObstacle(ctx().database, {}, o);
          const row = await db().selectFrom("municipality_obstacle").selectAll().where("nis", "=", o.nis).where("recorded_on", "=", o.recorded_on).where("note", "=", o.note).executeTakeFirstOrThrow();
          return { row, revision: await registerRevision(db()) };
        },
        change: (s) => post(analyst, `/registry/obstacles/${s.row.id}/${kind}`, kind === "correct" ? { reason: "few_cases", note: "" } : { ended_on: "2024-01-01" }),
        unchanged: async (s) => {
          expect(await db().selectFrom("municipality_obstacle").selectAll().where("id", "=", s.row.id).executeTakeFirst()).toEqual(s.row);
          expect(await count("municipality_obstacle_change", `obstacle_id = '${s.row.id}'`)).toBe(0);
          expect(await registerRevision(db())).toBe(s.revision);
        },
      }),
    ),
    // Awareness campaigns (regional analyst) ---------------------------------------------------
    campaignCase("POST /awareness/campaigns/new", "awareness_campaign", () => "/awareness/campaigns/new", () => ({ name: "Ronde geweigerd", year: "2026", description: "" })),
    campaignCase("POST /awareness/campaigns/:id/sessions/new", "awareness_session", () => `/awareness/campaigns/${campaignId}/sessions/new`, () => ({ held_on: "2025-03-01", sectors: "local_police", province: "", municipalities: "71016", participants: "12", materials: "" })),
    campaignCase("POST /awareness/campaigns/:id/questions/new", "awareness_question", () => `/awareness/campaigns/${campaignId}/questions/new`, () => ({ kind: "text", text_nl: "Vraag", text_fr: "Question", required: "1" })),
    campaignCase("POST /awareness/campaigns/:id/questions/standard", "awareness_question", () => `/awareness/campaigns/${campaignId}/questions/standard`, () => ({})),
    campaignCase("POST /awareness/campaigns/:id/links/new", "awareness_link", () => `/awareness/campaigns/${campaignId}/links/new`, () => ({ kind: "anonymous", sector: "local_police", province: "Limburg", count: "3" })),
    campaignCase("POST /awareness/campaigns/:id/advice/:nis/sent", "awareness_advice_sent", () => `/awareness/campaigns/${campaignId}/advice/71016/sent`, () => ({ sent_on: "2025-10-01" })),
    campaignCase("POST /awareness/campaigns/:id/advice/jobs", "awareness_job", () => `/awareness/campaigns/${campaignId}/advice/jobs`, () => ({})),
    // Partners -----------------------------------------------------------------------------------
    atomicCase({
      name: "POST /admin/organisations",
      setup: async () => count("organisation"),
      change: () => post(admin, "/admin/organisations", { name: `Dienst Atomair ${Date.now()}`, sector: "local_police" }),
      unchanged: async (before) => expect(await count("organisation")).toBe(before),
    }),
    atomicCase({
      name: "createConsultation (partners service)",
      setup: async () => ({ livcId: await newLivc("LIVC-ATOM-3"), before: await count("consultation") }),
      change: (s) => createConsultation(ctx(), {}, { livcId: s.livcId, heldOn: "2026-02-02" }),
      unchanged: async (s) => expect(await count("consultation")).toBe(s.before),
    }),
    atomicCase({
      name: "setConsultationStatus (partners service)",
      setup: async () => createConsultation(ctx(), {}, { livcId: await newLivc("LIVC-ATOM-4"), heldOn: "2026-02-03" }),
      change: (id) => setConsultationStatus(ctx(), {}, id, "held"),
      unchanged: async (id) => expect((await db().selectFrom("consultation").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status).toBe("planned"),
    }),
    // Organisation name and sector (session 3, admin pages): the row and the partners revision roll back with the entries.
    ...([undefined, "partners.organisation.update.sector"] as const).map((only) =>
      atomicCase({
        name: `POST /admin/organisations/:id/edit (name + sector${only ? `; refused: ${only}` : ""})`,
        only,
        setup: async () => {
          const id = await makeOrganisation(ctx(), `Dienst Hernoemd ${Date.now()}`, "caw");
          const row = await db().selectFrom("organisation").select(["name", "sector"]).where("id", "=", id).executeTakeFirstOrThrow();
          return { id, row, token: await partnersRevision() };
        },
        change: (s) => post(admin, `/admin/organisations/${s.id}/edit`, { name: `${s.row.name} nieuw`, sector: "clb" }),
        unchanged: async (s) => {
          expect(await db().selectFrom("organisation").select(["name", "sector"]).where("id", "=", s.id).executeTakeFirstOrThrow()).toEqual(s.row);
          expect(await partnersRevision()).toBe(s.token);
        },
      }),
    ),
    // A seat's end and a contact's removal end the partner member role with them (session 5, decision 0042).
    ...([undefined, "account.membership.end"] as const).flatMap((only) => [
      atomicCase({
        name: `POST /partners/seats/:id/end (ends the organisation's partner member role${only ? `; refused: ${only}` : ""})`,
        only,
        setup: async () => {
          const livcId = await makeLivc(ctx());
          const org = await makeOrganisation(ctx(), "CLB Zetel", "clb");
          const seat = await partners.addSeat(ctx(), {}, { livcId, seat: "partner", organisationId: org, fromOn: "2020-01-01" });
          const user = await createUser(ctx(), { roles: [{ livcId, role: "partner_member", organisationId: org }] });
          // The LIVC's coordinator manages its seats (an administrator holds no LIVC role).
          const coordinator = await login(app, await createUser(ctx(), { roles: [{ livcId, role: "coordinator" }] }));
          return { seat, userId: user.id, coordinator };
        },
        change: (s) => post(s.coordinator, `/partners/seats/${s.seat}/end`, { to_on: "2025-12-31" }),
        unchanged: async (s) => {
          expect((await db().selectFrom("livc_partner").select("to_on").where("id", "=", s.seat).executeTakeFirstOrThrow()).to_on).toBeNull();
          expect((await db().selectFrom("membership").select("valid_to").where("user_id", "=", s.userId).executeTakeFirstOrThrow()).valid_to).toBeNull();
        },
      }),
      atomicCase({
        name: `POST /admin/organisations/:id/contacts/remove (ends the person's partner member role${only ? `; refused: ${only}` : ""})`,
        only,
        setup: async () => {
          const livcId = await makeLivc(ctx());
          const org = await makeOrganisation(ctx(), "CLB Contact", "clb");
          const user = await createUser(ctx(), { roles: [{ livcId, role: "partner_member", organisationId: org }] });
          await partners.addOrganisationContact(ctx(), {}, org, user.id);
          return { org, userId: user.id };
        },
        change: (s) => post(admin, `/admin/organisations/${s.org}/contacts/remove`, { user_id: s.userId }),
        unchanged: async (s) => {
          expect((await partners.organisationContacts(ctx(), [s.org])).map((c) => c.user_id)).toEqual([s.userId]);
          expect((await db().selectFrom("membership").select("valid_to").where("user_id", "=", s.userId).executeTakeFirstOrThrow()).valid_to).toBeNull();
        },
      }),
    ]),
    // Regional contact points (session 3, admin pages; the CLI calls the same functions) ---------
    atomicCase({
      name: "POST /admin/regional-contacts",
      setup: async () => ({ user: await createUser(ctx()), before: await count("intake_regional_contact") }),
      change: (s) => post(admin, "/admin/regional-contacts", { email: s.user.email, province: "Limburg" }),
      unchanged: async (s) => expect(await count("intake_regional_contact")).toBe(s.before),
    }),
    atomicCase({
      name: "POST /admin/regional-contacts/:id (change the province)",
      setup: async () => newContactPoint("Antwerpen"),
      change: (id) => post(admin, `/admin/regional-contacts/${id}`, { province: "all" }),
      unchanged: async (id) => expect((await db().selectFrom("intake_regional_contact").select("province").where("id", "=", id).executeTakeFirstOrThrow()).province).toBe("Antwerpen"),
    }),
    atomicCase({
      name: "POST /admin/regional-contacts/:id/end",
      setup: async () => newContactPoint("West-Vlaanderen"),
      change: (id) => post(admin, `/admin/regional-contacts/${id}/end`),
      unchanged: async (id) => expect(await count("intake_regional_contact", `id = '${id}'`)).toBe(1),
    }),
    // Closing days per LIVC (session 5) -------------------------------------------------------------
    atomicCase({
      name: "POST /closing-days/:livcId (add a closing day)",
      setup: async () => newLivc("LIVC-ATOM-CD1"),
      change: (livcId) => post(admin, `/closing-days/${livcId}`, { day: "09-15", description: "Kermismaandag" }),
      unchanged: async (livcId) => expect(await count("intake_livc_closing_day", `livc_id = '${livcId}'`)).toBe(0),
    }),
    atomicCase({
      name: "POST /closing-days/:livcId/:id/remove",
      setup: async () => {
        const livcId = await newLivc("LIVC-ATOM-CD2");
        expect((await post(admin, `/closing-days/${livcId}`, { day: "09-15", description: "" })).statusCode).toBe(303);
        const { id } = await db().selectFrom("intake_livc_closing_day").select("id").where("livc_id", "=", livcId).executeTakeFirstOrThrow();
        return { livcId, id };
      },
      change: (s) => post(admin, `/closing-days/${s.livcId}/${s.id}/remove`),
      unchanged: async (s) => expect(await count("intake_livc_closing_day", `id = '${s.id}'`)).toBe(1),
    }),
    // Meetings (session 3, part 2) --------------------------------------------------------------
    ...(["meeting.schedule", "partners.invitation.send"] as const).map((only) =>
      atomicCase({
        name: `scheduleMeeting (meetings service; refused: ${only})`,
        only,
        setup: async () => {
          await meetingWorld();
          return meetingCounts();
        },
        change: async () => (await meetingWorld()).schedule(),
        unchanged: async (before) => expect(await meetingCounts()).toEqual(before),
      }),
    ),
    atomicCase({
      name: "acknowledgeConfidentiality (meetings service)",
      only: "meeting.acknowledge_confidentiality",
      setup: async () => {
        const w = await meetingWorld();
        return { ...w, meetingId: await w.schedule() };
      },
      change: (s) => acknowledgeConfidentiality(ctx(), { actor: s.member }, s.meetingId),
      unchanged: async (s) => expect(await count("consultation_ack", `consultation_id = '${s.meetingId}'`)).toBe(0),
    }),
    atomicCase({
      name: "acknowledgeConfidentiality (invitation accepted: need-to-know grant refused)",
      only: "case.grant.add",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        await partners.respondToInvitation(ctx(), { actor: w.member }, await invitationOf(meetingId, w.caseA), { answer: "accept" });
        return { ...w, meetingId };
      },
      change: (s) => acknowledgeConfidentiality(ctx(), { actor: s.member }, s.meetingId),
      unchanged: async (s) => {
        expect(await count("consultation_ack", `consultation_id = '${s.meetingId}'`)).toBe(0);
        expect(await activeGrants(s.meetingId, s.member.userId)).toEqual([]);
      },
    }),
    atomicCase({
      name: "syncConsultationGrants (cases service: revoke A, add B; the add is refused)",
      only: "case.grant.add",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        await caseService.syncConsultationGrants(ctx(), { actor: w.coordinator }, meetingId, w.member.userId, [w.caseA]);
        return { ...w, meetingId };
      },
      change: (s) => caseService.syncConsultationGrants(ctx(), { actor: s.coordinator }, s.meetingId, s.member.userId, [s.caseB]),
      unchanged: async (s) => expect(await activeGrants(s.meetingId, s.member.userId)).toEqual([s.caseA]),
    }),
    atomicCase({
      name: "saveCaseMinutes (meetings service: minutes, actions, next review, timeline)",
      only: "meeting.minutes.save",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        await acknowledgeConfidentiality(ctx(), { actor: w.coordinator }, meetingId);
        const review = (await db().selectFrom("case_file").select("next_review_on").where("id", "=", w.caseA).executeTakeFirstOrThrow()).next_review_on;
        return { ...w, meetingId, review, actions: await count("case_action"), events: await count("case_event") };
      },
      change: (s) =>
        saveCaseMinutes(ctx(), { actor: s.coordinator }, s.meetingId, s.caseA, { decisions: "Begeleiding opstarten", nextReviewOn: "2027-03-15", actions: [{ description: "Intakegesprek", ownerOrganisationId: s.clb, dueOn: "2026-12-20" }] }),
      unchanged: async (s) => {
        expect(await count("consultation_minutes", `consultation_id = '${s.meetingId}'`)).toBe(0);
        expect(await count("case_action")).toBe(s.actions);
        expect(await count("case_event")).toBe(s.events);
        expect((await db().selectFrom("case_file").select("next_review_on").where("id", "=", s.caseA).executeTakeFirstOrThrow()).next_review_on).toBe(s.review);
      },
    }),
    atomicCase({
      name: "saveCaseMinutes (decision 0058: a later save on the current revision)",
      only: "meeting.minutes.save",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        await acknowledgeConfidentiality(ctx(), { actor: w.coordinator }, meetingId);
        await saveCaseMinutes(ctx(), { actor: w.coordinator }, meetingId, w.caseA, { decisions: "Eerste versie", nextReviewOn: null, actions: [], revision: 0 });
        return { ...w, meetingId };
      },
      change: (s) => saveCaseMinutes(ctx(), { actor: s.coordinator }, s.meetingId, s.caseA, { decisions: "Tweede versie", nextReviewOn: "2027-03-15", actions: [], revision: 1 }),
      unchanged: async (s) =>
        expect(await db().selectFrom("consultation_minutes").select(["revision", "next_review_on"]).where("consultation_id", "=", s.meetingId).executeTakeFirstOrThrow()).toEqual({ revision: 1, next_review_on: null }),
    }),
    ...(["partners.attendance.record", "partners.consultation.held"] as const).map((only) =>
      atomicCase({
        name: `recordMeetingAttendance (decision 0058: register lines, the meeting held; refused: ${only})`,
        only,
        setup: async () => {
          const w = await meetingWorld();
          const meetingId = await w.schedule();
          await acknowledgeConfidentiality(ctx(), { actor: w.coordinator }, meetingId);
          return { ...w, meetingId };
        },
        change: (s) => recordMeetingAttendance(ctx(), { actor: s.coordinator }, s.meetingId, [s.coordinator.userId]),
        unchanged: async (s) => {
          expect(await count("consultation_attendance", `consultation_id = '${s.meetingId}'`)).toBe(0);
          expect((await db().selectFrom("consultation").select("status").where("id", "=", s.meetingId).executeTakeFirstOrThrow()).status).toBe("planned");
        },
      }),
    ),
    atomicCase({
      name: "recordMeetingAttendance (decision 0058: corrected to nobody present, the meeting planned again)",
      only: "partners.consultation.planned",
      setup: async () => {
        const h = await meetingWorld();
        const meetingId = await h.schedule();
        await acknowledgeConfidentiality(ctx(), { actor: h.coordinator }, meetingId);
        await recordMeetingAttendance(ctx(), { actor: h.coordinator }, meetingId, [h.coordinator.userId]);
        return { ...h, meetingId };
      },
      change: (s) => recordMeetingAttendance(ctx(), { actor: s.coordinator }, s.meetingId, [], { confirmNobody: true }),
      unchanged: async (s) => {
        expect(await count("consultation_attendance", `consultation_id = '${s.meetingId}' and attended = 1`)).toBe(1);
        expect((await db().selectFrom("consultation").select("status").where("id", "=", s.meetingId).executeTakeFirstOrThrow()).status).toBe("held");
      },
    }),
    atomicCase({
      name: "updateAction (cases service: a lead replans an action)",
      setup: async () => {
        const w = await meetingWorld();
        const [actionId] = await caseService.addActions(ctx(), { actor: w.coordinator }, w.caseA, [{ description: "Eerst", ownerOrganisationId: w.clb, dueOn: "2026-12-20" }]);
        return { ...w, actionId, events: await count("case_event") };
      },
      change: (s) => caseService.updateAction(ctx(), { actor: s.coordinator }, s.actionId, { description: "Later", ownerOrganisationId: s.clb, dueOn: "2027-01-31", revision: 1 }),
      unchanged: async (s) => {
        expect((await db().selectFrom("case_action").select("due_on").where("id", "=", s.actionId).executeTakeFirstOrThrow()).due_on).toBe("2026-12-20");
        expect(await count("case_event")).toBe(s.events);
      },
    }),
    // Re-planning a meeting (decision 0043): the change, invitations, grants and audit entries together.
    atomicCase({
      name: "rescheduleMeeting (meetings: date moved, reminder due again)",
      only: "meeting.reschedule",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        return { ...w, meetingId, row: await db().selectFrom("consultation").selectAll().where("id", "=", meetingId).executeTakeFirstOrThrow(), revision: await partnersRevision() };
      },
      change: (s) => rescheduleMeeting(ctx(), { actor: s.coordinator }, s.meetingId, { heldOn: "2099-01-15", startsAt: "09:00", place: "Elders", videoUrl: null }),
      unchanged: async (s) => {
        expect(await db().selectFrom("consultation").selectAll().where("id", "=", s.meetingId).executeTakeFirstOrThrow()).toEqual(s.row);
        expect(await partnersRevision()).toBe(s.revision);
      },
    }),
    atomicCase({
      name: "cancelMeeting (meetings: status, invitations withdrawn, grants revoked, timeline events)",
      only: "meeting.cancel",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        await partners.respondToInvitation(ctx(), { actor: w.member }, await invitationOf(meetingId, w.caseA), { answer: "accept" });
        await acknowledgeConfidentiality(ctx(), { actor: w.member }, meetingId);
        return { ...w, meetingId, events: await count("case_event") };
      },
      change: (s) => cancelMeeting(ctx(), { actor: s.coordinator }, s.meetingId, { reason: "force_majeure" }),
      unchanged: async (s) => {
        expect((await db().selectFrom("consultation").select("status").where("id", "=", s.meetingId).executeTakeFirstOrThrow()).status).toBe("planned");
        expect(await count("case_event")).toBe(s.events);
        expect((await partners.invitationById(ctx(), await invitationOf(s.meetingId, s.caseA)))?.status).toBe("accepted");
        expect(await activeGrants(s.meetingId, s.member.userId)).toEqual([s.caseA]);
      },
    }),
    atomicCase({
      name: "addAgendaCase (meetings: item, invitation, timeline)",
      only: "meeting.agenda.add",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await scheduleMeeting(ctx(), { actor: w.coordinator }, { livcId: w.livcId, heldOn: "2099-02-10", startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId: w.caseA, organisationIds: [] }] });
        return { ...w, meetingId, counts: await meetingCounts() };
      },
      change: (s) => addAgendaCase(ctx(), { actor: s.coordinator }, s.meetingId, { caseId: s.caseB, organisationIds: [s.clb] }),
      unchanged: async (s) => expect(await meetingCounts()).toEqual(s.counts),
    }),
    atomicCase({
      name: "removeAgendaCase (meetings: item off, invitation withdrawn, grant revoked, timeline event)",
      only: "meeting.agenda.remove",
      setup: async () => {
        const w = await meetingWorld();
        const meetingId = await w.schedule();
        await partners.respondToInvitation(ctx(), { actor: w.member }, await invitationOf(meetingId, w.caseA), { answer: "accept" });
        await acknowledgeConfidentiality(ctx(), { actor: w.member }, meetingId);
        return { ...w, meetingId, counts: await meetingCounts() };
      },
      change: (s) => removeAgendaCase(ctx(), { actor: s.coordinator }, s.meetingId, s.caseA),
      unchanged: async (s) => {
        expect(await meetingCounts()).toEqual(s.counts);
        expect((await partners.invitationById(ctx(), await invitationOf(s.meetingId, s.caseA)))?.status).toBe("accepted");
        expect(await activeGrants(s.meetingId, s.member.userId)).toEqual([s.caseA]);
      },
    }),
    // Rectification (GDPR art. 16, decision 0046): the identity, the blind index, the event and the audit entry together.
    atomicCase({
      name: "rectifyCaseIdentity (cases service: the coordinator corrects the name)",
      only: "case.identity.rectify",
      setup: async () => {
        const w = await meetingWorld();
        const row = () => db().selectFrom("case_file").select(["identity_enc", "subject_index", "updated_at"]).where("id", "=", w.caseA).executeTakeFirstOrThrow();
        return { ...w, row, before: await row(), events: await count("case_event") };
      },
      change: (s) => caseService.rectifyCaseIdentity(ctx(), { actor: s.coordinator }, s.caseA, { fullName: "Verbeterde Naam", dateOfBirth: "2005-05-05", reason: "typo" }),
      unchanged: async (s) => {
        expect(await s.row()).toEqual(s.before);
        expect(await count("case_event")).toBe(s.events);
      },
    }),
    atomicCase({
      name: "rectifyReportIdentity (intake service: the DPO corrects a report's name)",
      only: "intake.report.rectify",
      setup: async () => {
        const made = await fileReport(ctx(), { actor: await reporter() }, submitForm("Te verbeteren"), "submit");
        if (made.kind !== "submitted") throw new Error(made.kind);
        const row = () => db().selectFrom("report").select(["id", "content_enc", "subject_index", "updated_at"]).where("reference", "=", made.reference).executeTakeFirstOrThrow();
        return { dpo: await makeActor(ctx(), [], { isDpo: true }), row, before: await row(), counts: await intakeCounts() };
      },
      change: (s) => rectifyReportIdentity(ctx(), { actor: s.dpo }, s.before.id, { fullName: "Verbeterde Melding", dateOfBirth: "2001-02-03", reason: "subject_request" }),
      unchanged: async (s) => {
        expect(await s.row()).toEqual(s.before);
        expect(await intakeCounts()).toEqual(s.counts);
      },
    }),
    atomicCase({
      name: "addSupplement (intake service: the reporter adds to a submitted report)",
      only: "intake.report.supplement",
      setup: async () => {
        const actor = await reporter();
        const made = await fileReport(ctx(), { actor }, submitForm("Aan te vullen"), "submit");
        if (made.kind !== "submitted") throw new Error(made.kind);
        const counts = () => Promise.all([count("report_supplement"), count("intake_alert"), count("audit_entry", "action = 'personal_data.write' and resource_type = 'report_supplement'")]);
        return { actor, reference: made.reference, counts, before: await counts() };
      },
      change: (s) => addSupplement(ctx(), { actor: s.actor }, s.reference, { observation: "Geweigerde aanvulling", signals: [] }),
      unchanged: async (s) => expect(await s.counts()).toEqual(s.before),
    }),
    // Decision 0060: a supplement after take-up also writes the case's timeline entry; the daily deadline reminder.
    atomicCase({
      name: "addSupplement after take-up (intake service: the screeners' alert and the case's timeline entry)",
      only: "intake.report.supplement",
      setup: async () => {
        const w = await caseLinkWorld();
        const id = await w.reportIn("Aan te vullen na opname");
        const taken = await decide(ctx(), { actor: w.coordinator }, id, { transition: "take_up", reason: "Bespreken.", referralService: "" });
        if (taken.kind !== "ok") throw new Error(taken.kind);
        const reference = (await db().selectFrom("report").select("reference").where("id", "=", id).executeTakeFirstOrThrow()).reference;
        const counts = () => Promise.all([count("report_supplement"), count("intake_alert"), count("case_event")]);
        return { actor: await reporter(), reference, counts, before: await counts() };
      },
      change: (s) => addSupplement(ctx(), { actor: s.actor }, s.reference, { observation: "Geweigerde aanvulling", signals: [] }),
      unchanged: async (s) => expect(await s.counts()).toEqual(s.before),
    }),
    atomicCase({
      name: "sendDeadlineReminders (intake daily job: the reminder's mark and alerts with its system audit entry)",
      setup: async () => {
        const w = await caseLinkWorld();
        const id = await w.reportIn("Termijn bijna om");
        await db().updateTable("report").set({ screening_due_on: "2030-01-10" }).where("id", "=", id).execute();
        const counts = () =>
          Promise.all([count("intake_alert", "kind in ('deadline_near', 'deadline_passed')"), count("report", "screening_near_reminded_for is not null or screening_passed_reminded_for is not null")]);
        return { counts, before: await counts() };
      },
      change: () => sendDeadlineReminders(ctx(), { today: "2030-01-09" }),
      unchanged: async (s) => expect(await s.counts()).toEqual(s.before),
    }),
    ...(["filed_by_mistake", "wrong_person"] as const).map((reason) =>
      atomicCase({
        name: `withdrawReport ${reason} (intake service: the reporter withdraws${reason === "wrong_person" ? ", purged at once" : ""})`,
        only: "intake.report.withdraw",
        setup: async () => {
          const actor = await reporter();
          const made = await fileReport(ctx(), { actor }, submitForm("In te trekken"), "submit");
          if (made.kind !== "submitted") throw new Error(made.kind);
          const row = () => db().selectFrom("report").select(["id", "status", "content_enc", "subject_index", "purged_at", "updated_at"]).where("reference", "=", made.reference).executeTakeFirstOrThrow();
          const counts = () => Promise.all([count("report_event"), count("intake_alert"), count("report_purge_log")]);
          return { actor, reference: made.reference, row, before: await row(), counts, countsBefore: await counts() };
        },
        change: (s) => withdrawReport(ctx(), { actor: s.actor }, s.reference, reason),
        unchanged: async (s) => {
          expect(await s.row()).toEqual(s.before);
          expect(await s.counts()).toEqual(s.countsBefore);
        },
      }),
    ),
    // Drafts (decision 0053): the reporter's discard and the daily erasure, each with its proof and audit entry.
    ...(["intake.report.draft.discard", "intake.report.draft.purge"] as const).map((action) =>
      atomicCase({
        name: `${action === "intake.report.draft.discard" ? "discardDraft (intake: the reporter deletes a draft)" : "purgeReports (intake: a draft past its term erased)"}`,
        only: action,
        setup: async () => {
          const actor = await reporter();
          const made = await fileReport(ctx(), { actor }, submitForm("Concept weg"), "draft");
          if (made.kind !== "draft") throw new Error(made.kind);
          await db().updateTable("report").set({ updated_at: "2020-01-01T00:00:00.000Z" }).where("reference", "=", made.reference).execute();
          const row = () => db().selectFrom("report").select(["id", "status", "content_enc", "updated_at"]).where("reference", "=", made.reference).executeTakeFirst();
          return { actor, reference: made.reference, row, before: await row(), logs: await count("report_purge_log") };
        },
        change: (s) =>
          action === "intake.report.draft.discard" ? discardDraft(ctx(), { actor: s.actor }, s.reference) : purgeReports(ctx(), { today: "2020-03-01", terms: { draftDays: 30, notTakenUpMonths: 12 } }),
        unchanged: async (s) => {
          expect(await s.row()).toEqual(s.before);
          expect(await count("report_purge_log")).toBe(s.logs);
        },
      }),
    ),
    // Feedback form (cases) ------------------------------------------------------------------------
    atomicCase({
      name: "draftFeedback (cases service)",
      only: "feedback.draft",
      setup: async () => ({ h: await heldMeeting(), forms: await count("feedback_form"), events: await count("case_event") }),
      change: (s) => caseService.draftFeedback(ctx(), { actor: s.h.officer }, s.h.caseA, s.h.meetingId, "Geweigerde tekst"),
      unchanged: async (s) => {
        expect(await count("feedback_form")).toBe(s.forms);
        expect(await count("case_event")).toBe(s.events);
      },
    }),
    atomicCase({
      name: "editFeedback (cases service)",
      only: "feedback.edit",
      setup: async () => {
        const f = await newForm();
        return { ...f, row: await formRow(f.formId) };
      },
      change: (s) => caseService.editFeedback(ctx(), { actor: s.officer }, s.formId, "Nieuwe tekst"),
      unchanged: async (s) => expect(await formRow(s.formId)).toEqual(s.row),
    }),
    atomicCase({
      name: "voteFeedback (cases service)",
      only: "feedback.approve",
      setup: async () => ({ ...(await newForm()), events: await count("case_event") }),
      change: (s) => caseService.voteFeedback(ctx(), { actor: s.coordinator }, s.formId, "approve"),
      unchanged: async (s) => {
        expect(await count("feedback_vote", `form_id = '${s.formId}'`)).toBe(0);
        expect(await count("case_event")).toBe(s.events);
      },
    }),
    atomicCase({
      name: "attestFeedback (cases service)",
      only: "feedback.attest_no_secrecy",
      setup: newForm,
      change: (s) => caseService.attestFeedback(ctx(), { actor: s.officer }, s.formId),
      unchanged: async (s) => expect((await formRow(s.formId)).attested_no_secrecy_at).toBeNull(),
    }),
    atomicCase({
      name: "markFeedbackSent (cases service)",
      only: "feedback.send",
      setup: async () => {
        const f = await newForm();
        await caseService.attestFeedback(ctx(), { actor: f.officer }, f.formId);
        for (const a of [f.officer, f.coordinator]) await caseService.voteFeedback(ctx(), { actor: a }, f.formId, "approve");
        return { ...f, events: await count("case_event") };
      },
      change: (s) => caseService.markFeedbackSent(ctx(), { actor: s.officer }, s.formId),
      unchanged: async (s) => {
        expect(await formRow(s.formId)).toMatchObject({ status: "draft" });
        expect(await count("case_event")).toBe(s.events);
      },
    }),
    // Intake draft ------------------------------------------------------------------------------------
    atomicCase({
      name: "fileReport draft (intake service: new draft)",
      only: "intake.report.draft",
      setup: async () => ({ actor: await reporter(), reports: await count("report") }),
      change: (s) => fileReport(ctx(), { actor: s.actor }, draftForm("Eerste waarneming"), "draft"),
      unchanged: async (s) => expect(await count("report")).toBe(s.reports),
    }),
    atomicCase({
      name: "fileReport draft (intake service: own draft saved again)",
      only: "intake.report.draft",
      setup: async () => {
        const actor = await reporter();
        const made = await fileReport(ctx(), { actor }, draftForm("Eerste waarneming"), "draft");
        if (made.kind !== "draft") throw new Error(made.kind);
        const row = () => db().selectFrom("report").select(["content_enc", "updated_at"]).where("reference", "=", made.reference).executeTakeFirstOrThrow();
        return { actor, reference: made.reference, row, before: await row() };
      },
      change: (s) => fileReport(ctx(), { actor: s.actor }, draftForm("Gewijzigde waarneming"), "draft", s.reference),
      unchanged: async (s) => expect(await s.row()).toEqual(s.before),
    }),
    // Intake submission (session 3): the report, its event and its personal-data write entry roll back together.
    atomicCase({
      name: "fileReport submit (intake service: new report)",
      only: "intake.report.submit",
      setup: async () => ({ actor: await reporter(), counts: await intakeCounts() }),
      change: (s) => fileReport(ctx(), { actor: s.actor }, submitForm("Ingediende waarneming"), "submit"),
      unchanged: async (s) => expect(await intakeCounts()).toEqual(s.counts),
    }),
    atomicCase({
      name: "fileReport submit (intake service: own draft submitted)",
      only: "intake.report.submit",
      setup: async () => ownDraft(await reporter()),
      change: (s) => fileReport(ctx(), { actor: s.actor }, submitForm("Ingediende waarneming"), "submit", s.reference),
      unchanged: async (s) => {
        expect(await s.row()).toEqual(s.before);
        expect(await intakeCounts()).toEqual(s.counts);
      },
    }),
    // A report joins an open case; closing a case closes its reports (decision 0062).
    atomicCase({
      name: "decide join_case (intake: a second report added to the person's open case)",
      only: "intake.decision.join_case",
      setup: async () => {
        const w = await caseLinkWorld();
        const first = await w.reportIn("Eerste over dezelfde");
        const taken = await decide(ctx(), { actor: w.coordinator }, first, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
        if (taken.kind !== "ok" || !taken.caseId) throw new Error(taken.kind);
        const second = await w.reportIn("Tweede over dezelfde");
        const row = () => db().selectFrom("report").select(["status", "case_id", "decided_at", "updated_at"]).where("id", "=", second).executeTakeFirstOrThrow();
        return { ...w, caseId: taken.caseId, second, row, before: await row(), events: await count("case_event"), reportEvents: await count("report_event") };
      },
      change: (s) => decide(ctx(), { actor: s.coordinator }, s.second, { transition: "join_case", reason: "Zelfde persoon.", referralService: "", caseId: s.caseId }),
      unchanged: async (s) => {
        expect(await s.row()).toEqual(s.before);
        expect(await count("case_event")).toBe(s.events);
        expect(await count("report_event")).toBe(s.reportEvents);
      },
    }),
    atomicCase({
      name: "transitionCase close (cases + intake: the source report closes with the case)",
      only: "intake.report.close_with_case",
      setup: async () => {
        const w = await caseLinkWorld();
        const id = await w.reportIn("Sluit met de casus");
        const taken = await decide(ctx(), { actor: w.coordinator }, id, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
        if (taken.kind !== "ok" || !taken.caseId) throw new Error(taken.kind);
        const rows = () =>
          Promise.all([
            db().selectFrom("case_file").select(["status", "closed_on", "closure_reason", "updated_at"]).where("id", "=", taken.caseId!).executeTakeFirstOrThrow(),
            db().selectFrom("report").select(["status", "updated_at"]).where("id", "=", id).executeTakeFirstOrThrow(),
            count("report_event"),
            count("case_review"),
          ]);
        return { ...w, caseId: taken.caseId, rows, before: await rows() };
      },
      change: (s) => caseService.transitionCase(ctx(), { actor: s.chair }, s.caseId, "close", { reason: "concern_addressed" }),
      unchanged: async (s) => expect(await s.rows()).toEqual(s.before),
    }),
    atomicCase({
      name: "handOverReport (intake: an undecided report passed on to another LIVC)",
      only: "intake.report.hand_over",
      setup: async () => {
        const w = await caseLinkWorld();
        const id = await w.reportIn("Door te geven");
        const to = await makeLivc(ctx());
        await makeActor(ctx(), [{ livcId: to, role: "coordinator" }]);
        const rows = () =>
          Promise.all([
            db().selectFrom("report").select(["status", "livc_id", "screening_due_on", "updated_at"]).where("id", "=", id).executeTakeFirstOrThrow(),
            count("report_event"),
            count("report_handover"),
            count("intake_alert"),
          ]);
        return { ...w, id, to, rows, before: await rows() };
      },
      change: (s) => handOverReport(ctx(), { actor: s.coordinator }, s.id, { toLivcId: s.to, reason: "wrong_municipality" }),
      unchanged: async (s) => expect(await s.rows()).toEqual(s.before),
    }),
  ];

  for (const c of cases) {
    it(`${c.name}: refused audit entry -> error and no change`, async () => {
      const state = await c.setup();
      await refuseAudit(ctx(), dialect, c.only);
      let answer: unknown;
      try {
        answer = await c.change(state).catch((e: unknown) => e);
      } finally {
        await allowAudit(ctx(), dialect);
      }
      if (isInject(answer)) expect(answer.statusCode, answer.body.slice(0, 200)).toBeGreaterThanOrEqual(500);
      else expect(answer).toBeInstanceOf(Error);
      await c.unchanged(state);
    });
  }

  // The other direction, for the intake report (session 3): the CHANGE is refused (a trigger on the
  // report table), so the personal-data write entry sealed in the same transaction must not remain.
  const refusedChanges: { name: string; change: (s: Awaited<ReturnType<typeof ownDraft>>) => Promise<unknown> }[] = [
    { name: "fileReport draft (new draft; insert refused)", change: (s) => fileReport(ctx(), { actor: s.actor }, draftForm("Nieuwe waarneming"), "draft") },
    { name: "fileReport draft (own draft saved again; update refused)", change: (s) => fileReport(ctx(), { actor: s.actor }, draftForm("Gewijzigde waarneming"), "draft", s.reference) },
    { name: "fileReport submit (new report; insert refused)", change: (s) => fileReport(ctx(), { actor: s.actor }, submitForm("Ingediende waarneming"), "submit") },
    { name: "fileReport submit (own draft submitted; update refused)", change: (s) => fileReport(ctx(), { actor: s.actor }, submitForm("Ingediende waarneming"), "submit", s.reference) },
  ];
  for (const c of refusedChanges) {
    it(`${c.name}: refused change -> error and no personal-data write entry`, async () => {
      const state = await ownDraft(await reporter());
      const entries = await count("audit_entry");
      await refuseReportWrites(ctx(), dialect);
      let answer: unknown;
      try {
        answer = await c.change(state).catch((e: unknown) => e);
      } finally {
        await allowReportWrites(ctx(), dialect);
      }
      expect(answer).toBeInstanceOf(Error);
      expect(String((answer as Error).message)).toContain("report refused");
      expect(await intakeCounts()).toEqual(state.counts);
      expect(await count("audit_entry")).toBe(entries);
      expect(await state.row()).toEqual(state.before);
    });
  }
});

/** Installs a trigger that refuses every insert into and update of the report table. */
async function refuseReportWrites(ctx: TestContext, dialect: string) {
  const db = ctx.database.db;
  if (dialect === "sqlite") {
    for (const op of ["insert", "update"]) await sql.raw(`create trigger refuse_report_${op} before ${op} on report begin select raise(abort, 'report refused'); end`).execute(db);
  } else {
    await sql.raw("create or replace function refuse_report() returns trigger language plpgsql as $$ begin raise exception 'report refused'; end $$").execute(db);
    await sql.raw("create trigger refuse_report before insert or update on report for each row execute function refuse_report()").execute(db);
  }
}

async function allowReportWrites(ctx: TestContext, dialect: string) {
  const db = ctx.database.db;
  if (dialect === "sqlite") for (const op of ["insert", "update"]) await sql.raw(`drop trigger refuse_report_${op}`).execute(db);
  else await sql.raw("drop trigger refuse_report on report").execute(db);
}


function sessionIdOfJar(s: LoginSession): string {
  return sessionIdOf(s.jar.get(SESSION_COOKIE) ?? "");
}

/** One lazily built value per suite (the first case that needs it builds it, the audit still working). */
function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
