import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isIsoDate, nowIso, todayInBrussels } from "../../platform/db/values";
import { formatDate, translator } from "../../platform/i18n";
import { mailFailed, mailTransport, publicBaseUrl } from "../../platform/mail";
import type { Actor } from "../../platform/policy/actor";
import * as cases from "../cases/service";
import * as pd from "../cases/personal";
import type { MailRecipient } from "../identity/service";
import { activeRecipients, membersOfLivc } from "../identity/service";
import * as partners from "../partners/service";
import { CANCEL_REASONS, type CancelReason } from "./migrations";
import { recipients } from "./reminders";
import { bound } from "../../platform/context";
import { allowedCases, checkSchedule, frameworkInForce, MeetingError, meetingPolicy, partnerSeatsOf, servicesOffered } from "./service";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * Changing a planned consultation (decision 0043): reschedule, cancel, add a case to or take one
 * off its agenda. The chair and coordinator of its LIVC only (the scheduling rule), and only while
 * it is planned. Each change, its invitations, the grants it revokes and every audit entry commit in
 * one transaction; mails (a date, a time and a link, nothing else) go out after the commit.
 */

export const MEETINGS_PAGE_SIZE = 50;
const CORE = ["chair", "coordinator", "information_officer"];
const OPEN: string[] = ["active", "in_follow_up"];

/** The meeting, if the actor may re-plan it; 404 for who takes no part in it, 403 for a participant who may not. */
export async function plannedMeeting(ctx: AppContext, who: AuditWho, id: string): Promise<store.MeetingRow> {
  const actor = who.actor ?? null;
  const meeting = await store.meetingById(ctx.database.db, id);
  if (!meeting) throw new MeetingError("not_found");
  if (!meetingPolicy.can(actor, "schedule", meeting)) {
    const takesPart = actor && (meetingPolicy.can(actor, "core", meeting) || partnerSeatsOf(actor).some((s) => s.livcId === meeting.livc_id));
    throw new MeetingError(takesPart ? "not_allowed" : "not_found");
  }
  if (meeting.status !== "planned") throw new MeetingError("not_planned");
  return meeting;
}

/**
 * Re-derives, for everyone who acknowledged this meeting, the cases they may see through it (the
 * rule of decision 0015, `allowedCases`), revoking what no longer holds. Core members hold no grants.
 */
async function resyncGrants(ctx: AppContext, who: AuditWho, meeting: store.MeetingRow) {
  const members = await membersOfLivc(ctx, meeting.livc_id);
  for (const ack of await store.anyAcksOf(ctx.database.db, meeting.id)) {
    const mine = members.filter((m) => m.user_id === ack.user_id);
    if (mine.some((m) => CORE.includes(m.role))) continue;
    const organisationIds = mine.filter((m) => m.role === "partner_member" && m.organisation_id).map((m) => m.organisation_id!);
    // An acknowledgement given for an earlier framework version no longer opens anything (decision 0051).
    const allowed = meeting.status === "cancelled" || !store.ackCounts(ack, meeting) ? [] : await allowedCases(ctx, meeting.id, organisationIds);
    await cases.syncConsultationGrants(ctx, who, meeting.id, ack.user_id, allowed);
  }
}

/** Withdraws the invitations behind these services (pending or accepted ones); the organisations whose invitation was withdrawn. */
async function withdrawServices(ctx: AppContext, who: AuditWho, services: { invitation_id: string | null; organisation_id: string }[]): Promise<string[]> {
  const withdrawn = new Set<string>();
  for (const s of services) if (s.invitation_id && (await partners.withdrawConsultationInvitation(ctx, who, s.invitation_id))) withdrawn.add(s.organisation_id);
  return [...withdrawn];
}


/**
 * Tells the contacts of these organisations that an invitation of theirs for the meeting of `heldOn`
 * was withdrawn: in their language, the date and a link to their invitations only (no case label, no name).
 */
