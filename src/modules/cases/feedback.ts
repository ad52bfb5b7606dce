import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { inTransaction } from "../../platform/db";
import { newId, nowIso } from "../../platform/db/values";
import * as partners from "../partners/service";
import { CaseError, keptRead, resource, visibleCase } from "./access";
import type { FeedbackVoteValue } from "./migrations";
import * as pd from "./personal";
import { casePolicy } from "./policy";
import * as store from "./store";

/**
 * The feedback form to the police / Local Task Force (terugkoppelingsfiche), Constitutional Court
 * 52/2021: drafted by the information officer after a HELD consultation that had the case on its
 * agenda; every member who actually took part in discussing THIS case there (decision 0051: present
 * in the meeting's one attendance register AND a core member of the LIVC or there for a service whose
 * invitation for this case was accepted) approves or objects; it can be marked as sent only when ALL
 * of them approved the current text and the drafter attested that it holds no information covered by
 * professional secrecy. Editing the text starts a new revision: earlier votes and the attestation no
 * longer count. Every step is audited, in the same transaction as the change; the form is visible to
 * its participants (and the LIVC's core members).
 */
export interface FeedbackView {
  id: string;
  caseId: string;
  consultationId: string;
  content: string | null;
  revision: number;
  status: "draft" | "sent";
  attested: boolean;
  sentAt: string | null;
  attendees: { userId: string; vote: FeedbackVoteValue | null }[];
  consensus: boolean;
  blockers: ("not_discussed" | "objection" | "missing_approval" | "not_attested" | "no_attendees")[];
  may: { edit: boolean; vote: boolean; send: boolean };
}

/**
 * What the meetings module knows about a consultation and a case (it owns agendas, acknowledgements
 * and the attendance register; it registers these at load, as the purgers do, so that this module
 * does not import it back).
 */
export interface ConsultationFacts {
  /** The consultation's LIVC and whether it was held and had the case on its agenda; null if unknown. */
  discussed(ctx: AppContext, consultationId: string, caseId: string): Promise<{ livcId: string; held: boolean; onAgenda: boolean } | null>;
  /** The user ids who took part in discussing the case at the consultation (decision 0051). */
  participants(ctx: AppContext, consultationId: string, caseId: string): Promise<string[]>;
}

let facts: ConsultationFacts | null = null;
export function registerConsultationFacts(f: ConsultationFacts) {
  facts = f;
}
function consultationFacts(): ConsultationFacts {
  if (!facts) throw new Error("no consultation facts registered (the meetings module registers them)");
  return facts;
}

/** A feedback form refused for its consultation: another LIVC's, not held, or the case was not on its agenda. */
export class FeedbackConsultationError extends CaseError {
  constructor(readonly reason: "unknown" | "not_held" | "not_on_agenda") {
    super("invalid", "consultation");
  }
}


/** Refuses a consultation that is not a held one of the case's LIVC with the case on its agenda. */
async function checkDiscussed(ctx: AppContext, c: { id: string; livc_id: string }, consultationId: string) {
  const f = await consultationFacts().discussed(ctx, consultationId, c.id);
  if (!f || f.livcId !== c.livc_id) throw new FeedbackConsultationError("unknown");
  if (!f.onAgenda) throw new FeedbackConsultationError("not_on_agenda");
  if (!f.held) throw new FeedbackConsultationError("not_held");
}

const attendeesOf = (ctx: AppContext, consultationId: string, caseId: string) => consultationFacts().participants(ctx, consultationId, caseId);

/** The consensus rule, pure: every attendee approved the current revision, and the drafter attested. */
export function consensusOf(attendees: string[], votes: { user_id: string; vote: FeedbackVoteValue; revision: number }[], revision: number, attested: boolean) {
  const current = votes.filter((v) => v.revision === revision);
  const blockers: FeedbackView["blockers"] = [];
  if (attendees.length === 0) blockers.push("no_attendees");
  if (attendees.some((u) => current.find((v) => v.user_id === u)?.vote === "object")) blockers.push("objection");
  if (attendees.some((u) => !current.find((v) => v.user_id === u))) blockers.push("missing_approval");
  if (!attested) blockers.push("not_attested");
  return { ok: blockers.length === 0, blockers };
}

