import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { precompiled } from "../../platform/db/precompiled";
import type { DB } from "../../platform/db/schema";
import { isIsoDate, newId, nowIso, shortId, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { livcIdsWhere } from "../../platform/policy/grants";
import { activeHoldersOf } from "../identity/service";
import { organisationNames } from "../partners/service";
import type { ActionStatus } from "./migrations";
import * as pd from "./personal";
import { CORE_ROLES, caseGrants, casePolicy, visibleCases } from "./policy";
import { CaseError, keptRead, visibleCase } from "./access";
import { FRESH, keptQuery, type ListReads } from "./list-memo";
import * as store from "./store";

/**
 * The follow-up plan: actions with an owning organisation, a due date and a status, and the
 * next review date. The coordinator sees overdue actions of the LIVC; a partner member sees the
 * overdue actions their organisation owns (on cases they may see).
 */
export interface NewAction {
  description: string | null;
  ownerOrganisationId: string;
  dueOn: string;
  consultationId?: string | null;
}

export interface ActionView {
  id: string;
  description: string | null;
  ownerOrganisationId: string;
  dueOn: string;
  status: ActionStatus;
  consultationId: string | null;
  overdue: boolean;
  /** May mark it done: a lead, or a member of the owning organisation. */
  mayUpdate: boolean;
  /** May change its text, owner and due date: a lead, while the action is open and the case not closed. */
  mayEdit: boolean;
}

/**
 * WHO MAY OWN AN ACTION (decision 0061): an organisation whose members can see the case, so that they
 * can read it, mark it done and find it in their work list:
 *  - the LIVC's core services: the organisations of today's chair, coordinators and information
 *    officers of the case's LIVC (active accounts), who see every case of the LIVC (decision 0015);
 *  - the services whose invitation for THIS case (on any consultation's agenda) is accepted: their
 *    members who acknowledged confidentiality hold a grant for the case. The meetings module, which
 *    keeps the agenda and its invitations, registers that source (registerAcceptedServices).
 * A partner merely seated in the LIVC, not invited for the case, is not offered: its members get 404
 * on the case. The case page, the action edit page and the minutes offer only these organisations,
 * and their saves refuse any other owner (a field error, the input kept); addActions and updateAction
 * refuse it too (CaseError("invalid", "owner")), whoever calls them.
 */
type AcceptedServices = (ctx: AppContext, caseId: string) => Promise<string[]>;
let acceptedServices: AcceptedServices = async () => [];

export function registerAcceptedServices(source: AcceptedServices) {
  acceptedServices = source;
}

export async function actionOwnerChoices(ctx: AppContext, c: { id: string; livc_id: string }, who?: AuditWho): Promise<Set<string>> {
  // The narrow query (no names, no sort; issue 9: on every case page view): active core role holders today.
  // A case page's read scope keeps both per list token (decision 0087; today's date is part of the key); without
  // one (no `who`, or not a scope) keptRead reads fresh.
  const scope = who ?? {};
  const [members, accepted] = await Promise.all([
    keptRead(scope, "coreHolders", (_db, livcId: string, date: string) => activeHoldersOf(ctx, livcId, CORE_ROLES, date), ctx.database.db, c.livc_id, todayInBrussels()),
    keptRead(scope, "acceptedServices", (_db, caseId: string) => acceptedServices(ctx, caseId), ctx.database.db, c.id),
  ]);
  const core = members.flatMap((m) => (m.organisation_id ? [m.organisation_id] : []));
  return new Set([...core, ...accepted]);
}

/** The same choices with their names, sorted by name (the minutes' and the case page's select). */
export async function actionOwnerOptions(ctx: AppContext, c: { id: string; livc_id: string }): Promise<{ id: string; name: string }[]> {
  const names = await organisationNames(ctx, await actionOwnerChoices(ctx, c));
  return [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, "nl"));
}

