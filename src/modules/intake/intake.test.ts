import { describe, expect, it } from "vitest";
import type { LivcRole } from "../../platform/policy/actor";
import { newReference, REFERENCE_PATTERN } from "./reference-number";
import { emptyForm, isMinorOn, readForm, validateForm } from "./schema";
import { addWorkingDays, workingDaysBetween } from "./working-days";
import { availableTransitions, checkTransition, REPORT_STATUSES, type ReportStatus, reporterStatusOf, type Transition, TRANSITION_NAMES } from "./workflow";

// Pure parts: the transition table, working days, validation, reference numbers.

describe("the transition table", () => {
  const as = (...roles: LivcRole[]) => ({ roles, regionalContact: false });
  const regional = { roles: [], regionalContact: true };
  // Written out by hand from the issue, so a change to the table has to change this list too.
  const expected: [Transition, ReportStatus, ReturnType<typeof as> | typeof regional, "ok" | "not_allowed" | "wrong_status"][] = [
    ["start_screening", "received", as("coordinator"), "ok"],
    ["start_screening", "received", as("information_officer"), "ok"],
    ["start_screening", "received", as("chair"), "not_allowed"],
    ["start_screening", "in_screening", as("coordinator"), "wrong_status"],
    ["take_up", "received", as("coordinator"), "ok"],
    ["take_up", "in_screening", as("information_officer"), "ok"],
    ["take_up", "in_screening", as("partner_member"), "not_allowed"],
    ["take_up", "in_screening", as("reporter"), "not_allowed"],
    ["take_up", "in_screening", regional, "not_allowed"],
    ["take_up", "referred", as("coordinator"), "wrong_status"],
    ["refer", "in_screening", as("coordinator"), "ok"],
    ["refer", "in_screening", regional, "ok"],
    ["no_action", "received", as("information_officer"), "ok"],
    ["no_action", "taken_up", as("coordinator"), "wrong_status"],
    ["pass_to_police", "in_screening", as("information_officer"), "ok"],
    ["pass_to_police", "in_screening", as("coordinator"), "not_allowed"],
    ["pass_to_police", "in_screening", regional, "not_allowed"],
    ["close", "taken_up", as("chair"), "ok"],
    ["close", "referred", as("coordinator"), "ok"],
    ["close", "in_screening", as("coordinator"), "wrong_status"],
    ["close", "taken_up", as("information_officer"), "not_allowed"],
    ["take_up", "draft", as("coordinator"), "wrong_status"],
  ];
  it.each(expected)("%s from %s for %o: %s", (t, status, who, outcome) => {
    expect(checkTransition(t, status, who) ?? "ok").toBe(outcome);
  });

  it("offers no step at all from a final status, and nothing to a reporter or partner member", () => {
    for (const s of ["no_action", "passed_to_police", "closed"] as const) {
      expect(availableTransitions(s, as("coordinator", "information_officer", "chair"))).toEqual([]);
    }
    for (const s of REPORT_STATUSES) expect(availableTransitions(s, as("reporter", "partner_member"))).toEqual([]);
    expect(TRANSITION_NAMES).toContain("pass_to_police");
  });

  it("shows the reporter only the six words; police and no-action both read closed; withdrawn is the reporter's own step", () => {
    expect(reporterStatusOf("draft")).toBeNull();
    expect(reporterStatusOf("passed_to_police")).toBe("closed");
    expect(reporterStatusOf("no_action")).toBe("closed");
    expect(new Set(REPORT_STATUSES.map(reporterStatusOf).filter(Boolean))).toEqual(new Set(["received", "in_screening", "taken_up", "referred", "closed", "withdrawn"]));
    // Withdrawing is the report's own reporter's step (decision 0048), before a decision, never a screener's.
    expect(checkTransition("withdraw", "received", { roles: [], regionalContact: false, reporter: true })).toBeNull();
    expect(checkTransition("withdraw", "in_screening", { roles: [], regionalContact: false, reporter: true })).toBeNull();
    expect(checkTransition("withdraw", "referred", { roles: [], regionalContact: false, reporter: true })).toBe("wrong_status");
    expect(checkTransition("withdraw", "received", { roles: ["coordinator", "information_officer", "chair"], regionalContact: false })).toBe("not_allowed");
    expect(checkTransition("withdraw", "received", { roles: [], regionalContact: true })).toBe("not_allowed");
    expect(checkTransition("take_up", "received", { roles: [], regionalContact: false, reporter: true })).toBe("not_allowed");
  });
});

describe("working days", () => {
  it("skips weekends for the deadline and the age", () => {
    expect(addWorkingDays("2026-11-27", 1, [])).toBe("2026-11-30"); // Friday + 1 = Monday
    expect(addWorkingDays("2026-11-23", 10, [])).toBe("2026-12-07");
    expect(workingDaysBetween("2026-11-27", "2026-11-30", [])).toBe(1);
    expect(workingDaysBetween("2026-11-30", "2026-11-30", [])).toBe(0);
    expect(workingDaysBetween("2026-11-23", "2026-12-07", [])).toBe(10);
  });
});

describe("the report form", () => {
  const exists = (nis: string) => nis === "44021";
  const full = () => ({
    ...emptyForm(),
    identity_known: "known",
    subject_name: "Jan Peeters",
    subject_birth_date: "2001-02-03",
    municipality_nis: "44021",
    signals: ["supports_violence"],
    observation: "Said on 3 May in class that the attack was deserved.",
    since: "weeks",
    person_knows: "no",
    reporter_contact: "09 123 45 67",
  });

  it("accepts a complete report and a nearly empty draft", () => {
    expect(validateForm(full(), "submit", exists, "2026-11-29")).toEqual([]);
    expect(validateForm({ ...emptyForm(), observation: "half" }, "draft", exists, "2026-11-29")).toEqual([]);
  });

  it("names each missing or bad field, in form order, with limits", () => {
    const errors = validateForm({ ...emptyForm(), identity_known: "unknown", observation: "x".repeat(4001), subject_birth_date: "2030-01-01", municipality_nis: "99999" }, "submit", exists, "2026-11-29");
    expect(errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      "subject_birth_date:future",
      "municipality_nis:unknown_municipality",
      "subject_description:required",
      "signals:required",
      "observation:too_long",
      "since:required",
      "person_knows:required",
      "reporter_contact:required",
    ]);
    expect(errors.find((e) => e.field === "observation")?.limit).toBe(4000);
  });

  it("refuses codes that are not on the lists, even in a draft", () => {
    const errors = validateForm({ ...emptyForm(), signals: ["risk_score_9"], since: "'; drop table report; --" }, "draft", exists, "2026-11-29");
    expect(errors.map((e) => e.field)).toEqual(["signals", "since"]);
  });

  it("reads repeated checkboxes and strips NUL characters", () => {
    const f = readForm({ signals: ["supports_violence", "threatens_people", "supports_violence"], subject_name: "A\u0000B", minor: "1" });
    expect(f.signals).toEqual(["supports_violence", "threatens_people"]);
    expect(f.subject_name).toBe("AB");
    expect(f.minor).toBe(true);
  });

  it("derives a minor from the birth date on the day", () => {
    expect(isMinorOn("2008-11-30", "2026-11-29")).toBe(true);
    expect(isMinorOn("2008-11-29", "2026-11-29")).toBe(false);
  });
});

describe("reference numbers", () => {
  it("are random, well-formed and never repeat in a large sample", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const r = newReference();
      expect(r).toMatch(REFERENCE_PATTERN);
      seen.add(r);
    }
    expect(seen.size).toBe(5000);
  });
});
