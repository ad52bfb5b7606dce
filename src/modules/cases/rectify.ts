import { z } from "zod";
import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isIsoDate, shortId, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import type { DB } from "../../platform/db/schema";
import { definePolicy } from "../../platform/policy/grants";
import { CaseError, resource } from "./access";
import * as pd from "./personal";
import { canSeeCase, caseGrants } from "./policy";
import * as store from "./store";

/**
 * Rectification (GDPR art. 16) of the person a case is about: name and date of birth, the only
 * identity the case file holds (decision 0046). Who may: the chair and coordinator of the case's LIVC
 * (need to know with manage rights) and the data-protection officer (the legal path, as for subject
 * access). The current values are read through the personal-data path (audited), the new ones sealed
 * through it, the blind index recomputed (so the duplicate hint and subject access find the person
 * under the corrected data), and a content-free timeline event with a reason code: the case's row,
 * the event and the audit entry commit together. Nobody else: refused and audited.
 */
export const RECTIFY_REASONS = ["typo", "wrong_person", "subject_request", "other"] as const;
export type RectifyReason = (typeof RECTIFY_REASONS)[number];
export const isRectifyReason = (v: string): v is RectifyReason => (RECTIFY_REASONS as readonly string[]).includes(v);

export const rectifyPolicy = definePolicy({
  livcOf: (c: { livc_id: string }) => c.livc_id,
  grants: { rectify: ["chair", "coordinator"] },
});

export const mayRectifyCase = (actor: Actor | null, c: { livc_id: string }): boolean => Boolean(actor?.isDpo) || rectifyPolicy.can(actor, "rectify", c);

export interface IdentityInput {
  fullName: string;
  dateOfBirth: string;
  reason: string;
}
export type IdentityErrors = Partial<Record<"full_name" | "date_of_birth" | "reason", "required" | "required_linked" | "too_long" | "invalid" | "future">>;

export const NAME_MAX = 200;

const field = (max: number) => z.string().max(max * 2).optional().default("").transform((v) => v.trim().slice(0, max));
/** The identity form's body, the same for a case (cases) and a report (intake): checkIdentityInput judges it. */
export const identityBody = z.object({ full_name: field(400), date_of_birth: field(20), reason: field(40), also_linked: field(3) });

/** The one check of a corrected identity (cases and reports): a name, an optional real date of birth, a reason from the list. */
export function checkIdentityInput(input: IdentityInput, opts: { today?: string; requireDateOfBirth?: boolean | "linked" } = {}): IdentityErrors {
  const today = opts.today ?? todayInBrussels();
  const errors: IdentityErrors = {};
  const name = input.fullName.trim();
  if (!name) errors.full_name = "required";
  else if ([...name].length > NAME_MAX) errors.full_name = "too_long";
  const dob = input.dateOfBirth.trim();
  if (!dob && opts.requireDateOfBirth) errors.date_of_birth = opts.requireDateOfBirth === "linked" ? "required_linked" : "required";
  else if (dob && (!isIsoDate(dob) || dob < "1900-01-01")) errors.date_of_birth = "invalid";
  else if (dob && dob > today) errors.date_of_birth = "future";
  if (!isRectifyReason(input.reason)) errors.reason = "required";
  return errors;
}

export class RectifyInvalid extends Error {
  constructor(readonly errors: IdentityErrors) {
    super("invalid identity");
  }
}

/** The case, when this actor may rectify it; otherwise the refusal is audited (404 for who cannot see the case, 403 for who can). */
async function rectifiable(ctx: AppContext, who: AuditWho, caseId: string, action: string): Promise<store.CaseRow> {
  const c = await store.caseById(ctx.database.db, caseId);
  if (!c) throw new CaseError("not_found");
  const actor = who.actor ?? null;
  if (!mayRectifyCase(actor, c)) {
    await pd.record(ctx, who, resource(c), action, "denied");
    throw new CaseError(canSeeCase(await caseGrants(ctx.database.db, actor), c) ? "not_allowed" : "not_found");
  }
  if (c.status === "purged") throw new CaseError("wrong_status");
  return c;
}