/** Adds actions to a case's plan (used by the case page and by the minutes of a consultation). */
export async function addActions(ctx: AppContext, who: AuditWho, caseId: string, actions: NewAction[], opts: { db?: Kysely<DB> } = {}): Promise<string[]> {
  const c = await visibleCase(ctx, who, caseId);
  if (!casePolicy.can(who.actor ?? null, "manage_plan", c)) throw new CaseError("not_allowed");
  if (c.status === "purged" || c.status === "closed") throw new CaseError("wrong_status");
  for (const a of actions) {
    if (!isIsoDate(a.dueOn)) throw new CaseError("invalid", "due_on");
    if (!a.ownerOrganisationId) throw new CaseError("invalid", "owner");
  }
  // Decision 0061 in the service too (defence in depth): the pages check first for a field error;
  // inside the minutes' transaction ctx is already bound to it (inTransaction), so this reads there.
  const owners = await actionOwnerChoices(ctx, c);
  if (actions.some((a) => !owners.has(a.ownerOrganisationId))) throw new CaseError("invalid", "owner");
  await pd.ready(ctx);
  const run = async (db: Kysely<DB>) => {
    const ids: string[] = [];
    for (const a of actions) {
      const id = newId();
      const at = nowIso();
      await store.insertAction(db, {
        id,
        case_id: c.id,
        livc_id: c.livc_id,
        consultation_id: a.consultationId ?? null,
        description_enc: await pd.seal(ctx, who, { table: "case_action", column: "description_enc", rowId: id, livcId: c.livc_id }, a.description?.trim() || null, { db }),
        owner_organisation_id: a.ownerOrganisationId,
        due_on: a.dueOn,
        status: "open",
        created_at: at,
        created_by: who.actor?.userId ?? null,
        updated_at: at,
        revision: 1,
        owner_mailed_at: null,
        reminded_at: null,
      });
      await store.insertEvent(db, { case_id: c.id, actor_id: who.actor?.userId ?? null, kind: "action_added", from_status: null, to_status: null, reason: a.dueOn, consultation_id: a.consultationId ?? null, note_enc: null });
      ids.push(id);
    }
    await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.plan.add_actions", "success", { db });
    return ids;
  };
  if (opts.db?.isTransaction) return run(opts.db);
  return ctx.database.db.transaction().execute(run);
}

export async function actionsOfCase(ctx: AppContext, who: AuditWho, caseId: string, today = todayInBrussels()): Promise<ActionView[]> {
  const c = await visibleCase(ctx, who, caseId);
  const rows = await keptRead(who, "actionsOf", store.actionsOf, ctx.database.db, c.id);
  const text = await pd.reveal(
    ctx,
    who,
    { type: "case", id: c.id, livcId: c.livc_id },
    "case.plan.read",
    true,
    Object.fromEntries(rows.map((r) => [r.id, { place: { table: "case_action", column: "description_enc", rowId: r.id }, value: r.description_enc }])),
  );
  const lead = casePolicy.can(who.actor ?? null, "manage_plan", c);
  return rows.map((r) => ({
    id: r.id,
    description: text[r.id],
    ownerOrganisationId: r.owner_organisation_id,
    dueOn: r.due_on,
    status: r.status,
    consultationId: r.consultation_id,
    overdue: r.status === "open" && r.due_on < today,
    mayUpdate: lead || ownsAction(who.actor ?? null, c.livc_id, r.owner_organisation_id),
    mayEdit: lead && r.status === "open" && c.status !== "closed" && c.status !== "purged",
  }));
}

/** A member of the owning organisation in that LIVC. */
const ownsAction = (actor: Actor | null, livcId: string, organisationId: string) =>
  Boolean(actor?.memberships.some((m) => m.livcId === livcId && m.organisationId === organisationId));

/** The plan's owner (a member of the owning organisation) or a lead may mark an action done. */
export async function setActionStatus(ctx: AppContext, who: AuditWho, actionId: string, status: ActionStatus): Promise<string> {
  const a = await store.actionById(ctx.database.db, actionId);
  if (!a) throw new CaseError("not_found");
  const c = await visibleCase(ctx, who, a.case_id);
  const actor = who.actor ?? null;
  if (!casePolicy.can(actor, "manage_plan", c) && !ownsAction(actor, c.livc_id, a.owner_organisation_id)) throw new CaseError("not_allowed");
  await ctx.database.db.transaction().execute(async (trx) => {
    await store.setActionStatus(trx, a.id, status);
    await store.insertEvent(trx, { case_id: c.id, actor_id: actor?.userId ?? null, kind: "action_updated", from_status: null, to_status: null, reason: status, consultation_id: null, note_enc: null });
    await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.plan.action_status", "success", { db: trx });
  });
  return c.id;
}

/** An open action as its edit form shows it: only a lead of the plan (chair, coordinator) may change it. */
export interface ActionEdit {
  id: string;
  caseId: string;
  caseLabel: string;
  livcId: string;
  description: string;
  ownerOrganisationId: string;
  dueOn: string;
  status: ActionStatus;
  /** The revision the form is loaded with (decision 0061): a save names it. */
  revision: number;
}

async function leadAction(ctx: AppContext, who: AuditWho, actionId: string) {
  const a = await store.actionById(ctx.database.db, actionId);
  if (!a) throw new CaseError("not_found");
  const c = await visibleCase(ctx, who, a.case_id);
  if (!casePolicy.can(who.actor ?? null, "manage_plan", c)) throw new CaseError("not_allowed");
  return { a, c };
}

async function editableAction(ctx: AppContext, who: AuditWho, actionId: string) {
  const { a, c } = await leadAction(ctx, who, actionId);
  // A closed case's plan is a record; a done or cancelled action is reopened first (its status form).
  if (c.status === "purged" || c.status === "closed" || a.status !== "open") throw new CaseError("wrong_status");
  return { a, c };
}