async function sendWithdrawnMails(ctx: AppContext, organisationIds: string[], heldOn: string) {
  if (!ctx.config.SMTP_URL || organisationIds.length === 0) return { sent: 0, failed: 0 };
  const contacts = await partners.organisationContacts(ctx, organisationIds);
  const to = await activeRecipients(ctx, [...new Set(contacts.map((c) => c.user_id))]);
  if (to.length === 0) return { sent: 0, failed: 0 };
  const transport = await mailTransport(ctx.config.SMTP_URL);
  const link = `${publicBaseUrl(ctx.config)}/invitations`;
  let sent = 0;
  let failed = 0;
  for (const { email, language } of to) {
    const t = translator(language);
    const date = formatDate(language, heldOn);
    try {
      await transport.sendMail({ from: ctx.config.MAIL_FROM, to: email, subject: t("meetings.mail.withdrawn.subject", { date }), text: t("meetings.mail.withdrawn.body", { date, link }) });
      sent++;
    } catch (e) {
      mailFailed("meetings.withdrawn", e);
      failed++;
    }
  }
  return { sent, failed };
}

/**
 * A case closed (or purged) since the meeting was planned blocks rescheduling (decision 0043): the
 * chair or coordinator takes it off first (invitations withdrawn, grants revoked, services told),
 * or cancels the meeting. A case with minutes on this meeting was discussed and does not block.
 */
async function refuseClosedCases(ctx: AppContext, id: string, caseIds: string[]) {
  const labels = await cases.labelsOf(ctx, caseIds);
  for (const caseId of caseIds) {
    const c = labels.get(caseId);
    if (!c || OPEN.includes(c.status)) continue;
    if (await store.minutesOf(ctx.database.db, id, caseId)) continue;
    throw new MeetingError("invalid", "closed_case", c.label);
  }
}

type ChangeMail = "moved" | "cancelled";

/** One mail per recipient in their language: dates, time and a link only (no place, case, reason or note). */
async function sendChangeMails(ctx: AppContext, to: MailRecipient[], kind: ChangeMail, meeting: { id: string; was: string; heldOn: string; startsAt: string | null }) {
  if (!ctx.config.SMTP_URL || to.length === 0) return { sent: 0, failed: 0 };
  const transport = await mailTransport(ctx.config.SMTP_URL);
  const link = `${publicBaseUrl(ctx.config)}/meetings/${meeting.id}`;
  let sent = 0;
  let failed = 0;
  for (const { email, language } of to) {
    const t = translator(language);
    const was = formatDate(language, meeting.was);
    const date = formatDate(language, meeting.heldOn);
    const when = meeting.startsAt ? t("meetings.mail.reminder.at", { date, time: meeting.startsAt }) : date;
    const mail =
      kind === "moved"
        ? { subject: t("meetings.mail.moved.subject", { date: was }), text: t("meetings.mail.moved.body", { was, when, link }) }
        : { subject: t("meetings.mail.cancelled.subject", { date: was }), text: t("meetings.mail.cancelled.body", { was, link }) };
    try {
      await transport.sendMail({ from: ctx.config.MAIL_FROM, to: email, ...mail });
      sent++;
    } catch (e) {
      mailFailed(`meetings.${kind}`, e);
      failed++;
    }
  }
  return { sent, failed };
}

export interface RescheduleInput {
  heldOn: string;
  startsAt: string | null;
  place: string | null;
  videoUrl: string | null;
  /**
   * Decision 0058: what the form showed when it was loaded (`rescheduleFingerprint`). When someone
   * changed date, time, place or link since, nothing is written (`conflict`). Left out by callers
   * that do not come from a form.
   */
  loaded?: string;
}

/** Decision 0058: date, time, place and video link of a meeting as one value the reschedule form carries. */
export const rescheduleFingerprint = (m: { held_on: string; starts_at: string | null; place: string | null; video_url: string | null }) =>
  JSON.stringify([m.held_on, m.starts_at ?? "", m.place ?? "", m.video_url ?? ""]);