/**
 * Records linked to a case that hold the same person's identity: the report(s) it was taken up from
 * (decision 0050). Intake registers them, so the cases module does not depend on intake. `list` says
 * for each whether this actor may correct it (each record keeps its own rule) and whether there is
 * anything to correct; `write` corrects the given ones inside the case's transaction, each with its
 * own history line and audit entry.
 */
export interface LinkedRecord {
  kind: "report";
  id: string;
  /** The random reference shown (never content). */
  name: string;
  /** ok: this actor may correct it; not_allowed: only others may (e.g. the screeners); nothing: purged or naming nobody. */
  state: "ok" | "not_allowed" | "nothing";
  /** Whether its identity needs a date of birth (a report's does). */
  needsDateOfBirth: boolean;
}
export interface CorrectedIdentity {
  fullName: string;
  dateOfBirth: string | null;
  reason: RectifyReason;
}
type LinkedSource = {
  name: string;
  list(ctx: AppContext, who: AuditWho, caseId: string): Promise<LinkedRecord[]>;
  write(ctx: AppContext, who: AuditWho, ids: string[], identity: CorrectedIdentity, trx: Kysely<DB>): Promise<void>;
};
const linkedSources: LinkedSource[] = [];

export function registerLinkedRecords(source: LinkedSource) {
  if (!linkedSources.some((x) => x.name === source.name)) linkedSources.push(source);
}

async function linkedOf(ctx: AppContext, who: AuditWho, caseId: string): Promise<LinkedRecord[]> {
  const out: LinkedRecord[] = [];
  for (const s of linkedSources) out.push(...(await s.list(ctx, who, caseId)));
  return out;
}

export interface CaseIdentityForEdit {
  caseId: string;
  label: string;
  livcId: string;
  /** null: the case was opened without a name (identity unknown at screening). */
  identity: { fullName: string; dateOfBirth: string | null } | null;
  /** The report(s) the case came from (references only), and whether this actor may correct them with it. */
  linked: LinkedRecord[];
}

/** The form's current values, read through the personal-data path (audited as "case.identity.read"). */
export async function caseIdentityForEdit(ctx: AppContext, who: AuditWho, caseId: string): Promise<CaseIdentityForEdit> {
  const c = await rectifiable(ctx, who, caseId, "case.identity.read");
  const plain = await pd.reveal(ctx, who, resource(c), "case.identity.read", true, {
    identity: { place: { table: "case_file", column: "identity_enc", rowId: c.id }, value: c.identity_enc },
  });
  return {
    caseId: c.id,
    label: c.label ?? shortId(c.id),
    livcId: c.livc_id,
    identity: plain.identity ? (JSON.parse(plain.identity) as CaseIdentityForEdit["identity"]) : null,
    linked: await linkedOf(ctx, who, c.id),
  };
}

/**
 * Writes a case's corrected identity inside the caller's transaction: sealed, blind index, a
 * content-free timeline event and the audit entry. The caller checked who may (rectifiable or
 * caseForLinkedRectify). Also used by intake when a report and the case it became are corrected together.
 */
export async function writeCaseIdentity(ctx: AppContext, who: AuditWho, c: store.CaseRow, identity: CorrectedIdentity, trx: Kysely<DB>): Promise<void> {
  await pd.ready(ctx);
  const subjectIndex = await pd.subjectIndexOf(ctx, identity.fullName, identity.dateOfBirth);
  const identityEnc = await pd.seal(ctx, who, { table: "case_file", column: "identity_enc", rowId: c.id, livcId: c.livc_id }, JSON.stringify({ fullName: identity.fullName, dateOfBirth: identity.dateOfBirth }), { db: trx });
  await store.updateCase(trx, c.id, { identity_enc: identityEnc, subject_index: subjectIndex });
  // Content-free: the kind and the reason code, never the old or the new value.
  await store.insertEvent(trx, { case_id: c.id, actor_id: who.actor?.userId ?? null, kind: "identity_corrected", from_status: null, to_status: null, reason: identity.reason, consultation_id: null, note_enc: null });
  await pd.record(ctx, who, resource(c), "case.identity.rectify", "success", { db: trx });
}

