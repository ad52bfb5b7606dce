import { describe, expect, it } from "vitest";
import type { LivcRole } from "../../platform/policy/actor";
import { LIVC_ROLES } from "../../platform/policy/actor";
import { availableCaseTransitions, CASE_STATUSES, CASE_TRANSITION_NAMES, type CaseStatus, type CaseTransition, checkCaseTransition } from "./workflow";

/**
 * The expected workflow, written out by hand: a change to the transition table must be made here
 * too, on purpose. Every (transition, status, role) combination not listed must be refused.
 */
const EXPECTED: { t: CaseTransition; from: CaseStatus[]; to: CaseStatus; roles: LivcRole[] | "system" }[] = [
  { t: "start_follow_up", from: ["active"], to: "in_follow_up", roles: ["chair", "coordinator"] },
  { t: "resume", from: ["in_follow_up"], to: "active", roles: ["chair", "coordinator"] },
  { t: "close", from: ["active", "in_follow_up"], to: "closed", roles: ["chair"] },
  { t: "start_review", from: ["closed"], to: "post_closure_review", roles: ["chair", "coordinator"] },
  { t: "finish_review", from: ["post_closure_review"], to: "closed", roles: ["chair", "coordinator"] },
  { t: "reopen", from: ["closed", "post_closure_review"], to: "active", roles: ["chair"] },
  { t: "purge", from: ["closed"], to: "purged", roles: "system" },
];

describe("case transition table", () => {
  it("lists exactly the expected transitions", () => {
    expect([...CASE_TRANSITION_NAMES].sort()).toEqual(EXPECTED.map((e) => e.t).sort());
  });

  for (const e of EXPECTED) {
    for (const status of CASE_STATUSES) {
      for (const role of LIVC_ROLES) {
        const allowed = e.roles !== "system" && e.roles.includes(role) && e.from.includes(status);
        it(`${e.t} from ${status} by ${role}: ${allowed ? "allowed" : "refused"}`, () => {
          const r = checkCaseTransition(e.t, status, { roles: [role] });
          expect(r).toBe(allowed ? null : e.roles !== "system" && e.roles.includes(role) ? "wrong_status" : "not_allowed");
        });
      }
      const bySystem = e.roles === "system" && e.from.includes(status);
      it(`${e.t} from ${status} by the retention job: ${bySystem ? "allowed" : "refused"}`, () => {
        expect(checkCaseTransition(e.t, status, "system") === null).toBe(bySystem);
      });
    }
  }

  it("nobody can purge by hand, whatever their roles", () => {
    expect(checkCaseTransition("purge", "closed", { roles: [...LIVC_ROLES] })).toBe("not_allowed");
  });

  it("a purged case is final: no transition leaves it", () => {
    expect(availableCaseTransitions("purged", { roles: [...LIVC_ROLES] })).toEqual([]);
    expect(availableCaseTransitions("purged", "system")).toEqual([]);
  });

  it("partner members and reporters never change a case's status", () => {
    for (const s of CASE_STATUSES) expect(availableCaseTransitions(s, { roles: ["partner_member", "reporter"] })).toEqual([]);
  });
});
