/**
 * The objection taxonomy: why a sector hesitates to join an LIVC. Extend by adding a key here and
 * its label and talking point in messages.ts (nl, fr, en); the compiler then asks for both.
 * Keys are stored in awareness_option.objection.
 */
export const OBJECTIONS = [
  "professional_secrecy",
  "trust_in_police",
  "unclear_role",
  "workload_capacity",
  "legal_uncertainty",
  "no_local_cases",
  "other",
] as const;

export type Objection = (typeof OBJECTIONS)[number];

export const isObjection = (v: unknown): v is Objection => typeof v === "string" && (OBJECTIONS as readonly string[]).includes(v);

/** Message keys of an objection's label and of the talking point that answers it. */
export const objectionLabelKey = (o: Objection) => `aw.objection.${o}` as const;
export const talkingPointKey = (o: Objection) => `aw.talking.${o}` as const;

/** Small counts (1 to 4) of organisations are shown as "<5" to analysts and in reports. */
export const SMALL_COUNT_LIMIT = 5;
export type Shown = { value: number; suppressed: boolean };
export const suppress = (n: number): Shown => ({ value: n, suppressed: n > 0 && n < SMALL_COUNT_LIMIT });
export const shownText = (s: Shown, num: (n: number) => string = String): string => (s.suppressed ? "<5" : num(s.value));
