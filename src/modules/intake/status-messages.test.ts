import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditOutcome } from "../../platform/audit/chain";
import { LOCALES } from "../../platform/i18n/define";
import { LIVC_ROLES } from "../../platform/policy/actor";
import type { FeedbackView } from "../cases/feedback";
import { ACTION_STATUSES, type CaseEventKind, type FeedbackStatus, type FeedbackVoteValue } from "../cases/migrations";
import { RECTIFY_REASONS } from "../cases/rectify";
import { REVIEW_CHOICES } from "../cases/service";
import { CASE_STATUSES, CASE_TRANSITIONS, CLOSURE_REASONS } from "../cases/workflow";
import type { ApprovalCode } from "../identity/approvals";
import { PLATFORM_ROLES, type UserStatus } from "../identity/migrations";
import type { MembershipState } from "../identity/roles";
import { CANCEL_REASONS } from "../meetings/migrations";
import { allMessages } from "../messages";
import type { PartnerRuleError } from "../partners/errors";
import { CONSULTATION_STATUSES, INVITATION_STATUSES, SEATS } from "../partners/migrations";
import type { ClosingDayError, LegalHolidayKey } from "./closing-days";
import type { IntakeAlertTable } from "./migrations";
import { FORM_FIELDS, type FormErrorCode } from "./schema";
import { KNOWS_CODES, PARENT_KNOWS_CODES, SIGNAL_CODES, SINCE_CODES } from "./signals";
import { WITHDRAW_REASONS } from "./supplement";
import { REFERRAL_SERVICES, REPORT_STATUSES, REPORTER_STATUSES, TRANSITION_NAMES } from "./workflow";

/**
 * Message keys built at run time (`t(k(\`intake.status.${s}\`))`, `\`...\` as MessageKey`) escape the
 * compile-time key check: a missing key shows as the raw key, in every language (gap report s7 item 3).
 * This walks every value of every such family through the nl, fr and en tables.
 */

/**
 * Every member of a string union, checked by the compiler: a missing or a stray member does not compile.
 * So whoever adds a status or kind to one of these unions adds it here too, and the test then wants its label.
 */
const members = <T extends string>(all: Record<T, true>) => Object.keys(all) as T[];

const FAMILIES: Record<string, readonly string[]> = {
  "intake.status": REPORT_STATUSES,
  "intake.transition": TRANSITION_NAMES,
  "intake.service": REFERRAL_SERVICES,
  "intake.signal": SIGNAL_CODES,
  "intake.since": SINCE_CODES,
  "intake.knows": [...KNOWS_CODES, ...PARENT_KNOWS_CODES],
  "intake.form": FORM_FIELDS,
  "intake.error": members<FormErrorCode>({ required: true, too_long: true, invalid: true, future: true, unknown_municipality: true }),
  "intake.queue.alert": members<IntakeAlertTable["kind"]>({
    danger_now: true,
    regional_new: true,
    supplement: true,
    withdrawn: true,
    new_report: true,
    deadline_near: true,
    deadline_passed: true,
  }),
  "sup.withdraw.reason": WITHDRAW_REASONS,
  "cd.holiday": members<LegalHolidayKey>({
    new_year: true,
    easter_monday: true,
    labour_day: true,
    ascension: true,
    whit_monday: true,
    national_day: true,
    assumption: true,
    all_saints: true,
    armistice: true,
    christmas: true,
  }),
  "cd.error": members<Exclude<ClosingDayError["code"], "too_long">>({ required: true, format: true, duplicate: true, installation: true, legal: true, weekend: true }),
  "id.role": [...LIVC_ROLES, ...PLATFORM_ROLES],
  "id.status": members<UserStatus>({ active: true, disabled: true, invited: true }),
  "id.method": ["password", "oidc"],
  // The one call site (identity/livc-roles-routes.tsx) lists approved memberships only, without their
  // approval column: pending, refused and withdrawn cannot reach it (they have no lr.state.* label).
  "lr.state": members<Exclude<MembershipState, "pending" | "refused" | "withdrawn">>({ current: true, ended: true, future: true }),
  "al.outcome": members<AuditOutcome>({ allowed: true, denied: true, success: true, failure: true }),
  "ap.blocked": members<ApprovalCode>({ not_pending: true, own_request: true, own_grant: true, not_overseer: true, reason_required: true, not_requester: true }),
  "case.status": CASE_STATUSES,
  "case.t": Object.keys(CASE_TRANSITIONS),
  "case.reason": CLOSURE_REASONS,
  "case.plan.status": ACTION_STATUSES,
  "case.filter.review": REVIEW_CHOICES,
  "case.ev": members<CaseEventKind>({
    opened: true,
    transition: true,
    scheduled: true,
    minuted: true,
    action_added: true,
    action_updated: true,
    review_date_set: true,
    feedback_drafted: true,
    feedback_voted: true,
    feedback_sent: true,
    legal_hold_set: true,
    legal_hold_lifted: true,
    identity_corrected: true,
    agenda_removed: true,
    consultation_cancelled: true,
    purged: true,
    report_joined: true,
    report_supplemented: true,
  }),
  "case.fb.status": members<FeedbackStatus>({ draft: true, sent: true }),
  "case.fb.vote": members<FeedbackVoteValue>({ approve: true, object: true }),
  "case.fb.blocker": members<FeedbackView["blockers"][number]>({ not_discussed: true, objection: true, missing_approval: true, not_attested: true, no_attendees: true }),
  "rect.reason": RECTIFY_REASONS,
  "rect.kind": ["case", "report"],
  "mtg.status": CONSULTATION_STATUSES,
  "mtg.cancel.reason": CANCEL_REASONS,
  "mtg.inv": INVITATION_STATUSES,
  "pt.seat": SEATS,
  "pt.error": members<PartnerRuleError["code"]>({
    to_before_from: true,
    overlap: true,
    seat_taken: true,
    organisation_required: true,
    unknown_organisation: true,
    unknown_livc: true,
    unknown_seat: true,
    reason_required: true,
    note_required: true,
    note_not_allowed: true,
    not_pending: true,
    expired: true,
    case_ref_required: true,
    already_member: true,
    role_refused: true,
    bad_date: true,
  }),
};