async function toEdit(ctx: AppContext, who: AuditWho, a: store.ActionRow, c: store.CaseRow): Promise<ActionEdit> {
  const text = await pd.reveal(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.plan.read", true, {
    [a.id]: { place: { table: "case_action", column: "description_enc", rowId: a.id }, value: a.description_enc },
  });
  return { id: a.id, caseId: c.id, caseLabel: c.label ?? shortId(c.id), livcId: c.livc_id, description: text[a.id] ?? "", ownerOrganisationId: a.owner_organisation_id, dueOn: a.due_on, status: a.status, revision: a.revision };
}

export async function actionForEdit(ctx: AppContext, who: AuditWho, actionId: string): Promise<ActionEdit> {
  const { a, c } = await editableAction(ctx, who, actionId);
  return toEdit(ctx, who, a, c);
}

/** The action as it is saved now, whatever its status: what a refused (conflicting) edit shows for comparison. */
export async function actionAsSaved(ctx: AppContext, who: AuditWho, actionId: string): Promise<ActionEdit> {
  const { a, c } = await leadAction(ctx, who, actionId);
  return toEdit(ctx, who, a, c);
}

/**
 * A lead changes an open action: its text, its owner (one of actionOwnerChoices, else
 * CaseError("invalid", "owner")) and its due date (a plan is replanned, not only ticked off). The change, a
 * timeline event (no content: "edited") and the audit entry commit together. The save names the
 * revision the form was loaded with; when the action changed meanwhile (an edit, or a partner
 * marking it done) nothing is written and CaseError("conflict") says so (decision 0061).
 */
export async function updateAction(
  ctx: AppContext,
  who: AuditWho,
  actionId: string,
  change: { description: string | null; ownerOrganisationId: string; dueOn: string; revision: number },
): Promise<string> {
  const { a, c } = await editableAction(ctx, who, actionId).catch((e) => {
    // Done or cancelled since the form was loaded: the same answer as a changed revision.
    throw e instanceof CaseError && e.code === "wrong_status" ? new CaseError("conflict") : e;
  });
  if (!isIsoDate(change.dueOn)) throw new CaseError("invalid", "due_on");
  if (!change.ownerOrganisationId) throw new CaseError("invalid", "owner");
  // Also when the owner is unchanged: a legacy owner without access to the case is not saved again (0061).
  if (!(await actionOwnerChoices(ctx, c)).has(change.ownerOrganisationId)) throw new CaseError("invalid", "owner");
  await pd.ready(ctx);
  await ctx.database.db.transaction().execute(async (trx) => {
    const description_enc = await pd.seal(ctx, who, { table: "case_action", column: "description_enc", rowId: a.id, livcId: c.livc_id }, change.description?.trim() || null, { db: trx });
    const marks = { ownerChanged: change.ownerOrganisationId !== a.owner_organisation_id, dueChanged: change.dueOn !== a.due_on };
    // Compare-and-set inside the transaction: the row must still be open and at the loaded revision.
    if (!(await store.updateAction(trx, a.id, change.revision, { description_enc, owner_organisation_id: change.ownerOrganisationId, due_on: change.dueOn }, marks))) throw new CaseError("conflict");
    await store.insertEvent(trx, { case_id: c.id, actor_id: who.actor?.userId ?? null, kind: "action_updated", from_status: null, to_status: null, reason: "edited", consultation_id: null, note_enc: null });
    await pd.record(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "case.plan.action_edit", "success", { db: trx });
  });
  return c.id;
}

export async function setNextReview(ctx: AppContext, who: AuditWho, caseId: string, date: string | null, opts: { db?: Kysely<DB>; consultationId?: string | null } = {}): Promise<void> {
  const c = await visibleCase(ctx, who, caseId);
  if (!casePolicy.can(who.actor ?? null, "manage_plan", c)) throw new CaseError("not_allowed");
  if (date !== null && !isIsoDate(date)) throw new CaseError("invalid", "next_review_on");
  const db = opts.db ?? ctx.database.db;
  await store.updateCase(db, c.id, { next_review_on: date });
  await store.insertEvent(db, { case_id: c.id, actor_id: who.actor?.userId ?? null, kind: "review_date_set", from_status: null, to_status: null, reason: date, consultation_id: opts.consultationId ?? null, note_enc: null });
}

// Compiled once per shape (platform/db/precompiled.ts; issue 9: on every case list): the grants are bound
// values and the condition is the policy's own (visibleCases).
const overdueQuery = precompiled(
  (db, livcIds: readonly string[], caseIds: readonly string[], today: string, owners: readonly string[] | null, cells: readonly string[] | null, limit: number | null) =>
    store.overdueActionsQuery(db, {
      visible: visibleCases({ userId: null, livcIds: [...livcIds], caseIds: [...caseIds] }),
      today,
      ownerOrganisationIds: owners ?? undefined,
      livcIds: cells ?? undefined,
      limit: limit ?? undefined,
    }),
);

