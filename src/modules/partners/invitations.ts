/**
 * The invitation lifecycle. One transition table decides which step is possible; every step is
 * written to the audit log; notices by e-mail carry no personal data (mail.ts).
 * A decline needs a reason from the list (Flemish decree of 21 May 2021); "other" needs a note.
 */
import type { Kysely } from "kysely";
import { type AppContext, bound } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { audit, type AuditWho } from "../../platform/audit";
import { addDays, isIsoDate, todayInBrussels } from "../../platform/db/values";
import { activeRecipients, grantMembership, RoleRuleError } from "../identity/service";
import { livcById } from "../registry/service";
import { partnersConfig } from "./config";
import { PartnerRuleError } from "./errors";
import { sendNotices } from "./mail";
import { activeOn } from "./membership";
import { DECLINE_REASONS, type DeclineReason, type InvitationKind, type InvitationStatus } from "./migrations";
import * as store from "./store";

export type InvitationStep = "accept" | "decline" | "expire" | "withdraw";

/** The whole workflow: from a status, which step leads where. Closed statuses allow nothing. */
export const INVITATION_TRANSITIONS: Record<InvitationStatus, Partial<Record<InvitationStep, InvitationStatus>>> = {
  pending: { accept: "accepted", decline: "declined", expire: "expired", withdraw: "withdrawn" },
  accepted: {},
  declined: {},
  expired: {},
  withdrawn: {},
};

export const CASE_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DECLINE_NOTE_MAX = 500;

export interface InvitationInput {
  livcId: string;
  organisationId: string;
  kind: InvitationKind;
  /** For kind "consultation": the case's reference (opaque text, no case content). */
  caseRef?: string | null;
  consultationId?: string | null;
  today?: string;
  termDays?: number;
}

async function notify(ctx: AppContext, who: AuditWho, inv: { id: string; livc_id: string; organisation_id: string }, kind: "new" | "reminder") {
  // Active contacts only, each with the language of their account (decision 0035); no lookups without SMTP.
  const contacts = ctx.config.SMTP_URL ? await store.contactsOf(ctx.database.db, [inv.organisation_id]) : [];
  const r = await sendNotices(ctx.config, await activeRecipients(ctx, contacts.map((c) => c.user_id)), kind);
  if (!r.configured) return r;
  await audit.recordFor(ctx, who, {
    action: kind === "new" ? "partners.invitation.notify" : "partners.invitation.remind",
    resourceType: "partner_invitation",
    resourceId: inv.id,
    livcId: inv.livc_id,
    outcome: r.failed > 0 ? "failure" : "success",
  });
  return r;
}

/**
 * Sends an invitation: the row and its audit entry in one transaction, the notice mail after the commit.
 * With opts.db a caller's transaction (meetings: a consultation and its invitations), the work joins
 * it and the notice is handed back in opts.notices for the caller to send after ITS commit.
 */
export async function sendInvitation(
  ctx: AppContext,
  who: AuditWho,
  input: InvitationInput,
  opts: { db?: Kysely<DB>; notices?: (() => Promise<unknown>)[] } = {},
): Promise<string> {
  const db = opts.db ?? ctx.database.db;
  if (db.isTransaction && !opts.notices) throw new Error("sendInvitation in a caller's transaction needs opts.notices (the mail goes out after the commit)");
  const today = input.today ?? todayInBrussels();
  if (!(await livcById(db, input.livcId))) throw new PartnerRuleError("unknown_livc");
  const organisation = input.organisationId ? await store.organisationById(db, input.organisationId) : undefined;
  if (!organisation) throw new PartnerRuleError("unknown_organisation", "organisation_id");
  let caseRef: string | null = null;
  if (input.kind === "consultation") {
    caseRef = (input.caseRef ?? "").trim();
    if (!CASE_REF.test(caseRef)) throw new PartnerRuleError("case_ref_required", "case_ref");
  } else {
    const seats = await store.partnersOfLivc(db, input.livcId);
    if (seats.some((s) => s.organisation_id === organisation.id && activeOn(s, today))) throw new PartnerRuleError("already_member", "organisation_id");
  }
  const term = input.termDays ?? partnersConfig().termDays;
  const run = async (trx: Kysely<DB>) => {
    const id = await store.insertInvitation(trx, {
      livc_id: input.livcId,
      organisation_id: organisation.id,
      kind: input.kind,
      consultation_id: input.consultationId ?? null,
      case_ref: caseRef,
      invited_by: who.actor?.userId ?? null,
      sent_on: today,
      expires_on: addDays(today, term),
    });
    await audit.recordFor(ctx, who, { action: "partners.invitation.send", resourceType: "partner_invitation", resourceId: id, livcId: input.livcId, outcome: "success" }, { db: trx });
    return id;
  };
  const id = db.isTransaction ? await run(db) : await db.transaction().execute(run);
  const notice = () => notify(ctx, who, { id, livc_id: input.livcId, organisation_id: organisation.id }, "new");
  if (opts.notices) opts.notices.push(notice);
  else await notice();
  return id;
}