/**
 * Families whose codes are free strings or field names (no union to walk): each call site guards them
 * (a Set of known values, or an error code the same module raises and tests), listed so that the scan
 * below still fails on a NEW unlisted family.
 */
const NOT_ENUMERABLE = new Set(["ret.kind", "ret.cause", "aw.error", "mtg.error", "rect.error", "sup.error"]);

const tables = Object.fromEntries(
  LOCALES.map((locale) => {
    const table: Record<string, string> = {};
    for (const set of allMessages) Object.assign(table, set[locale]);
    return [locale, table];
  }),
) as Record<(typeof LOCALES)[number], Record<string, string>>;

describe("message families built at run time", () => {
  it("every report status, including the screener-only ones, has a label in nl, fr and en", () => {
    for (const locale of LOCALES) {
      for (const s of REPORT_STATUSES) expect(tables[locale][`intake.status.${s}`], `${locale} intake.status.${s}`).toBeTruthy();
    }
    // The three that showed as raw keys on /screening.
    expect(tables.nl["intake.status.no_action"]).toBe("Geen verdere actie");
    expect(tables.fr["intake.status.passed_to_police"]).toBe("Transmis à la police");
    expect(tables.en["intake.status.draft"]).toBe("Draft");
    expect(REPORTER_STATUSES.every((s) => (REPORT_STATUSES as readonly string[]).includes(s))).toBe(true);
  });

  for (const [prefix, values] of Object.entries(FAMILIES)) {
    it(`${prefix}.* is complete in nl, fr and en (${values.length} values)`, () => {
      expect(values.length).toBeGreaterThan(0);
      const missing = LOCALES.flatMap((locale) => values.filter((v) => !tables[locale][`${prefix}.${v}`]?.trim()).map((v) => `${locale}:${prefix}.${v}`));
      expect(missing).toEqual([]);
    });
  }

  it("every family built with k() or an as-MessageKey cast over a template in src/ is walked above (or listed as not enumerable)", () => {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && !name.includes(".test.")) {
          const text = readFileSync(path, "utf8");
          for (const m of text.matchAll(/k\(`([a-z_.]+)\.\$\{[^`]*`\)|`([a-z_.]+)\.\$\{[^`]*`\s+as MessageKey/g)) found.add(m[1] ?? m[2]);
        }
      }
    };
    walk(join(__dirname, "..", ".."));
    expect(found.size).toBeGreaterThan(20);
    const unwalked = [...found].filter((p) => !(p in FAMILIES) && !NOT_ENUMERABLE.has(p));
    expect(unwalked).toEqual([]);
  });
});
