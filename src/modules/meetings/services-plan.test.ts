import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestContext, queriesOf, type TestContext } from "../../../test/support/db";
import * as store from "./store";

/**
 * A case's services are read through its agenda rows (issue 9): the services' primary key starts with the
 * consultation, so a search by case alone read every service of every meeting (SQLite plan: SCAN).
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await openTestContext("sqlite");
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

/** The SQL a store function sends (captured at Kysely's executor), then SQLite's plan for it. */
async function planOf(run: () => Promise<unknown>): Promise<string> {
  const seen = await queriesOf(ctx.database.db, run);
  expect(seen).toHaveLength(1);
  return (ctx.database.native!.prepare(`explain query plan ${seen[0].sql}`).all(...seen[0].parameters) as { detail: string }[]).map((r) => r.detail).join(" | ");
}

it("a case's services (the action owners' accepted services) start from the agenda's case index", async () => {
  const plan = await planOf(() => store.servicesForCase(ctx.database.db, "case"));
  expect(plan).toMatch(/USING (COVERING )?INDEX consultation_case_case \(case_id=\?\)/);
  expect(plan).toMatch(/SEARCH s USING INDEX sqlite_autoindex_consultation_case_service_1|SEARCH s USING (COVERING )?INDEX consultation_case_service_pk|SEARCH s USING PRIMARY KEY/);
  expect(plan).not.toMatch(/SCAN/);
});

it("the services of several cases (meeting planning) too", async () => {
  const plan = await planOf(() => store.organisationsInvitedForCases(ctx.database.db, ["a", "b"]));
  expect(plan).toMatch(/USING (COVERING )?INDEX consultation_case_case \(case_id=\?\)/);
  expect(plan).not.toMatch(/SCAN s\b|SCAN consultation_case_service/);
});