export interface ResponseInput {
  answer: "accept" | "decline";
  reason?: string | null;
  note?: string | null;
  today?: string;
}

/**
 * Validates a decline before anything is written; returns the clean reason and note. A case
 * consultation's invitation takes the reason code only (decision 0053): a note there is about a case
 * ("we already follow this pupil"), so it is refused, and "other" needs none. A structural invitation
 * (about the organisation joining the LIVC) keeps its note, required with "other".
 */
export function checkDecline(reason: string | null | undefined, note: string | null | undefined, kind: "structural" | "consultation" = "structural"): { reason: DeclineReason; note: string | null } {
  if (!reason || !(DECLINE_REASONS as readonly string[]).includes(reason)) throw new PartnerRuleError("reason_required", "reason");
  if (kind === "consultation") {
    if ((note ?? "").trim() !== "") throw new PartnerRuleError("note_not_allowed", "reason");
    return { reason: reason as DeclineReason, note: null };
  }
  const clean = (note ?? "").trim().slice(0, DECLINE_NOTE_MAX);
  if (reason === "other" && clean === "") throw new PartnerRuleError("note_required", "note");
  return { reason: reason as DeclineReason, note: clean === "" ? null : clean };
}

/**
 * The contact's answer. Accepting a structural invitation gives the organisation a partner seat
 * from today and the answering contact the partner-member role in that LIVC.
 */
export async function respondToInvitation(ctx: AppContext, who: AuditWho, invitationId: string, input: ResponseInput): Promise<InvitationStatus> {
  const db = ctx.database.db;
  const today = input.today ?? todayInBrussels();
  const inv = await store.invitationById(db, invitationId);
  if (!inv) throw new PartnerRuleError("not_pending");
  const decline = input.answer === "decline" ? checkDecline(input.reason, input.note, inv.kind) : null;
  const next = INVITATION_TRANSITIONS[inv.status][input.answer] as Exclude<InvitationStatus, "pending"> | undefined;
  if (!next) throw new PartnerRuleError("not_pending");
  if (inv.expires_on < today) {
    await expireOne(ctx, who, inv);
    throw new PartnerRuleError("expired");
  }
  const responder = who.actor?.userId ?? null;
  try {
    await db.transaction().execute(async (trx) => {
      const moved = await store.closeInvitation(trx, inv.id, {
        status: next,
        responded_on: today,
        responded_by: responder,
        decline_reason: decline?.reason ?? null,
        decline_note: decline?.note ?? null,
      });
      if (!moved) throw new PartnerRuleError("not_pending");
      if (next === "accepted" && inv.kind === "structural") {
        const seats = await store.partnersOfLivc(trx, inv.livc_id);
        if (!seats.some((s) => s.organisation_id === inv.organisation_id && activeOn(s, today))) {
          const seatId = await store.insertPartner(trx, {
            livc_id: inv.livc_id,
            seat: "partner",
            organisation_id: inv.organisation_id,
            user_id: responder,
            from_on: today,
            to_on: null,
            invitation_id: inv.id,
          });
          await audit.recordFor(ctx, who, { action: "partners.seat.add", resourceType: "livc_partner", resourceId: seatId, livcId: inv.livc_id, outcome: "success" }, { db: trx });
          if (responder && !who.actor?.memberships.some((m) => m.livcId === inv.livc_id && m.role === "partner_member")) await grantMemberRole(ctx, who, trx, inv, responder, today);
        }
      }
      await audit.recordFor(
        ctx,
        who,
        { action: `partners.invitation.${input.answer}`, resourceType: "partner_invitation", resourceId: inv.id, livcId: inv.livc_id, outcome: "success" },
        { db: trx },
      );
    });
  } catch (e) {
    if (!(e instanceof RoleRuleError)) throw e;
    // Identity refused the role (an administrator account, the inviter answering their own invitation):
    // the whole acceptance rolled back (no seat, no role, the invitation still pending); audited.
    await audit.recordFor(ctx, who, { action: "partners.member.role_refused", resourceType: "partner_invitation", resourceId: inv.id, livcId: inv.livc_id, outcome: "denied" });
    throw new PartnerRuleError("role_refused");
  }
  return next;
}

