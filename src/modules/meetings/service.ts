import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import { type AppContext, bound } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { isIsoDate, nowIso, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { definePolicy } from "../../platform/policy/grants";
import * as cases from "../cases/service";
import * as pd from "../cases/personal";
import { membersOfLivc } from "../identity/service";
import * as partners from "../partners/service";
import { frameworksOf, livcDetail } from "../registry/service";
import * as store from "./store";
import { extend } from "../../platform/objects";

export { sendMeetingReminders } from "./reminders";
export { meetingsToAcknowledge } from "./waiting";

/**
 * Consultations: scheduling (agenda of cases, services invited per case through the partners
 * module), the confidentiality gate (art. 458ter), attendance (partners' register), minimal
 * minutes. Case material is only ever shown through the cases module's need-to-know grants.
 */
export class MeetingError extends Error {
  constructor(
    readonly code:
      | "not_found"
      | "not_allowed"
      | "no_framework"
      | "invalid"
      | "not_acknowledged"
      | "no_organisation"
      | "not_planned"
      | "cancelled"
      /** Decision 0058: attendance and minutes are recorded from the meeting's day (Brussels) on. */
      | "before_day"
      /** Decision 0058: nobody ticked present; saving needs an explicit confirmation. */
      | "nobody_present"
      /** Decision 0058: someone else saved these minutes after the form was loaded; nothing was written. */
      | "conflict",
    readonly field?: string,
    /** For "closed_case": the label of the case that blocks the change (not personal data). */
    readonly label?: string,
  ) {
    super(code);
  }
}

export const meetingPolicy = definePolicy({
  livcOf: (m: { livc_id: string }) => m.livc_id,
  grants: {
    schedule: ["chair", "coordinator"],
    minute: ["chair", "coordinator"],
    attendance: ["chair", "coordinator"],
    /** The LIVC's core members take part in every consultation. */
    core: ["chair", "coordinator", "information_officer"],
  },
});

export interface ScheduleInput {
  livcId: string;
  heldOn: string;
  startsAt: string | null;
  place: string | null;
  videoUrl: string | null;
  items: { caseId: string; organisationIds: string[] }[];
}

/** The framework (participants, purpose, working arrangements) in force on a date, from the register. */
export async function frameworkInForce(ctx: AppContext, livcId: string, on: string): Promise<number | null> {
  const detail = await livcDetail(ctx.database.db, livcId, on);
  const f = detail?.frameworks.filter((x) => x.adopted_on <= on).at(-1);
  return f ? Number(f.version) : null;
}

/** What step 1 of planning gives: when, where, and which cases (no services yet). */
export type ScheduleBasics = Omit<ScheduleInput, "items"> & { caseIds: string[] };

/**
 * Step 1 of planning, also checked again on the final submit: the actor schedules for this LIVC, the
 * date, time and place are valid, the cases are open cases of the LIVC the actor may see, and a
 * framework is in force on the date. Returns the framework version.
 */
export async function checkSchedule(ctx: AppContext, who: AuditWho, input: ScheduleBasics): Promise<number> {
  if (!meetingPolicy.can(who.actor ?? null, "schedule", { livc_id: input.livcId })) throw new MeetingError("not_allowed");
  if (!isIsoDate(input.heldOn)) throw new MeetingError("invalid", "held_on");
  if (input.startsAt && !/^([01]\d|2[0-3]):[0-5]\d$/.test(input.startsAt)) throw new MeetingError("invalid", "starts_at");
  if (!input.place?.trim() && !input.videoUrl?.trim()) throw new MeetingError("invalid", "place");
  if (input.videoUrl?.trim() && !/^https:\/\/[^\s]+$/.test(input.videoUrl.trim())) throw new MeetingError("invalid", "video_url");
  if (input.caseIds.length === 0) throw new MeetingError("invalid", "cases");
  // Lawful only with participants, purpose and working arrangements fixed in advance.
  const framework = await frameworkInForce(ctx, input.livcId, input.heldOn);
  if (framework === null) throw new MeetingError("no_framework", "held_on");
  for (const caseId of input.caseIds) {
    const c = await cases.visibleCase(ctx, who, caseId).catch(() => null);
    if (!c || c.livc_id !== input.livcId || !["active", "in_follow_up"].includes(c.status)) throw new MeetingError("invalid", "cases");
  }
  return framework;
}

/**
 * The services a chair or coordinator may invite for each case: the organisations holding a seat in
 * the LIVC on the meeting date, plus any organisation already invited for that case. Sorted by name.
 * Call it for cases checkSchedule accepted. Action OWNERS are a narrower set (decision 0061: only
 * organisations that can see the case): cases.actionOwnerChoices, fed by acceptedServicesOfCase below.
 */
export async function servicesOffered(ctx: AppContext, livcId: string, caseIds: string[], on: string): Promise<Map<string, { id: string; name: string }[]>> {
  const [seated, invited] = await Promise.all([partners.memberOrganisationsOn(ctx, livcId, on), store.organisationsInvitedForCases(ctx.database.db, caseIds)]);
  const names = await partners.organisationNames(ctx, [...seated, ...invited.map((r) => r.organisation_id)]);
  const offered = new Map<string, { id: string; name: string }[]>();
  for (const caseId of caseIds) {
    const ids = new Set([...seated, ...invited.filter((r) => r.case_id === caseId).map((r) => r.organisation_id)]);
    const orgs = [...ids].filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! }));
    offered.set(caseId, orgs.sort((a, b) => a.name.localeCompare(b.name, "nl")));
  }
  return offered;
}