/** New date, time, place or video link; the reminder follows the new date. The invited are told by mail. */
export async function rescheduleMeeting(ctx: AppContext, who: AuditWho, id: string, input: RescheduleInput, today = todayInBrussels()) {
  const meeting = await plannedMeeting(ctx, who, id);
  if (isIsoDate(input.heldOn) && input.heldOn < today) throw new MeetingError("invalid", "held_on_past");
  const agenda = await store.agendaOf(ctx.database.db, id);
  // The same checks as planning for date, time and place; the cases are checked below.
  await checkSchedule(ctx, who, { livcId: meeting.livc_id, ...input, caseIds: agenda.map((a) => a.case_id) }).catch((e) => {
    if (e instanceof MeetingError && e.field === "cases") return;
    throw e;
  });
  await refuseClosedCases(ctx, id, agenda.map((a) => a.case_id));
  const framework = await frameworkInForce(ctx, meeting.livc_id, input.heldOn);
  const to = await recipients(ctx, meeting);
  await ctx.database.db.transaction().execute(async (trx) => {
    const tx = bound(ctx, trx);
    // Compare-and-set (decision 0058): the meeting as the form showed it, and nobody changing it now.
    if (input.loaded !== undefined) {
      const now = await store.meetingById(trx, id);
      if (!now || rescheduleFingerprint(now) !== input.loaded || !(await store.claimMeeting(trx, id, now.updated_at))) throw new MeetingError("conflict", "held_on");
    }
    if (input.heldOn !== meeting.held_on) await partners.moveConsultation(tx, who, id, input.heldOn);
    await store.setMeetingColumns(trx, id, {
      starts_at: input.startsAt || null,
      place: input.place?.trim() || null,
      video_url: input.videoUrl?.trim() || null,
      framework_version: framework,
      reminder_sent_at: null,
    });
    // A newer framework on the new date: earlier acknowledgements no longer count, their grants go (decision 0051).
    if (framework !== meeting.framework_version) await resyncGrants(tx, who, extend(meeting, { framework_version: framework }));
    await pd.record(ctx, who, { type: "consultation", id, livcId: meeting.livc_id }, "meeting.reschedule", "success", { db: trx });
  });
  return sendChangeMails(ctx, to, "moved", { id, was: meeting.held_on, heldOn: input.heldOn, startsAt: input.startsAt || null });
}

/**
 * Validates the cancellation before anything is written: a reason code only (decision 0053). A
 * consultation is about cases, so a free-text note could carry case content; a note is refused.
 */
export function checkCancel(reason: string | null | undefined, note?: string | null): { reason: CancelReason } {
  if (!reason || !(CANCEL_REASONS as readonly string[]).includes(reason)) throw new MeetingError("invalid", "reason");
  if ((note ?? "").trim() !== "") throw new MeetingError("invalid", "note");
  return { reason: reason as CancelReason };
}

/** Cancels a planned meeting: its invitations withdrawn, grants from it revoked, no reminder any more; the invited are told. */
export async function cancelMeeting(ctx: AppContext, who: AuditWho, id: string, input: { reason: string; note?: string | null }) {
  const meeting = await plannedMeeting(ctx, who, id);
  const { reason } = checkCancel(input.reason, input.note);
  const to = await recipients(ctx, meeting);
  await ctx.database.db.transaction().execute(async (trx) => {
    const tx = bound(ctx, trx);
    await partners.setConsultationStatus(tx, who, id, "cancelled");
    await store.setMeetingColumns(trx, id, { cancel_reason: reason, cancel_note: null, cancelled_at: nowIso(), cancelled_by: who.actor?.userId ?? null });
    await withdrawServices(tx, who, await store.servicesOf(trx, id));
    await resyncGrants(tx, who, extend(meeting, { status: "cancelled" }));
    for (const a of await store.agendaOf(trx, id)) await cases.recordPlanningEvent(trx, { who, caseId: a.case_id, consultationId: id, kind: "consultation_cancelled" });
    await pd.record(ctx, who, { type: "consultation", id, livcId: meeting.livc_id }, "meeting.cancel", "success", { db: trx });
  });
  return sendChangeMails(ctx, to, "cancelled", { id, was: meeting.held_on, heldOn: meeting.held_on, startsAt: meeting.starts_at });
}

/** The open cases that may still go on the agenda: checked like planning (open, of the LIVC, visible). */
async function checkCase(ctx: AppContext, who: AuditWho, meeting: store.MeetingRow, caseId: string) {
  const c = await cases.visibleCase(ctx, who, caseId).catch(() => null);
  if (!c || c.livc_id !== meeting.livc_id || !["active", "in_follow_up"].includes(c.status)) throw new MeetingError("invalid", "case");
  if ((await store.agendaOf(ctx.database.db, meeting.id)).some((a) => a.case_id === caseId)) throw new MeetingError("invalid", "case");
}

/** The services offered for a case on this meeting (decision 0027), after the case is checked. */
export async function servicesForNewCase(ctx: AppContext, who: AuditWho, id: string, caseId: string) {
  const meeting = await plannedMeeting(ctx, who, id);
  await checkCase(ctx, who, meeting, caseId);
  return (await servicesOffered(ctx, meeting.livc_id, [caseId], meeting.held_on)).get(caseId) ?? [];
}

