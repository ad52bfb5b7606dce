import type { AppContext } from "../../platform/context";
import type { AuditWho } from "../../platform/audit";
import { todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { hasAnyRole } from "../../platform/policy/actor";
import { PERMISSIONS } from "../../platform/policy/permissions";
import * as cases from "../cases/service";
import * as intake from "../intake/service";
import * as partners from "../partners/service";
import * as meetings from "../meetings/service";

/**
 * What waits for a signed-in person (decision 0059): per role, a COUNT and the link to the list it
 * counts, never a name, a label or a case. Each count comes from the owning module's service with the
 * filter of the page it links to; only the counts the person's roles need are asked, one query each.
 */
export type WaitingKey =
  | "screening_open"
  | "screening_overdue"
  | "regional_open"
  | "invitations"
  | "meetings_ack"
  | "actions_overdue"
  | "reviews_due"
  | "approvals"
  | "reports_drafts"
  | "reports_sent";

export interface WaitingCount {
  key: WaitingKey;
  /** Rows on the linked page; at most LIST_CAP is counted where the service returns rows. */
  count: number;
  /** More than LIST_CAP rows: the page shows "99+". */
  more: boolean;
  href: string;
}

export type WaitingLink = "new_report" | "registry" | "monitoring" | "audit";

export interface Waiting {
  counts: WaitingCount[];
  links: { key: WaitingLink; href: string }[];
}

/** The work list's services return rows, not counts: ask for one more than is shown as a number. */
export const LIST_CAP = 99;

const countOf = (key: WaitingKey, href: string, n: number, capped = false): WaitingCount => ({ key, href, count: capped ? Math.min(n, LIST_CAP) : n, more: capped && n > LIST_CAP });

export async function waitingFor(ctx: AppContext, who: AuditWho & { actor: Actor }, today = todayInBrussels()): Promise<Waiting> {
  const actor = who.actor;
  const can = (p: keyof typeof PERMISSIONS) => PERMISSIONS[p].holds(actor);
  const lead = hasAnyRole(actor, "chair", "coordinator");
  // The work lists' rows as the case list keeps them (decisions 0075, 0078: one token read).
  const reads = can("case.access") ? await cases.listReads(ctx.database) : undefined;
  const [screening, regional, invitations, meetingsAck, overdue, reviews, reports] = await Promise.all([
    can("intake.screen") ? intake.screeningWaiting(ctx, actor, today) : null,
    // The regional queue's open reports, for its contact points (null: not a contact point).
    intake.regionalOpenCount(ctx, actor),
    partners.pendingInvitationCount(ctx, actor.userId),
    can("case.access") ? meetings.meetingsToAcknowledge(ctx, actor) : null,
    can("case.access") ? cases.overdueFor(ctx, who, today, { limit: LIST_CAP + 1, reads }) : null,
    lead ? cases.dueReviewsFor(ctx, who, today, 0, { limit: LIST_CAP + 1, reads }) : null,
    hasAnyRole(actor, "reporter") ? intake.reporterWaiting(ctx, actor) : null,
  ]);
  const counts: WaitingCount[] = [];
  if (screening) counts.push(countOf("screening_open", "/screening", screening.open), countOf("screening_overdue", "/screening", screening.overdue));
  if (regional !== null) counts.push(countOf("regional_open", "/screening/regional", regional));
  // Anyone may be the contact of an invited organisation (partners.respond): shown only to contacts with something to answer.
  if (invitations > 0) counts.push(countOf("invitations", "/invitations", invitations));
  if (meetingsAck !== null) counts.push(countOf("meetings_ack", "/meetings?status=planned", meetingsAck));
  if (overdue) counts.push(countOf("actions_overdue", "/cases/work", new Set([...overdue.asLead, ...overdue.asOwner].map((a) => a.actionId)).size, true));
  if (reviews) counts.push(countOf("reviews_due", "/cases/work", reviews.length, true));
  // Counted already by the auth hooks for the navigation (no further query).
  if (actor.isAdmin) counts.push(countOf("approvals", "/admin/approvals", actor.pendingApprovals ?? 0));
  else if (can("partners.manage")) counts.push(countOf("approvals", "/livc-roles", actor.pendingApprovals ?? 0));
  if (reports) counts.push(countOf("reports_drafts", "/reports", reports.drafts), countOf("reports_sent", "/reports", reports.reports));

  const links: Waiting["links"] = [];
  if (hasAnyRole(actor, "reporter")) links.push({ key: "new_report", href: "/reports/new" });
  if (actor.isRegionalAnalyst && can("registry.read")) links.push({ key: "registry", href: "/registry" });
  if (actor.isRegionalAnalyst && can("monitoring.read")) links.push({ key: "monitoring", href: "/monitoring" });
  if (can("audit.export")) links.push({ key: "audit", href: "/audit" });
  return { counts, links };
}