/**
 * Decision 0061: the organisations whose invitation for this case, on any consultation's agenda, is
 * accepted (their members who acknowledged confidentiality hold a grant for the case). The cases
 * module adds the LIVC's core services to make the action owner choices.
 */
export async function acceptedServicesOfCase(ctx: AppContext, caseId: string): Promise<string[]> {
  // Two reads whatever the number of meetings and services (issue 9: it was one per meeting and one per invitation).
  const services = await store.servicesForCase(ctx.database.db, caseId);
  const accepted = new Set(await partners.acceptedInvitationIds(ctx, [...new Set(services.flatMap((s) => (s.invitation_id ? [s.invitation_id] : [])))]));
  return [...new Set(services.filter((s) => s.invitation_id && accepted.has(s.invitation_id)).map((s) => s.organisation_id))];
}
cases.registerAcceptedServices(acceptedServicesOfCase);

/**
 * Plans a meeting: the consultation, its columns, agenda, services, their invitations, the cases'
 * timeline entries and every audit entry commit in ONE transaction; the invitation mails go out
 * after the commit.
 */
export async function scheduleMeeting(ctx: AppContext, who: AuditWho, input: ScheduleInput): Promise<string> {
  const actor = who.actor ?? null;
  const framework = await checkSchedule(ctx, who, extend(input, { caseIds: input.items.map((i) => i.caseId) }));
  await pd.ready(ctx);
  const notices: (() => Promise<unknown>)[] = [];
  const id = await ctx.database.db.transaction().execute(async (trx) => {
    const id = await partners.createConsultation(bound(ctx, trx), who, { livcId: input.livcId, heldOn: input.heldOn });
    await store.setMeetingColumns(trx, id, {
      starts_at: input.startsAt || null,
      place: input.place?.trim() || null,
      video_url: input.videoUrl?.trim() || null,
      framework_version: framework,
      scheduled_by: actor?.userId ?? null,
    });
    let position = 0;
    for (const item of input.items) {
      await store.addAgendaItem(trx, id, item.caseId, ++position);
      for (const organisationId of [...new Set(item.organisationIds)]) {
        const invitationId = await partners.sendInvitation(
          ctx,
          who,
          { livcId: input.livcId, organisationId, kind: "consultation", caseRef: item.caseId, consultationId: id },
          { db: trx, notices },
        );
        await store.addService(trx, { consultation_id: id, case_id: item.caseId, organisation_id: organisationId, invitation_id: invitationId });
      }
      await cases.addTimelineEntry(ctx, trx, { who, caseId: item.caseId, livcId: input.livcId, kind: "scheduled", consultationId: id });
    }
    await pd.record(ctx, who, { type: "consultation", id, livcId: input.livcId }, "meeting.schedule", "success", { db: trx });
    return id;
  });
  for (const send of notices) await send();
  return id;
}