/** Puts a case on the agenda with the services to invite (the offered ones only); invitation mails after the commit. */
export async function addAgendaCase(ctx: AppContext, who: AuditWho, id: string, input: { caseId: string; organisationIds: string[] }) {
  const meeting = await plannedMeeting(ctx, who, id);
  await checkCase(ctx, who, meeting, input.caseId);
  const offered = new Set(((await servicesOffered(ctx, meeting.livc_id, [input.caseId], meeting.held_on)).get(input.caseId) ?? []).map((o) => o.id));
  const organisationIds = [...new Set(input.organisationIds)];
  if (organisationIds.some((o) => !offered.has(o))) throw new MeetingError("invalid", "services");
  await pd.ready(ctx);
  const notices: (() => Promise<unknown>)[] = [];
  await ctx.database.db.transaction().execute(async (trx) => {
    await store.addAgendaItem(trx, id, input.caseId, (await store.lastPosition(trx, id)) + 1);
    for (const organisationId of organisationIds) {
      const invitationId = await partners.sendInvitation(ctx, who, { livcId: meeting.livc_id, organisationId, kind: "consultation", caseRef: input.caseId, consultationId: id }, { db: trx, notices });
      await store.addService(trx, { consultation_id: id, case_id: input.caseId, organisation_id: organisationId, invitation_id: invitationId });
    }
    await cases.addTimelineEntry(ctx, trx, { who, caseId: input.caseId, livcId: meeting.livc_id, kind: "scheduled", consultationId: id });
    await pd.record(ctx, who, { type: "case", id: input.caseId, livcId: meeting.livc_id }, "meeting.agenda.add", "success", { db: trx });
  });
  for (const send of notices) await send();
}

/**
 * Takes a case off the agenda: its invitations withdrawn, grants for it through this meeting revoked,
 * a content-free event on the case's timeline; after the commit the contacts of the organisations
 * whose invitation was withdrawn are told (a date and a link only).
 */
export async function removeAgendaCase(ctx: AppContext, who: AuditWho, id: string, caseId: string) {
  const meeting = await plannedMeeting(ctx, who, id);
  const agenda = await store.agendaOf(ctx.database.db, id);
  if (!agenda.some((a) => a.case_id === caseId)) throw new MeetingError("not_found");
  if (agenda.length === 1) throw new MeetingError("invalid", "last_case");
  if (await store.minutesOf(ctx.database.db, id, caseId)) throw new MeetingError("invalid", "minuted");
  const withdrawn = await ctx.database.db.transaction().execute(async (trx) => {
    const tx = bound(ctx, trx);
    const orgs = await withdrawServices(tx, who, (await store.servicesOf(trx, id)).filter((s) => s.case_id === caseId));
    await store.removeAgendaItem(trx, id, caseId);
    await resyncGrants(tx, who, meeting);
    await cases.recordPlanningEvent(trx, { who, caseId, consultationId: id, kind: "agenda_removed" });
    await pd.record(ctx, who, { type: "case", id: caseId, livcId: meeting.livc_id }, "meeting.agenda.remove", "success", { db: trx });
    return orgs;
  });
  return sendWithdrawnMails(ctx, withdrawn, meeting.held_on);
}

export type MeetingListStatus = "planned" | "held" | "cancelled";

/** The meeting list, 50 a page: upcoming first (soonest first), then past ones (latest first). */
export async function meetingListFor(ctx: AppContext, actor: Actor | null, q: { status?: MeetingListStatus; page: number }, today = todayInBrussels()) {
  if (!actor) return { rows: [], total: 0, page: 1, pages: 1 };
  const db = ctx.database.db;
  const filter = { livcIds: meetingPolicy.livcIds(actor, "core"), ids: await store.meetingIdsInvitingSeats(db, partnerSeatsOf(actor)), status: q.status, today };
  const total = await store.meetingListCount(db, filter);
  const pages = Math.max(1, Math.ceil(total / MEETINGS_PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(q.page) || 1), pages);
  const rows = await store.meetingListPage(db, filter, MEETINGS_PAGE_SIZE, (page - 1) * MEETINGS_PAGE_SIZE);
  return { rows, total, page, pages };
}

/** The case ids on a meeting's agenda, in order (the re-planning page; the actor was checked by plannedMeeting). */
export const agendaCaseIds = async (ctx: AppContext, id: string) => (await store.agendaOf(ctx.database.db, id)).map((a) => a.case_id);
