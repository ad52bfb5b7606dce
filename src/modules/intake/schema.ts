import { z } from "zod";
import { isIsoDate } from "../../platform/db/values";
import { KNOWS_CODES, PARENT_KNOWS_CODES, SIGNAL_CODES, SINCE_CODES, type SignalCode } from "./signals";
import { isTransition, REFERRAL_SERVICES, type Transition } from "./workflow";

/** Text limits, shown next to each field and enforced here (HTML and JSON alike). */
export const LIMITS = { subject_name: 200, subject_description: 1000, observation: 4000, reporter_organisation: 200, reporter_contact: 200, reason: 2000 } as const;

/** The report form exactly as typed: every value a string, so a form with errors shows it back unchanged. */
export interface ReportForm {
  identity_known: string;
  subject_name: string;
  subject_birth_date: string;
  municipality_nis: string;
  subject_description: string;
  signals: string[];
  observation: string;
  since: string;
  person_knows: string;
  parent_knows: string;
  minor: boolean;
  danger_now: boolean;
  reporter_organisation: string;
  reporter_contact: string;
  notify_status: boolean;
}

export const FORM_FIELDS = [
  "identity_known", "subject_name", "subject_birth_date", "municipality_nis", "subject_description", "signals", "observation",
  "since", "person_knows", "parent_knows", "minor", "danger_now", "reporter_organisation", "reporter_contact", "notify_status",
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export type FormErrorCode = "required" | "too_long" | "invalid" | "future" | "unknown_municipality";
export interface FormError { field: FormField; code: FormErrorCode; limit?: number }

export const emptyForm = (): ReportForm => ({
  identity_known: "", subject_name: "", subject_birth_date: "", municipality_nis: "", subject_description: "", signals: [],
  observation: "", since: "", person_knows: "", parent_knows: "", minor: false, danger_now: false,
  reporter_organisation: "", reporter_contact: "", notify_status: false,
});

// NUL cannot be stored in PostgreSQL text and has no use in a report; line ends are normalised.
const NUL = String.fromCharCode(0);
const withoutNul = (v: string) => v.split(NUL).join("");
const clean = (v: unknown): string => (typeof v === "string" ? withoutNul(v).replace(/\r\n?/g, "\n") : "");
const truthy = (v: unknown) => v === "1" || v === "on" || v === "true" || v === true;

/** Reads a posted body (urlencoded or JSON) into the form shape; never throws. */
export function readForm(body: unknown): ReportForm {
  const b = (typeof body === "object" && body ? body : {}) as Record<string, unknown>;
  const raw = b.signals;
  const signals = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(clean).slice(0, SIGNAL_CODES.length * 2);
  return {
    identity_known: clean(b.identity_known),
    subject_name: clean(b.subject_name).trim(),
    subject_birth_date: clean(b.subject_birth_date).trim(),
    municipality_nis: clean(b.municipality_nis).trim(),
    subject_description: clean(b.subject_description),
    signals: [...new Set(signals)],
    observation: clean(b.observation),
    since: clean(b.since),
    person_knows: clean(b.person_knows),
    parent_knows: clean(b.parent_knows),
    minor: truthy(b.minor),
    danger_now: truthy(b.danger_now),
    reporter_organisation: clean(b.reporter_organisation).trim(),
    reporter_contact: clean(b.reporter_contact).trim(),
    notify_status: truthy(b.notify_status),
  };
}

const oneOf = (list: readonly string[], v: string) => v === "" || list.includes(v);

/**
 * Checks a form. A draft only needs values that can be stored (limits, known codes);
 * a submission needs everything screening relies on. municipalityExists decides the NIS code
 * against the reference data valid today.
 */
export function validateForm(f: ReportForm, mode: "draft" | "submit", municipalityExists: (nis: string) => boolean, today: string): FormError[] {
  const errors: FormError[] = [];
  const add = (field: FormField, code: FormErrorCode, limit?: number) => {
    if (!errors.some((e) => e.field === field)) errors.push({ field, code, limit });
  };
  for (const field of ["subject_name", "subject_description", "observation", "reporter_organisation", "reporter_contact"] as const) {
    if ([...f[field]].length > LIMITS[field]) add(field, "too_long", LIMITS[field]);
  }
  if (!oneOf(["known", "unknown"], f.identity_known)) add("identity_known", "invalid");
  if (f.signals.some((s) => !(SIGNAL_CODES as readonly string[]).includes(s))) add("signals", "invalid");
  if (!oneOf(SINCE_CODES, f.since)) add("since", "invalid");
  if (!oneOf(KNOWS_CODES, f.person_knows)) add("person_knows", "invalid");
  if (!oneOf(PARENT_KNOWS_CODES, f.parent_knows)) add("parent_knows", "invalid");
  if (f.subject_birth_date && !isIsoDate(f.subject_birth_date)) add("subject_birth_date", "invalid");
  else if (f.subject_birth_date && (f.subject_birth_date > today)) add("subject_birth_date", "future");
  else if (f.subject_birth_date && f.subject_birth_date < "1900-01-01") add("subject_birth_date", "invalid");
  if (f.municipality_nis && !municipalityExists(f.municipality_nis)) add("municipality_nis", "unknown_municipality");
  if (mode === "draft") return errors;

  if (!f.identity_known) add("identity_known", "required");
  if (f.identity_known === "known") {
    if (!f.subject_name) add("subject_name", "required");
    if (!f.subject_birth_date) add("subject_birth_date", "required");
  }
  if (f.identity_known === "unknown" && !f.subject_description.trim()) add("subject_description", "required");
  if (!f.municipality_nis) add("municipality_nis", "required");
  if (f.signals.length === 0) add("signals", "required");
  if (!f.observation.trim()) add("observation", "required");
  if (!f.since) add("since", "required");
  if (!f.person_knows) add("person_knows", "required");
  if (f.minor && !f.parent_knows) add("parent_knows", "required");
  if (!f.reporter_contact) add("reporter_contact", "required");
  return errors.sort((a, b) => FORM_FIELDS.indexOf(a.field) - FORM_FIELDS.indexOf(b.field));
}

/** A person under 18 on the given day (birth date known). */
export function isMinorOn(birthDate: string, day: string): boolean {
  if (!isIsoDate(birthDate)) return false;
  const [y, m, d] = birthDate.split("-").map(Number);
  const eighteenth = `${String(y + 18).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  return day < eighteenth;
}

export const asSignals = (codes: string[]): SignalCode[] => codes.filter((c): c is SignalCode => (SIGNAL_CODES as readonly string[]).includes(c));

/** A screening decision as posted. */
export const decisionBody = z.object({
  transition: z.string().refine(isTransition).transform((v) => v as Transition),
  reason: z.string().max(LIMITS.reason * 2).default("").transform((v) => withoutNul(v).trim()),
  referral_service: z.string().default("").refine((v) => v === "" || (REFERRAL_SERVICES as readonly string[]).includes(v)),
  /** The open case to add the report to ("join_case", decision 0062); checked by the service. */
  case_id: z.string().max(40).default(""),
});

export const referenceParam = z.object({ reference: z.string().max(20) });
export const idParam = z.object({ id: z.string().uuid() });

/** The queue's query string: which filter, which page, which LIVC. Anything odd falls back to the default. */
export const queueQuery = z.object({
  status: z.enum(["open", "decided"]).catch("open"),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  livc: z.string().uuid().optional().catch(undefined),
  /** After a handover (decision 0062): the receiving LIVC, for the confirmation notice. */
  passed_to: z.string().uuid().optional().catch(undefined),
});