/** A change and its audit entries in one transaction: the caller's (ctx's db is one) or a new one. */
function inTransaction<T>(ctx: AppContext, work: (tx: AppContext, trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const db = ctx.database.db;
  const run = (trx: Kysely<DB>) => work(bound(ctx, trx), trx);
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** How the actor takes part in a meeting: as a core member, or for organisations invited for some cases. */
export interface Participation {
  core: boolean;
  organisationIds: string[];
  invitedCaseIds: string[];
}

/**
 * The one rule for a partner member, shared by the meeting page and the meeting list: a person takes
 * part for an organisation in an LIVC only where they hold a partner_member membership of THAT LIVC
 * for THAT organisation, valid today (the session's memberships are those valid today). An
 * organisation invited in another LIVC gives nothing.
 */
export function partnerSeatsOf(actor: Actor): { livcId: string; organisationId: string }[] {
  return actor.memberships.filter((m) => m.role === "partner_member" && m.organisationId).map((m) => ({ livcId: m.livcId, organisationId: m.organisationId! }));
}

const organisationsRepresentedIn = (actor: Actor, livcId: string) => partnerSeatsOf(actor).filter((s) => s.livcId === livcId).map((s) => s.organisationId);

async function participationIn(ctx: AppContext, actor: Actor | null, meeting: store.MeetingRow): Promise<Participation> {
  if (!actor) return { core: false, organisationIds: [], invitedCaseIds: [] };
  const core = meetingPolicy.can(actor, "core", meeting);
  const organisationIds = organisationsRepresentedIn(actor, meeting.livc_id);
  const services = await store.servicesOf(ctx.database.db, meeting.id);
  const invitedCaseIds = [...new Set(services.filter((s) => organisationIds.includes(s.organisation_id)).map((s) => s.case_id))];
  return { core, organisationIds, invitedCaseIds };
}

async function participantMeeting(ctx: AppContext, who: AuditWho, id: string) {
  const meeting = await store.meetingById(ctx.database.db, id);
  if (!meeting) throw new MeetingError("not_found");
  const p = await participationIn(ctx, who.actor ?? null, meeting);
  if (!p.core && p.invitedCaseIds.length === 0) {
    await pd.record(ctx, who, { type: "consultation", id, livcId: meeting.livc_id }, "meeting.read", "denied");
    throw new MeetingError("not_found");
  }
  return { meeting, participation: p };
}

/**
 * The cases of this meeting a partner member may see now: their organisation was invited for the
 * case, the invitation is accepted, and they acknowledged confidentiality. Written as grants in
 * the cases module, which every case page, list, search and export reads.
 */
async function syncGrants(ctx: AppContext, who: AuditWho, meeting: store.MeetingRow, p: Participation) {
  const actor = who.actor;
  if (!actor || p.core) return;
  const acked = await store.ackOf(ctx.database.db, meeting, actor.userId);
  await cases.syncConsultationGrants(ctx, who, meeting.id, actor.userId, acked ? await allowedCases(ctx, meeting.id, p.organisationIds) : []);
}

/** The one need-to-know rule of a meeting: its cases for which one of these organisations holds an accepted invitation. */
export async function allowedCases(ctx: AppContext, meetingId: string, organisationIds: string[]): Promise<string[]> {
  const allowed: string[] = [];
  for (const s of await store.servicesOf(ctx.database.db, meetingId)) {
    if (!organisationIds.includes(s.organisation_id) || !s.invitation_id) continue;
    const inv = await partners.invitationById(ctx, s.invitation_id);
    if (inv?.status === "accepted") allowed.push(s.case_id);
  }
  return [...new Set(allowed)];
}

export interface AgendaItem {
  caseId: string;
  label: string;
  status: string;
  services: { organisationId: string; organisationName: string; invitationStatus: string | null }[];
  /** Decision 0058: the revision a minutes form is loaded with, and when it was saved. */
  minutes: { decisions: string | null; nextReviewOn: string | null; revision: number; recordedAt: string } | null;
}

export interface MeetingView {
  id: string;
  livcId: string;
  heldOn: string;
  startsAt: string | null;
  place: string | null;
  videoUrl: string | null;
  status: string;
  frameworkVersion: number | null;
  /**
   * Decision 0051: the framework the participant is bound by (art. 458ter: participants, purpose and
   * working arrangements fixed in advance), the version in force for the meeting; shown on the
   * acknowledgement card to everyone who takes part (no registry permission needed).
   */
  framework: { version: number; adoptedOn: string; participants: string; purpose: string; workingArrangements: string } | null;
  /** The version an earlier acknowledgement was given for, when the meeting's framework changed since (acknowledge again). */
  acknowledgedVersion: number | null;
  /** Decision 0043: why a cancelled meeting was cancelled (the note is not personal data). */
  /** A cancellation keeps its reason code only (decision 0053: no free text about a case consultation). */
  cancelled: { reason: string | null } | null;
  acknowledged: boolean;
  participation: Participation;
  may: { minute: boolean; attendance: boolean; replan: boolean };
  /** Decision 0058: today (Brussels) is before the meeting's day: attendance and minutes cannot be saved yet. */
  beforeDay: boolean;
  /** Empty until the actor acknowledged confidentiality for this meeting: the gate. */
  agenda: AgendaItem[];
  /** Agenda items the actor cannot see (not invited, not accepted): a count only. */
  hiddenItems: number;
}

export async function meetingView(ctx: AppContext, who: AuditWho, id: string): Promise<MeetingView> {
  const { meeting, participation } = await participantMeeting(ctx, who, id);
  const db = ctx.database.db;
  const actor = who.actor ?? null;
  const ack = actor ? await store.anyAckOf(db, meeting.id, actor.userId) : undefined;
  const acknowledged = Boolean(ack && store.ackCounts(ack, meeting));
  const f = meeting.framework_version === null ? undefined : (await frameworksOf(db, meeting.livc_id)).find((x) => Number(x.version) === meeting.framework_version);
  await syncGrants(ctx, who, meeting, participation);
  const base: MeetingView = {
    id: meeting.id,
    livcId: meeting.livc_id,
    heldOn: meeting.held_on,
    startsAt: meeting.starts_at,
    place: meeting.place,
    videoUrl: meeting.video_url,
    status: meeting.status,
    frameworkVersion: meeting.framework_version,
    framework: f ? { version: Number(f.version), adoptedOn: f.adopted_on, participants: f.participants, purpose: f.purpose, workingArrangements: f.working_arrangements } : null,
    acknowledgedVersion: ack && !acknowledged ? ack.framework_version : null,
    cancelled: meeting.status === "cancelled" ? { reason: meeting.cancel_reason } : null,
    acknowledged,
    participation,
    may: {
      // Nothing is minuted or registered on a cancelled meeting; only a planned one is re-planned (decision 0043).
      minute: meeting.status !== "cancelled" && meetingPolicy.can(actor, "minute", meeting),
      attendance: meeting.status !== "cancelled" && meetingPolicy.can(actor, "attendance", meeting),
      replan: meeting.status === "planned" && meetingPolicy.can(actor, "schedule", meeting),
    },
    beforeDay: todayInBrussels() < meeting.held_on,
    agenda: [],
    hiddenItems: 0,
  };
  const agenda = await store.agendaOf(db, meeting.id);
  if (!acknowledged) return base;
  const grants = await cases.caseGrants(db, actor);
  const visible = agenda.filter((a) => cases.canSeeCase(grants, { id: a.case_id, livc_id: meeting.livc_id }));
  const labels = await cases.labelsOf(ctx, visible.map((a) => a.case_id));
  const services = await store.servicesOf(db, meeting.id);
  const orgNames = await partners.organisationNames(ctx, services.map((s) => s.organisation_id));
  const items: AgendaItem[] = [];
  for (const a of visible) {
    const minutes = await store.minutesOf(db, meeting.id, a.case_id);
    const decisions = minutes?.decisions_enc
      ? (await pd.reveal(ctx, who, { type: "case", id: a.case_id, livcId: meeting.livc_id }, "meeting.minutes.read", true, { d: { place: { table: "consultation_minutes", column: "decisions_enc", rowId: `${meeting.id}:${a.case_id}` }, value: minutes.decisions_enc } })).d
      : null;
    const mine = services.filter((s) => s.case_id === a.case_id);
    const statuses = await Promise.all(mine.map(async (s) => (s.invitation_id ? ((await partners.invitationById(ctx, s.invitation_id))?.status ?? null) : null)));
    items.push({
      caseId: a.case_id,
      label: labels.get(a.case_id)?.label ?? "",
      status: labels.get(a.case_id)?.status ?? "",
      services: mine.map((s, i) => ({ organisationId: s.organisation_id, organisationName: orgNames.get(s.organisation_id) ?? "", invitationStatus: statuses[i] })),
      minutes: minutes ? { decisions, nextReviewOn: minutes.next_review_on, revision: minutes.revision, recordedAt: minutes.recorded_at } : null,
    });
  }
  await pd.record(ctx, who, { type: "consultation", id, livcId: meeting.livc_id }, "meeting.read");
  return extend(base, { agenda: items, hiddenItems: agenda.length - visible.length });
}

/** Art. 458ter: the participant acknowledges shared professional secrecy for this meeting. */
export async function acknowledgeConfidentiality(ctx: AppContext, who: AuditWho, id: string): Promise<void> {
  const { meeting, participation } = await participantMeeting(ctx, who, id);
  const actor = who.actor!;
  // The acknowledgement, the need-to-know grants it opens and their audit entries commit together.
  await inTransaction(ctx, async (tx, trx) => {
    await store.insertAck(trx, { consultation_id: meeting.id, user_id: actor.userId, framework_version: meeting.framework_version, acknowledged_at: nowIso() });
    await pd.record(ctx, who, { type: "consultation", id, livcId: meeting.livc_id }, "meeting.acknowledge_confidentiality", "success", { db: trx });
    await syncGrants(tx, who, meeting, participation);
  });
}

/**
 * Meetings the actor takes part in: all of their LIVCs' (core), or those of an LIVC inviting an
 * organisation the actor represents there (partnerSeatsOf: the same rule as the meeting page).
 */
export async function meetingsFor(ctx: AppContext, actor: Actor | null) {
  if (!actor) return [];
  const db = ctx.database.db;
  const coreLivcs = meetingPolicy.livcIds(actor, "core");
  const invited = await store.meetingIdsInvitingSeats(db, partnerSeatsOf(actor));
  const rows = [...(await store.meetingsOfLivcs(db, coreLivcs)), ...(await store.meetingsByIds(db, invited))];
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.id) && seen.add(r.id)).sort((a, b) => b.held_on.localeCompare(a.held_on));
}

