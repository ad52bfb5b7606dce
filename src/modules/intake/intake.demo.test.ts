import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { seedDemo } from "../../platform/demo";

describeEachDialect("intake: demo data", (ctx) => {
  it("seeds fictional reports in every state, including the regional queue", async () => {
    await seedDemo(ctx());
    const rows = await ctx().database.db.selectFrom("report").select(["status", "livc_id", "regional_queue", "case_id", "minor", "danger_now"]).execute();
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["received", "in_screening", "taken_up", "referred", "no_action"]));
    expect(rows.some((r) => r.livc_id === null && r.regional_queue)).toBe(true);
    expect(rows.some((r) => r.case_id)).toBe(true);
    expect(rows.some((r) => r.minor === 1)).toBe(true);
  }, 120_000);
});