/**
 * The partner-member role that accepting a structural invitation gives, in the acceptance's own
 * transaction with its own audit entry (account.membership.grant). It counts at once: the chair or
 * coordinator invited, the organisation's contact accepted (two people; decision 0049). Identity's
 * refusal (RoleRuleError) rolls the acceptance back; a role already held from a later date stands.
 */
async function grantMemberRole(ctx: AppContext, who: AuditWho, trx: Kysely<DB>, inv: store.InvitationRow, responder: string, today: string) {
  const tctx: AppContext = bound(ctx, trx);
  let membershipId: string;
  try {
    // The grantor is whoever sent the invitation (decision 0041: nobody grants a role to themselves).
    membershipId = await grantMembership(tctx, { userId: responder, livcId: inv.livc_id, role: "partner_member", organisationId: inv.organisation_id, validFrom: today, grantedBy: inv.invited_by });
  } catch (e) {
    if (e instanceof RoleRuleError && e.code === "duplicate") return;
    throw e;
  }
  await audit.recordFor(ctx, who, { action: "account.membership.grant", resourceType: "membership", resourceId: membershipId, livcId: inv.livc_id, outcome: "success" }, { db: trx });
}

export async function withdrawInvitation(ctx: AppContext, who: AuditWho, invitationId: string, today = todayInBrussels()) {
  const inv = await store.invitationById(ctx.database.db, invitationId);
  if (!inv || !INVITATION_TRANSITIONS[inv.status].withdraw) throw new PartnerRuleError("not_pending");
  await ctx.database.db.transaction().execute(async (trx) => {
    if (!(await store.closeInvitation(trx, inv.id, { status: "withdrawn", responded_on: today, responded_by: who.actor?.userId ?? null }))) throw new PartnerRuleError("not_pending");
    await audit.recordFor(ctx, who, { action: "partners.invitation.withdraw", resourceType: "partner_invitation", resourceId: inv.id, livcId: inv.livc_id, outcome: "success" }, { db: trx });
  });
}

async function expireOne(ctx: AppContext, who: AuditWho, inv: store.InvitationRow): Promise<boolean> {
  return ctx.database.db.transaction().execute(async (trx) => {
    // The invitation expired the day after its last day: that is the date the report uses.
    const moved = await store.closeInvitation(trx, inv.id, { status: "expired", responded_on: null, responded_by: null });
    if (moved) {
      await audit.recordFor(ctx, who, { action: "partners.invitation.expire", resourceType: "partner_invitation", resourceId: inv.id, livcId: inv.livc_id, outcome: "success" }, { db: trx });
    }
    return moved;
  });
}

/**
 * The daily job (`schakel partners remind`): expires invitations whose term has ended and sends one
 * reminder for those expiring within the reminder window. Safe to run more than once a day.
 */
export async function runInvitationJob(ctx: AppContext, today = todayInBrussels(), reminderDays = partnersConfig().reminderDays) {
  if (!isIsoDate(today)) throw new PartnerRuleError("bad_date");
  const who: AuditWho = {};
  let expired = 0;
  for (const inv of await store.overdueInvitations(ctx.database.db, today)) if (await expireOne(ctx, who, inv)) expired++;
  let reminded = 0;
  for (const inv of await store.invitationsToRemind(ctx.database.db, today, addDays(today, reminderDays))) {
    await store.markReminded(ctx.database.db, inv.id, today);
    await notify(ctx, who, inv, "reminder");
    reminded++;
  }
  return { expired, reminded };
}

/**
 * The status an invitation had on a date (reports on past dates): an answer counts from its day,
 * an unanswered invitation counts as expired from the day after its last day.
 */
export function statusOn(inv: Pick<store.InvitationRow, "sent_on" | "expires_on" | "status" | "responded_on">, date: string): InvitationStatus | null {
  if (inv.sent_on > date) return null;
  if (inv.responded_on && inv.responded_on <= date && inv.status !== "expired") return inv.status;
  if (inv.expires_on < date && (inv.status === "pending" || inv.status === "expired" || (inv.responded_on ?? "") > date)) return "expired";
  return "pending";
}

export const invitationById = (ctx: AppContext, id: string) => store.invitationById(ctx.database.db, id);
export const acceptedInvitationIds = (ctx: AppContext, ids: readonly string[]) => store.acceptedInvitationIds(ctx.database.db, ids);
export const visibleInvitations = (ctx: AppContext, filter: { livcIds: string[]; organisationIds: string[] }, opts: { status?: InvitationStatus } = {}) =>
  store.visibleInvitations(ctx.database.db, filter, opts);