/** The people expected at a meeting: the LIVC's core members and everyone who acknowledged. */
export async function expectedParticipants(ctx: AppContext, who: AuditWho, id: string) {
  const { meeting } = await participantMeeting(ctx, who, id);
  // Members on the meeting day and today (attendance is often recorded afterwards by people who joined since).
  const members = [...(await membersOfLivc(ctx, meeting.livc_id, meeting.held_on)), ...(await membersOfLivc(ctx, meeting.livc_id))];
  const acks = await store.acksOf(ctx.database.db, meeting);
  const people = new Map<string, { userId: string; name: string; organisationId: string | null; acknowledged: boolean }>();
  for (const m of members) {
    const isCore = ["chair", "coordinator", "information_officer"].includes(m.role);
    const acked = acks.some((a) => a.user_id === m.user_id);
    if (!isCore && !acked) continue;
    const prev = people.get(m.user_id);
    people.set(m.user_id, { userId: m.user_id, name: m.display_name, organisationId: prev?.organisationId ?? m.organisation_id, acknowledged: acked });
  }
  const recorded = await partners.attendanceFor(ctx, meeting.id);
  return [...people.values()].map((p) => extend(p, { attended: recorded.some((r) => r.user_id === p.userId && r.attended) }));
}

/**
 * The ONE attendance register (decision 0051; the partners module's table): one line per expected
 * person, core members without an organisation included (recorded without one). The lines, the
 * meeting's status and their audit entries commit together.
 *
 * Decision 0058: the register is kept from the meeting's day on (Brussels; `before_day` earlier), so
 * a meeting next week cannot be locked as "held". A register with nobody present is saved only when
 * confirmed (`nobody_present` otherwise) and the meeting is then not held: it stays (or, when the
 * register is corrected to nobody, becomes again) planned, so the chair reschedules or cancels it.
 */
