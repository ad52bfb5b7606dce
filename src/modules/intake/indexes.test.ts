import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestContext, type TestContext } from "../../../test/support/db";

/** The plans of two reads that grew with the data (issue 9, migrations 2026122130 and 2026122131), on SQLite. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await openTestContext("sqlite");
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

const plan = (text: string, ...args: unknown[]) =>
  (ctx.database.native!.prepare(`explain query plan ${text}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(" | ");

it("a case's reports are found through the partial report_case index, not by reading every report", () => {
  expect(plan("select id from report where case_id = ? and purged_at is null", "c")).toMatch(/USING INDEX report_case \(case_id=\?\)/);
});

it("a person's newest unread alerts walk intake_alert_unread in order, with no sort of all unread alerts", () => {
  const p = plan("select id from intake_alert where user_id = ? and read_at is null order by created_at desc, id desc limit 20", "u");
  expect(p).toMatch(/USING (COVERING )?INDEX intake_alert_unread \(user_id=\? AND read_at=\?\)/);
  expect(p).not.toMatch(/TEMP B-TREE/);
});