async function loadForm(ctx: AppContext, who: AuditWho, formId: string) {
  const form = await store.feedbackById(ctx.database.db, formId);
  if (!form) throw new CaseError("not_found");
  const c = await visibleCase(ctx, who, form.case_id);
  const attendees = await attendeesOf(ctx, form.consultation_id, form.case_id);
  const actor = who.actor ?? null;
  const core = casePolicy.can(actor, "read_identity", c);
  if (!core && !(actor && attendees.includes(actor.userId))) {
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.read", "denied");
    throw new CaseError("not_found");
  }
  return { form, c, attendees };
}

export async function draftFeedback(ctx: AppContext, who: AuditWho, caseId: string, consultationId: string, content: string): Promise<string> {
  const c = await visibleCase(ctx, who, caseId);
  if (!casePolicy.can(who.actor ?? null, "draft_feedback", c)) throw new CaseError("not_allowed");
  if (!content.trim()) throw new CaseError("invalid", "content");
  const consultation = await partners.consultationById(ctx, consultationId);
  if (!consultation || consultation.livc_id !== c.livc_id) throw new FeedbackConsultationError("unknown");
  await checkDiscussed(ctx, c, consultationId);
  const id = newId();
  await pd.ready(ctx);
  await inTransaction(ctx.database.db, async (db) => {
    const sealed = await pd.seal(ctx, who, { table: "feedback_form", column: "content_enc", rowId: id, livcId: c.livc_id }, content.trim(), { db });
    const at = nowIso();
    await store.insertFeedback(db, { id, case_id: c.id, consultation_id: consultationId, livc_id: c.livc_id, drafted_by: who.actor!.userId, content_enc: sealed, revision: 1, attested_no_secrecy_at: null, status: "draft", sent_at: null, sent_by: null, created_at: at, updated_at: at });
    await store.insertEvent(db, { case_id: c.id, actor_id: who.actor!.userId, kind: "feedback_drafted", from_status: null, to_status: null, reason: null, consultation_id: consultationId, note_enc: null });
    await pd.record(ctx, who, { type: "feedback_form", id, livcId: c.livc_id }, "feedback.draft", "success", { db });
  });
  return id;
}

export async function getFeedback(ctx: AppContext, who: AuditWho, formId: string): Promise<FeedbackView> {
  const { form, c, attendees } = await loadForm(ctx, who, formId);
  const discussed = await checkDiscussed(ctx, c, form.consultation_id).then(
    () => true,
    (e) => {
      if (e instanceof FeedbackConsultationError) return false;
      throw e;
    },
  );
  const text = await pd.reveal(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.read", true, {
    content: { place: { table: "feedback_form", column: "content_enc", rowId: form.id }, value: form.content_enc },
  });
  const votes = await store.votesOf(ctx.database.db, form.id);
  const attested = form.attested_no_secrecy_at !== null;
  const consensus = consensusOf(attendees, votes, form.revision, attested);
  // A form tied to a consultation that did not discuss the case (made before decision 0051) is never sent.
  const ok = consensus.ok && discussed;
  const blockers: FeedbackView["blockers"] = discussed ? consensus.blockers : ["not_discussed", ...consensus.blockers];
  const me = who.actor?.userId ?? "";
  const drafter = form.drafted_by === me;
  return {
    id: form.id,
    caseId: form.case_id,
    consultationId: form.consultation_id,
    content: text.content,
    revision: form.revision,
    status: form.status,
    attested,
    sentAt: form.sent_at,
    attendees: attendees.map((u) => ({ userId: u, vote: votes.find((v) => v.user_id === u && v.revision === form.revision)?.vote ?? null })),
    consensus: ok,
    blockers,
    may: { edit: drafter && form.status === "draft", vote: attendees.includes(me) && form.status === "draft", send: drafter && form.status === "draft" && ok },
  };
}