export async function recordMeetingAttendance(ctx: AppContext, who: AuditWho, id: string, presentUserIds: string[], opts: { confirmNobody?: boolean; today?: string } = {}): Promise<{ held: boolean }> {
  const { meeting } = await participantMeeting(ctx, who, id);
  if (!meetingPolicy.can(who.actor ?? null, "attendance", meeting)) throw new MeetingError("not_allowed");
  if (meeting.status === "cancelled") throw new MeetingError("cancelled");
  if ((opts.today ?? todayInBrussels()) < meeting.held_on) throw new MeetingError("before_day", "present");
  const present = new Set(presentUserIds);
  const expected = await expectedParticipants(ctx, who, id);
  const anyone = expected.some((p) => present.has(p.userId));
  if (!anyone && !opts.confirmNobody) throw new MeetingError("nobody_present", "present");
  await inTransaction(ctx, async (tx) => {
    for (const p of expected) {
      await partners.recordAttendance(tx, who, { consultationId: meeting.id, organisationId: p.organisationId, userId: p.userId, attended: present.has(p.userId) });
    }
    if (anyone && meeting.status === "planned") await partners.setConsultationStatus(tx, who, meeting.id, "held");
    if (!anyone && meeting.status === "held") await partners.setConsultationStatus(tx, who, meeting.id, "planned");
  });
  return { held: anyone };
}

