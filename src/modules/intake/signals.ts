/**
 * The checklist of observable signals. Each item is a fact someone saw or heard, never an
 * interpretation, diagnosis or rumour. The list records facts for people to weigh: nothing counts,
 * weighs or ranks the ticks (no score, EU AI Act art. 5(1)(d)). Labels: intake.signal.<code>.
 */
export const SIGNAL_CODES = [
  "supports_violence",
  "threatens_people",
  "glorifies_attacks",
  "dehumanises_groups",
  "shares_extremist_material",
  "extremist_symbols",
  "violent_online_groups",
  "contact_recruiters",
  "recruits_others",
  "travel_conflict_zone",
  "weapons_interest",
  "social_break",
  "stops_activities",
  "other",
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

export const SINCE_CODES = ["days", "weeks", "months", "over_year", "unknown"] as const;
export type SinceCode = (typeof SINCE_CODES)[number];

export const KNOWS_CODES = ["yes", "no", "unknown"] as const;
export const PARENT_KNOWS_CODES = ["yes", "no", "unknown", "not_applicable"] as const;
