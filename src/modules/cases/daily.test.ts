import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { runDailyJobs } from ".";
import { caseRow, openCaseFromScreening, transitionCase } from "./service";
import { makeActor, makeLivc } from "./testing";

/** What the server runs once a day: the retention purge and the consultation reminders. */
describe("daily jobs", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  it("purges what is due and reports that reminders need SMTP", async () => {
    const livc = await makeLivc(ctx, "DAILY");
    const chair = await makeActor(ctx, [{ livcId: livc, role: "chair" }]);
    const c = await openCaseFromScreening(ctx, { actor: chair }, { livcId: livc, reportId: null, minor: true, identity: { fullName: "Dag Elijks", dateOfBirth: "2011-01-01" }, screeningDecision: "take_up", openedOn: "2019-01-01" });
    await transitionCase(ctx, { actor: chair }, c.id, "close", { reason: "concern_addressed", today: "2019-06-01" });
    const until = (await caseRow(ctx, c.id))!.retention_until!;
    expect((await runDailyJobs(ctx, "2019-07-01")).purge.purged).toEqual([]);
    const r = await runDailyJobs(ctx, until);
    expect(r.purge.purged.map((p) => p.caseId)).toEqual([c.id]);
    expect(r.reminders.configured).toBe(false);
    expect((await caseRow(ctx, c.id))?.status).toBe("purged");
  });
});