export interface OverdueItem { actionId: string; caseId: string; label: string; ownerOrganisationId: string; dueOn: string }

/**
 * Overdue actions: for a coordinator (or chair) every overdue action of their LIVCs; for anyone else
 * the overdue actions their own organisations own, on cases they may see.
 */
export async function overdueFor(ctx: AppContext, who: AuditWho, today = todayInBrussels(), opts: { limit?: number; reads?: ListReads } = {}): Promise<{ asLead: OverdueItem[]; asOwner: OverdueItem[] }> {
  const actor = who.actor ?? null;
  const g = await caseGrants(ctx.database.db, actor);
  const leadLivcs = livcIdsWhere(actor, ["chair", "coordinator"]);
  const limit = opts.limit ?? null;
  const reads = opts.reads ?? FRESH;
  const db = ctx.database.db;
  const asLead = leadLivcs.length ? await keptQuery(reads, "overdue", overdueQuery, db, leadLivcs, [], today, null, leadLivcs, limit) : [];
  const orgs = [...new Set((actor?.memberships ?? []).map((m) => m.organisationId).filter((o): o is string => Boolean(o)))];
  const asOwner = orgs.length ? await keptQuery(reads, "overdue", overdueQuery, db, g.livcIds, g.caseIds, today, orgs, null, limit) : [];
  const map = (r: (typeof asLead)[number]): OverdueItem => ({ actionId: r.id, caseId: r.case_id, label: r.label ?? shortId(r.case_id), ownerOrganisationId: r.owner_organisation_id, dueOn: r.due_on });
  return { asLead: asLead.map(map), asOwner: asOwner.map(map) };
}

const openQuery = precompiled((db, livcIds: readonly string[], caseIds: readonly string[], owners: readonly string[], limit: number | null) =>
  store.openActionsQuery(db, { visible: visibleCases({ userId: null, livcIds: [...livcIds], caseIds: [...caseIds] }), ownerOrganisationIds: owners, limit: limit ?? undefined }),
);

export interface OpenActionItem extends OverdueItem { overdue: boolean }

/**
 * The open actions of the actor's own organisations (decision 0061), overdue or not, soonest due
 * first: on the cases the actor may see (the same grants and filter as every case list), and only
 * where the actor is a member of the owning organisation in the case's LIVC (as for marking done).
 */
export async function openActionsFor(ctx: AppContext, who: AuditWho, today = todayInBrussels(), opts: { limit?: number; reads?: ListReads } = {}): Promise<OpenActionItem[]> {
  const actor = who.actor ?? null;
  const orgs = [...new Set((actor?.memberships ?? []).map((m) => m.organisationId).filter((o): o is string => Boolean(o)))];
  if (orgs.length === 0) return [];
  const g = await caseGrants(ctx.database.db, actor);
  if (g.livcIds.length === 0 && g.caseIds.length === 0) return [];
  const rows = await keptQuery(opts.reads ?? FRESH, "open", openQuery, ctx.database.db, g.livcIds, g.caseIds, orgs, null);
  const mine = rows.filter((r) => ownsAction(actor, r.livc_id, r.owner_organisation_id));
  return mine.slice(0, opts.limit ?? mine.length).map((r) => ({ actionId: r.id, caseId: r.case_id, label: r.label ?? shortId(r.case_id), ownerOrganisationId: r.owner_organisation_id, dueOn: r.due_on, overdue: r.due_on < today }));
}

/** Post-closure reviews due (or due within `aheadDays`) in the LIVCs the actor coordinates or chairs. */
export async function dueReviewsFor(ctx: AppContext, who: AuditWho, today = todayInBrussels(), aheadDays = 30, opts: { limit?: number; reads?: ListReads } = {}) {
  const livcIds = livcIdsWhere(who.actor ?? null, ["chair", "coordinator"]);
  const until = new Date(`${today}T00:00:00Z`);
  until.setUTCDate(until.getUTCDate() + aheadDays);
  const rows = await keptQuery(opts.reads ?? FRESH, "reviews", store.dueReviews, ctx.database.db, { livcIds, until: until.toISOString().slice(0, 10), limit: opts.limit });
  return rows.map((r) => ({ reviewId: r.id, caseId: r.case_id, label: r.label ?? shortId(r.case_id), months: r.months, dueOn: r.due_on, status: r.status, due: r.due_on <= today }));
}

export const reviewsOfCase = async (ctx: AppContext, who: AuditWho, caseId: string) => {
  const c = await visibleCase(ctx, who, caseId);
  return store.reviewsOf(ctx.database.db, c.id);
};