/** Feedback forms of a case the actor may see (attendees and core members). */
export async function feedbackOfCase(ctx: AppContext, who: AuditWho, caseId: string) {
  const c = await visibleCase(ctx, who, caseId);
  const forms = await keptRead(who, "feedbackOfCase", store.feedbackOfCase, ctx.database.db, c.id);
  // The core roles see every form; anyone else the forms of meetings they took part in for this case (the
  // attendees read only then, for all forms at once: issue 9).
  const core = casePolicy.can(who.actor ?? null, "read_identity", c);
  const me = who.actor?.userId;
  const seen = core ? forms.map(() => true) : await Promise.all(forms.map(async (f) => Boolean(me && (await attendeesOf(ctx, f.consultation_id, c.id)).includes(me))));
  return forms.filter((_, i) => seen[i]).map((f) => ({ id: f.id, consultationId: f.consultation_id, status: f.status, createdAt: f.created_at }));
}

/** The drafter edits the text: a new revision, so every vote and the attestation must be given again. */
export async function editFeedback(ctx: AppContext, who: AuditWho, formId: string, content: string) {
  const { form } = await loadForm(ctx, who, formId);
  if (form.drafted_by !== who.actor?.userId || form.status !== "draft") throw new CaseError("not_allowed");
  if (!content.trim()) throw new CaseError("invalid", "content");
  await pd.ready(ctx);
  await inTransaction(ctx.database.db, async (db) => {
    const sealed = await pd.seal(ctx, who, { table: "feedback_form", column: "content_enc", rowId: form.id, livcId: form.livc_id }, content.trim(), { db });
    await store.updateFeedback(db, form.id, { content_enc: sealed, revision: form.revision + 1, attested_no_secrecy_at: null });
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.edit", "success", { db });
  });
}

export async function voteFeedback(ctx: AppContext, who: AuditWho, formId: string, vote: FeedbackVoteValue) {
  const { form, c, attendees } = await loadForm(ctx, who, formId);
  const me = who.actor?.userId ?? "";
  if (!attendees.includes(me) || form.status !== "draft") {
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, `feedback.${vote}`, "denied");
    throw new CaseError("not_allowed");
  }
  await inTransaction(ctx.database.db, async (db) => {
    await store.putVote(db, { form_id: form.id, user_id: me, revision: form.revision, vote, at: nowIso() });
    await store.insertEvent(db, { case_id: c.id, actor_id: me, kind: "feedback_voted", from_status: null, to_status: null, reason: vote, consultation_id: form.consultation_id, note_enc: null });
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, `feedback.${vote}`, "success", { db });
  });
}

/** The drafter attests that the form holds no information covered by professional secrecy. */
export async function attestFeedback(ctx: AppContext, who: AuditWho, formId: string) {
  const { form } = await loadForm(ctx, who, formId);
  if (form.drafted_by !== who.actor?.userId || form.status !== "draft") throw new CaseError("not_allowed");
  await inTransaction(ctx.database.db, async (db) => {
    await store.updateFeedback(db, form.id, { attested_no_secrecy_at: nowIso() });
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.attest_no_secrecy", "success", { db });
  });
}

/** Marks the form as sent to the police / LTF: refused unless every attendee approved and it is attested. */
export async function markFeedbackSent(ctx: AppContext, who: AuditWho, formId: string) {
  const { form, c, attendees } = await loadForm(ctx, who, formId);
  if (form.drafted_by !== who.actor?.userId || form.status !== "draft") throw new CaseError("not_allowed");
  await checkDiscussed(ctx, c, form.consultation_id).catch(async (e) => {
    if (e instanceof FeedbackConsultationError) await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.send", "denied");
    throw e;
  });
  const { ok } = consensusOf(attendees, await store.votesOf(ctx.database.db, form.id), form.revision, form.attested_no_secrecy_at !== null);
  if (!ok) {
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.send", "denied");
    throw new CaseError("wrong_status");
  }
  await inTransaction(ctx.database.db, async (db) => {
    await store.updateFeedback(db, form.id, { status: "sent", sent_at: nowIso(), sent_by: who.actor!.userId });
    await store.insertEvent(db, { case_id: c.id, actor_id: who.actor!.userId, kind: "feedback_sent", from_status: null, to_status: null, reason: null, consultation_id: form.consultation_id, note_enc: null });
    await pd.record(ctx, who, resource(c), "feedback.send", "success", { db });
    await pd.record(ctx, who, { type: "feedback_form", id: form.id, livcId: form.livc_id }, "feedback.send", "success", { db });
  });
}