/** The user ids marked present at a meeting (anyone; the feedback form's voters are caseParticipants). */
export async function attendeesOf(ctx: AppContext, consultationId: string): Promise<string[]> {
  return [...new Set((await partners.attendanceFor(ctx, consultationId)).filter((r) => r.attended && r.user_id).map((r) => r.user_id!))];
}

const CORE_ROLES: readonly string[] = ["chair", "coordinator", "information_officer"];

/**
 * Decision 0051, the feedback form's voters: who took part in discussing THIS case at this meeting.
 * Marked present in the register AND either a core member of the LIVC (chair, coordinator,
 * information officer; on the meeting day or today, as the register lists them) or there for an
 * organisation whose invitation for this case was accepted, with a confidentiality acknowledgement
 * for the meeting's framework (the need-to-know rule that grants the case, decision 0015). A partner
 * who attended only for another case neither votes on nor blocks this case's form.
 */
export async function caseParticipants(ctx: AppContext, consultationId: string, caseId: string): Promise<string[]> {
  const db = ctx.database.db;
  const meeting = await store.meetingById(db, consultationId);
  if (!meeting || !(await store.agendaOf(db, meeting.id)).some((a) => a.case_id === caseId)) return [];
  const present = (await partners.attendanceFor(ctx, meeting.id)).filter((r) => r.attended && r.user_id);
  if (present.length === 0) return [];
  const members = [...(await membersOfLivc(ctx, meeting.livc_id, meeting.held_on)), ...(await membersOfLivc(ctx, meeting.livc_id))];
  const core = new Set(members.filter((m) => CORE_ROLES.includes(m.role)).map((m) => m.user_id));
  const acked = new Set((await store.acksOf(db, meeting)).map((a) => a.user_id));
  const services = new Set<string>();
  for (const s of await store.servicesOf(db, meeting.id)) {
    if (s.case_id !== caseId || !s.invitation_id) continue;
    if ((await partners.invitationById(ctx, s.invitation_id))?.status === "accepted") services.add(s.organisation_id);
  }
  const takesPart = (r: (typeof present)[number]) => core.has(r.user_id!) || (acked.has(r.user_id!) && r.organisation_id !== null && services.has(r.organisation_id));
  return [...new Set(present.filter(takesPart).map((r) => r.user_id!))];
}

