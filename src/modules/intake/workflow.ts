import type { LivcRole } from "../../platform/policy/actor";

/**
 * THE status workflow of a report, as one transition table. The UI (which buttons), the service
 * (which change is allowed) and the tests all read this table; nothing else decides a transition.
 *
 * "roles" are LIVC roles in the report's LIVC; "regional" says whether a regional contact point
 * may take the step on a report in the regional queue (no LIVC there, so no LIVC roles).
 * No transition is ever computed from a score: a person decides and gives a reason.
 */
export const REPORT_STATUSES = ["draft", "received", "in_screening", "taken_up", "referred", "no_action", "passed_to_police", "closed", "withdrawn"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REFERRAL_SERVICES = ["caw", "clb", "ocmw", "youth_work", "mental_health", "family_support", "integration", "justice_house", "other"] as const;
export type ReferralService = (typeof REFERRAL_SERVICES)[number];

interface TransitionSpec {
  from: readonly ReportStatus[];
  to: ReportStatus;
  roles: readonly LivcRole[];
  regional: boolean;
  needsReason: boolean;
  needsService: boolean;
  /** A screening decision (shown in the decision form), as opposed to a workflow step. */
  decision: boolean;
  /** Taken by the report's own reporter (withdraw), never by a screener on their behalf. */
  reporter?: boolean;
}

const SCREENERS = ["coordinator", "information_officer"] as const satisfies readonly LivcRole[];
const OPEN = ["received", "in_screening"] as const satisfies readonly ReportStatus[];

export const TRANSITIONS = {
  start_screening: { from: ["received"], to: "in_screening", roles: SCREENERS, regional: true, needsReason: false, needsService: false, decision: false },
  take_up: { from: OPEN, to: "taken_up", roles: SCREENERS, regional: false, needsReason: true, needsService: false, decision: true },
  // Add the report to an open case of the same person in this LIVC (decision 0062): the reporter reads "taken up".
  // Offered only when the duplicate hint found such a case and the screener may see it (screening.ts joinableCases).
  join_case: { from: OPEN, to: "taken_up", roles: SCREENERS, regional: false, needsReason: true, needsService: false, decision: true },
  refer: { from: OPEN, to: "referred", roles: SCREENERS, regional: true, needsReason: true, needsService: true, decision: true },
  no_action: { from: OPEN, to: "no_action", roles: SCREENERS, regional: true, needsReason: true, needsService: false, decision: true },
  pass_to_police: { from: OPEN, to: "passed_to_police", roles: ["information_officer"], regional: false, needsReason: true, needsService: false, decision: true },
  close: { from: ["taken_up", "referred"], to: "closed", roles: ["chair", "coordinator"], regional: true, needsReason: true, needsService: false, decision: false },
  // Hand an undecided report over to another LIVC (decision 0062): screening starts again there; the
  // reason is a code (handover.ts), never text. Its own route and service, not the decision form.
  hand_over: { from: OPEN, to: "received", roles: SCREENERS, regional: true, needsReason: true, needsService: false, decision: false },
  // The reporter withdraws before screening decides (decision 0048); the reason is a code from a fixed list.
  withdraw: { from: OPEN, to: "withdrawn", roles: [], regional: false, needsReason: true, needsService: false, decision: false, reporter: true },
} as const satisfies Record<string, TransitionSpec>;

export type Transition = keyof typeof TRANSITIONS;
export const TRANSITION_NAMES = Object.keys(TRANSITIONS) as Transition[];
export const DECISIONS = TRANSITION_NAMES.filter((t) => TRANSITIONS[t].decision);

export const isTransition = (v: unknown): v is Transition => typeof v === "string" && v in TRANSITIONS;

/** Who is asking: their roles in the report's LIVC, or a regional contact on a regional report. */
export interface TransitionActor {
  roles: readonly LivcRole[];
  regionalContact: boolean;
  /** The report's own reporter (only reporter steps; their LIVC roles do not count for those). */
  reporter?: boolean;
}

export type TransitionRefusal = "wrong_status" | "not_allowed";

/** null = allowed; otherwise why not. Pure: the table is the only input. */
export function checkTransition(t: Transition, status: ReportStatus, who: TransitionActor): TransitionRefusal | null {
  const spec: TransitionSpec = TRANSITIONS[t];
  const allowed = spec.reporter ? who.reporter === true : who.regionalContact ? spec.regional : spec.roles.some((r) => who.roles.includes(r));
  if (!allowed) return "not_allowed";
  if (!spec.from.includes(status)) return "wrong_status";
  return null;
}

/** The transitions this person may take now, in table order (buttons and decision options). */
export const availableTransitions = (status: ReportStatus, who: TransitionActor): Transition[] =>
  TRANSITION_NAMES.filter((t) => checkTransition(t, status, who) === null);

/**
 * What the reporter sees: only these six words, never case content. "Passed to police" and
 * "no further action" both read "closed" for the reporter: the decision itself is not theirs to see.
 */
export const REPORTER_STATUSES = ["received", "in_screening", "taken_up", "referred", "closed", "withdrawn"] as const;
export type ReporterStatus = (typeof REPORTER_STATUSES)[number];

export function reporterStatusOf(status: ReportStatus): ReporterStatus | null {
  switch (status) {
    case "draft":
      return null;
    case "received":
    case "in_screening":
    case "taken_up":
    case "referred":
    case "closed":
    case "withdrawn":
      return status;
    case "no_action":
    case "passed_to_police":
      return "closed";
  }
}
