import type { LivcRole } from "../../platform/policy/actor";

/**
 * THE status workflow of a case, as one transition table. The UI (which buttons), the API, the
 * service (which change is allowed) and the tests all read this table; nothing else decides a
 * transition. "roles" are LIVC roles in the case's LIVC; "system" marks steps only the retention
 * job takes (nobody can purge by hand, a legal hold stops the job).
 * No transition is ever computed from a score: a person decides and, where asked, gives a reason.
 */
export const CASE_STATUSES = ["active", "in_follow_up", "closed", "post_closure_review", "purged"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Why a case was closed: a fixed list, so closure counts stay anonymous; a note is optional. */
export const CLOSURE_REASONS = ["concern_addressed", "referred_to_regular_care", "moved_away", "no_cooperation_possible", "taken_over_by_justice", "other"] as const;
export type ClosureReason = (typeof CLOSURE_REASONS)[number];

interface TransitionSpec {
  from: readonly CaseStatus[];
  to: CaseStatus;
  roles: readonly LivcRole[];
  system: boolean;
  needsReason: boolean;
}

const LEADS = ["chair", "coordinator"] as const satisfies readonly LivcRole[];

export const CASE_TRANSITIONS = {
  /** A follow-up plan was agreed in a consultation. */
  start_follow_up: { from: ["active"], to: "in_follow_up", roles: LEADS, system: false, needsReason: false },
  /** Back to the table: the plan needs a new consultation. */
  resume: { from: ["in_follow_up"], to: "active", roles: LEADS, system: false, needsReason: false },
  /** The chair closes a case (DOMAIN: the chair closes cases), always with a reason. */
  close: { from: ["active", "in_follow_up"], to: "closed", roles: ["chair"], system: false, needsReason: true },
  /** A post-closure review (after 6 and 12 months by default) is being held. */
  start_review: { from: ["closed"], to: "post_closure_review", roles: LEADS, system: false, needsReason: false },
  /** The review found no renewed concern. */
  finish_review: { from: ["post_closure_review"], to: "closed", roles: LEADS, system: false, needsReason: false },
  /** Renewed concern: the case is active again. */
  reopen: { from: ["closed", "post_closure_review"], to: "active", roles: ["chair"], system: false, needsReason: true },
  /** The retention term has passed: identity and free text are removed. Only the retention job. */
  purge: { from: ["closed"], to: "purged", roles: [], system: true, needsReason: false },
} as const satisfies Record<string, TransitionSpec>;

export type CaseTransition = keyof typeof CASE_TRANSITIONS;
export const CASE_TRANSITION_NAMES = Object.keys(CASE_TRANSITIONS) as CaseTransition[];

export const isCaseTransition = (v: unknown): v is CaseTransition => typeof v === "string" && v in CASE_TRANSITIONS;
export const isCaseStatus = (v: unknown): v is CaseStatus => typeof v === "string" && (CASE_STATUSES as readonly string[]).includes(v);

/** Who is asking: their roles in the case's LIVC, or the retention job. */
export type TransitionActor = { roles: readonly LivcRole[] } | "system";

export type TransitionRefusal = "wrong_status" | "not_allowed";

/** null = allowed; otherwise why not. Pure: the table is the only input. */
export function checkCaseTransition(t: CaseTransition, status: CaseStatus, who: TransitionActor): TransitionRefusal | null {
  const spec: TransitionSpec = CASE_TRANSITIONS[t];
  const allowed = who === "system" ? spec.system : !spec.system && spec.roles.some((r) => who.roles.includes(r));
  if (!allowed) return "not_allowed";
  if (!spec.from.includes(status)) return "wrong_status";
  return null;
}

/** The transitions this person may take now, in table order (the buttons on the case page). */
export const availableCaseTransitions = (status: CaseStatus, who: TransitionActor): CaseTransition[] =>
  CASE_TRANSITION_NAMES.filter((t) => checkCaseTransition(t, status, who) === null);

/** Statuses that still count as an open case (figures, lists of work). */
export const OPEN_STATUSES: readonly CaseStatus[] = ["active", "in_follow_up"];
