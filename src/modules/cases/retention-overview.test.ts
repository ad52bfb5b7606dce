import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, newId, nowIso } from "../../platform/db/values";
import { newReference } from "../intake/reference-number";
import { reportPurgesDue } from "../intake/retention-overview";
import { NOT_TAKEN_UP_STATUSES } from "../intake/store";
import { notTakenUpBefore } from "../intake/retention";
import { retentionOverview } from "./retention-overview";
import { openCaseFromScreening } from "./service";
import { makeActor, makeLivc } from "./testing";

/** A small deterministic generator: the same rows on both dialects. */
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}
const pick = <T,>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

/**
 * The retention overview's counts (decision 0046, 0053) are read per index in two parts each (issue 9).
 * Checked against the rule written plainly, on random cases and reports around both horizons.
 */
describeEachDialect("retention overview counts", (ctx) => {
  const today = "2026-06-15";
  const by30 = addDays(today, 30);
  const by90 = addDays(today, 90);
  const months = 12;
  const dates = [null, "2024-01-01", addDays(today, -1), today, addDays(today, 29), by30, addDays(today, 31), addDays(today, 89), by90, addDays(today, 91), "2030-01-01"];
  const decided = [null, "2024-06-01T10:00:00.000Z", `${notTakenUpBefore(by30, months)}T00:00:00.000Z`, `${addDays(notTakenUpBefore(by30, months), -1)}T23:00:00.000Z`, `${addDays(notTakenUpBefore(by90, months), -1)}T08:00:00.000Z`, `${notTakenUpBefore(by90, months)}T08:00:00.000Z`, "2026-05-01T09:00:00.000Z"];
  let livcs: string[];
  let cases: { id: string; livc_id: string; status: string; retention_until: string | null; legal_hold_at: string | null }[];
  let reports: { livc_id: string | null; status: string; retention_until: string | null; decided_at: string | null; purged_at: string | null; case_id: string | null }[];

  beforeAll(async () => {
    const r = rng(20261129);
    const db = ctx().database.db;
    livcs = [await makeLivc(ctx()), await makeLivc(ctx()), await makeLivc(ctx())];
    cases = [];
    for (let i = 0; i < 36; i++) {
      const livcId = livcs[i % 3];
      const chair = await makeActor(ctx(), [{ livcId, role: "chair" }]);
      const c = await openCaseFromScreening(ctx(), { actor: chair }, { livcId, reportId: null, minor: false, identity: { fullName: `Fictief ${i}`, dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
      const row = { id: c.id, livc_id: livcId, status: pick(r, ["closed", "closed", "closed", "active", "post_closure_review", "purged"]), retention_until: pick(r, dates), legal_hold_at: r() < 0.25 ? nowIso() : null };
      await db.updateTable("case_file").set({ status: row.status as never, retention_until: row.retention_until, legal_hold_at: row.legal_hold_at }).where("id", "=", c.id).execute();
      cases.push(row);
    }
    const reporter = await makeActor(ctx(), [{ livcId: livcs[0], role: "reporter" }]);
    reports = [];
    for (let i = 0; i < 160; i++) {
      const row = {
        livc_id: r() < 0.15 ? null : pick(r, livcs),
        status: pick(r, [...NOT_TAKEN_UP_STATUSES, ...NOT_TAKEN_UP_STATUSES, "draft", "received", "taken_up"]),
        retention_until: pick(r, dates),
        decided_at: pick(r, decided),
        purged_at: r() < 0.1 ? nowIso() : null,
        case_id: r() < 0.1 ? pick(r, cases).id : null,
      };
      const at = nowIso();
      await db.insertInto("report").values({
        id: newId(), reference: newReference(), status: row.status as never, reporter_user_id: reporter.userId, reporter_organisation_id: null, livc_id: row.livc_id, regional_queue: row.livc_id ? null : "VL", municipality_nis: "44021",
        routed_on: "2019-01-01", identity_known: 1, minor: 0, danger_now: 0, notify_status: 0, subject_index: "idx", content_enc: "sealed-document", created_at: at, updated_at: at,
        submitted_at: at, screening_due_on: null, retention_until: row.retention_until, decided_at: row.decided_at, case_id: row.case_id, purged_at: row.purged_at,
      }).execute();
      reports.push(row);
    }
  }, 120_000);

  it("counts each report once, by the earlier of its general term and its decision plus the not-taken-up term, per LIVC and for the regional queue", async () => {
    const due = (x: (typeof reports)[number], by: string) =>
      (x.retention_until !== null && x.retention_until <= by) ||
      ((NOT_TAKEN_UP_STATUSES as readonly string[]).includes(x.status) && x.decided_at !== null && x.decided_at < notTakenUpBefore(by, months));
    const expected = new Map<string | null, { due30: number; due90: number }>();
    for (const x of reports) {
      if (x.purged_at || x.status === "draft" || x.case_id || !due(x, by90)) continue;
      const c = expected.get(x.livc_id) ?? { due30: 0, due90: 0 };
      expected.set(x.livc_id, { due30: c.due30 + (due(x, by30) ? 1 : 0), due90: c.due90 + 1 });
    }
    expect([...expected.values()].reduce((n, c) => n + c.due90, 0)).toBeGreaterThan(10);
    const got = await reportPurgesDue(ctx(), by30, by90, months);
    expect(Object.fromEntries([...got].filter(([, c]) => c.due90 > 0))).toEqual(Object.fromEntries(expected));
  });

  it("counts closed cases by retention end (not those on hold) and cases on hold, per LIVC", async () => {
    const expected = new Map<string, { cases30: number; cases90: number; held: number }>();
    for (const c of cases) {
      const e = expected.get(c.livc_id) ?? { cases30: 0, cases90: 0, held: 0 };
      const open = c.status === "closed" && c.legal_hold_at === null && c.retention_until !== null;
      expected.set(c.livc_id, {
        cases30: e.cases30 + (open && c.retention_until! <= by30 ? 1 : 0),
        cases90: e.cases90 + (open && c.retention_until! <= by90 ? 1 : 0),
        held: e.held + (c.legal_hold_at !== null && c.status !== "purged" ? 1 : 0),
      });
    }
    const overview = await retentionOverview(ctx(), async () => new Map(), today);
    const got = Object.fromEntries(overview.rows.filter((r) => r.livcId).map((r) => [r.livcId, { cases30: r.cases30, cases90: r.cases90, held: r.held }]));
    const want = Object.fromEntries([...expected].filter(([, e]) => e.cases90 + e.held > 0));
    expect(Object.values(want).reduce((n, e) => n + e.cases90 + e.held, 0)).toBeGreaterThan(5);
    expect(got).toEqual(want);
  });
});