// The feedback form (cases module) reads who took part in a case's discussion, and whether it was discussed, from here.
cases.registerConsultationFacts({
  participants: caseParticipants,
  discussed: async (ctx, consultationId, caseId) => {
    const meeting = await store.meetingById(ctx.database.db, consultationId);
    if (!meeting) return null;
    const onAgenda = (await store.agendaOf(ctx.database.db, meeting.id)).some((a) => a.case_id === caseId);
    return { livcId: meeting.livc_id, held: meeting.status === "held", onAgenda };
  },
});

export interface MinutesInput {
  decisions: string | null;
  nextReviewOn: string | null;
  actions: { description: string | null; ownerOrganisationId: string; dueOn: string }[];
  /**
   * Decision 0058: the revision of the minutes the form was loaded with (0: none yet). When someone
   * saved since, nothing is written (`conflict`). Left out only by demo data (written whatever is stored).
   */
  revision?: number;
}

/**
 * Minimal minutes for one case of the meeting; every field optional. Actions go to the case's plan.
 * From the meeting's day on only (decision 0058, `before_day`); compare-and-set on the revision.
 */
export async function saveCaseMinutes(ctx: AppContext, who: AuditWho, id: string, caseId: string, input: MinutesInput, opts: { today?: string } = {}): Promise<void> {
  const { meeting } = await participantMeeting(ctx, who, id);
  if (!meetingPolicy.can(who.actor ?? null, "minute", meeting)) throw new MeetingError("not_allowed");
  if (meeting.status === "cancelled") throw new MeetingError("cancelled");
  if ((opts.today ?? todayInBrussels()) < meeting.held_on) throw new MeetingError("before_day", "decisions");
  if (!(await store.ackOf(ctx.database.db, meeting, who.actor!.userId))) throw new MeetingError("not_acknowledged");
  const agenda = await store.agendaOf(ctx.database.db, meeting.id);
  if (!agenda.some((a) => a.case_id === caseId)) throw new MeetingError("not_found");
  if (input.nextReviewOn && !isIsoDate(input.nextReviewOn)) throw new MeetingError("invalid", "next_review_on");
  for (const a of input.actions) if (!isIsoDate(a.dueOn)) throw new MeetingError("invalid", "due_on");
  await pd.ready(ctx);
  // The minutes, the plan's actions, the review date, the timeline and every audit entry: one transaction.
  await inTransaction(ctx, async (tx, trx) => {
    const decisions = await pd.seal(ctx, who, { table: "consultation_minutes", column: "decisions_enc", rowId: `${meeting.id}:${caseId}`, livcId: meeting.livc_id }, input.decisions?.trim() || null, { db: trx });
    const row = { consultation_id: meeting.id, case_id: caseId, decisions_enc: decisions, next_review_on: input.nextReviewOn || null, recorded_by: who.actor?.userId ?? null, recorded_at: nowIso() };
    // Someone else saved since this form was loaded: nothing of this save is kept (the transaction rolls back).
    if (!(await store.saveMinutes(trx, row, input.revision))) throw new MeetingError("conflict", "decisions");
    if (input.actions.length > 0) await cases.addActions(tx, who, caseId, input.actions.map((a) => extend(a, { consultationId: meeting.id })), { db: trx });
    if (input.nextReviewOn) await cases.setNextReview(tx, who, caseId, input.nextReviewOn, { db: trx, consultationId: meeting.id });
    await cases.addTimelineEntry(ctx, trx, { who, caseId, livcId: meeting.livc_id, kind: "minuted", consultationId: meeting.id });
    await pd.record(ctx, who, { type: "case", id: caseId, livcId: meeting.livc_id }, "meeting.minutes.save", "success", { db: trx });
  });
}

