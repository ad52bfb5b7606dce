import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { auditPageQuery } from "./queries";

/**
 * The DPO's audit page reads backwards along the `at` index from the period's end (issue 9, session 10):
 * its cost does not grow with the period or the log. SQLite's plan, from the query the page runs.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await openTestContext("sqlite");
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

const planOf = (q: ReturnType<typeof auditPageQuery>) => {
  const { sql, parameters } = q.compile();
  return (ctx.database.native!.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[]).map((r) => r.detail).join(" | ");
};

it("a page of a period walks the at index in order: no sort of the period's entries, no scan of the log", () => {
  const p = planOf(auditPageQuery(ctx, "2021-01-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z", {}, 3));
  expect(p).toMatch(/SEARCH audit_entry USING (COVERING )?INDEX audit_entry_at \(at>\? AND at<\?\)/);
  expect(p).not.toMatch(/TEMP B-TREE|SCAN audit_entry/);
});

it("narrowed to an action family, it still walks the at index in order", () => {
  const p = planOf(auditPageQuery(ctx, "2021-01-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z", { action: "case." }, 1));
  expect(p).not.toMatch(/TEMP B-TREE|SCAN audit_entry/);
});