/**
 * The case a report became, when this actor may correct it too (for the report's correction form,
 * decision 0050): null when there is none to offer (no such case, purged, or not this actor's to
 * correct). Nothing is audited here: the offer reads no personal data; the correction audits itself.
 */
export async function caseForLinkedRectify(ctx: AppContext, who: AuditWho, caseId: string): Promise<{ row: store.CaseRow; label: string; state: LinkedRecord["state"] } | null> {
  const c = await store.caseById(ctx.database.db, caseId);
  if (!c) return null;
  const state = c.status === "purged" ? "nothing" : mayRectifyCase(who.actor ?? null, c) ? "ok" : "not_allowed";
  return { row: c, label: c.label ?? shortId(c.id), state };
}

/**
 * Saves the corrected identity: sealed, blind index recomputed, timeline event and audit entry in
 * one transaction. With `alsoLinked`, the linked report(s) this actor may correct are corrected in
 * the same transaction (each with its own history line and audit entry); a report needs a date of birth.
 */
export async function rectifyCaseIdentity(ctx: AppContext, who: AuditWho, caseId: string, input: IdentityInput, opts: { alsoLinked?: boolean } = {}): Promise<{ linked: string[] }> {
  const c = await rectifiable(ctx, who, caseId, "case.identity.rectify");
  const linked = opts.alsoLinked ? (await linkedOf(ctx, who, c.id)).filter((r) => r.state === "ok") : [];
  const errors = checkIdentityInput(input, { requireDateOfBirth: linked.some((r) => r.needsDateOfBirth) ? "linked" : false });
  if (Object.keys(errors).length > 0) throw new RectifyInvalid(errors);
  const identity: CorrectedIdentity = { fullName: input.fullName.trim(), dateOfBirth: input.dateOfBirth.trim() || null, reason: input.reason as RectifyReason };
  await pd.ready(ctx);
  await ctx.database.db.transaction().execute(async (trx) => {
    await writeCaseIdentity(ctx, who, c, identity, trx);
    for (const s of linkedSources) {
      const ids = linked.filter((r) => r.kind === s.name).map((r) => r.id);
      if (ids.length > 0) await s.write(ctx, who, ids, identity, trx);
    }
  });
  return { linked: linked.map((r) => r.name) };
}

/**
 * The DPO's way to the forms: cases and other records (registered by other modules: intake's reports)
 * of one person, found by the blind index over name + date of birth. Labels and references only.
 */
export interface RectifiableRecord {
  kind: string;
  /** The pseudonymous label or reference shown. */
  name: string;
  livcId: string | null;
  href: string;
}
type RecordFinder = { name: string; find(ctx: AppContext, subjectIndex: string): Promise<RectifiableRecord[]> };
const finders: RecordFinder[] = [];

export function registerRectifiable(f: RecordFinder) {
  if (!finders.some((x) => x.name === f.name)) finders.push(f);
}

export async function rectifiableRecords(ctx: AppContext, who: AuditWho, person: { fullName: string; dateOfBirth: string | null }): Promise<RectifiableRecord[]> {
  if (!who.actor?.isDpo) {
    await pd.record(ctx, who, { type: "rectify", id: "search", livcId: null }, "rectify.search", "denied");
    throw new CaseError("not_allowed");
  }
  const index = await pd.subjectIndexOf(ctx, person.fullName, person.dateOfBirth);
  const cases = await ctx.database.db.selectFrom("case_file").select(["id", "label", "livc_id"]).where("subject_index", "=", index).orderBy("opened_at").execute();
  const out: RectifiableRecord[] = cases.map((c) => ({ kind: "case", name: c.label ?? shortId(c.id), livcId: c.livc_id, href: `/cases/${c.id}/identity` }));
  for (const f of finders) out.push(...(await f.find(ctx, index)));
  await pd.record(ctx, who, { type: "rectify", id: index.slice(0, 16), livcId: null }, "rectify.search");
  return out;
}