/** Minutes of one case across meetings, for the case page (need to know checked by the cases module). */
export async function minutesOfCase(ctx: AppContext, who: AuditWho, caseId: string) {
  const c = await cases.visibleCase(ctx, who, caseId);
  const rows = await cases.keptRead(who, "minutesOfCaseWithDay", store.minutesOfCaseWithDay, ctx.database.db, c.id);
  const text = await pd.reveal(
    ctx,
    who,
    { type: "case", id: c.id, livcId: c.livc_id },
    "case.minutes.read",
    true,
    Object.fromEntries(rows.map((r) => [r.consultation_id, { place: { table: "consultation_minutes", column: "decisions_enc", rowId: `${r.consultation_id}:${c.id}` }, value: r.decisions_enc }])),
  );
  return rows.map((r) => ({ consultationId: r.consultation_id, heldOn: r.held_on ?? "", decisions: text[r.consultation_id], nextReviewOn: r.next_review_on }));
}

/** Meetings that discussed a case (the case page's feedback form picks one); need to know checked first. */
export async function meetingsOfCase(ctx: AppContext, who: AuditWho, caseId: string) {
  const c = await cases.visibleCase(ctx, who, caseId);
  return cases.keptRead(who, "meetingsWithCase", store.meetingsWithCase, ctx.database.db, c.id);
}

export const meetingRow = (ctx: AppContext, id: string) => store.meetingById(ctx.database.db, id);

// The minutes' decisions are case text: the retention purge of a case removes them too.
cases.registerCasePurger({
  name: "minutes_decisions",
  count: (ctx, caseId) => store.countMinutesText(ctx.database.db, caseId),
  purge: async (_ctx, db, caseId) => {
    await store.blankMinutesOfCase(db, caseId);
  },
});

// Subject access: the minutes' decisions about the person's cases are part of the export.
cases.registerCaseContent({
  name: "minutes",
  export: async (ctx, who, c) => {
    const rows = await store.minutesOfCase(ctx.database.db, c.id);
    const text = await pd.reveal(
      ctx,
      who,
      { type: "case", id: c.id, livcId: c.livc_id },
      "subject_access.minutes",
      true,
      Object.fromEntries(rows.map((r) => [r.consultation_id, { place: { table: "consultation_minutes", column: "decisions_enc", rowId: `${r.consultation_id}:${c.id}` }, value: r.decisions_enc }])),
    );
    return { title: "minutes", rows: rows.map((r) => ({ consultation_id: r.consultation_id, recorded_at: r.recorded_at, next_review_on: r.next_review_on, decisions: text[r.consultation_id] })) };
  },
});
