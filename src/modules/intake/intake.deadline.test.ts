import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { makeActor } from "../cases/testing";
import { addMembership, createLivc } from "../registry/service";
import { emptyForm } from "./schema";
import { fileReport, livcQueue } from "./service";
import * as store from "./store";
import { addWorkingDays, workingDaysBetween } from "./working-days";

/**
 * SCHAKEL_EXTRA_HOLIDAYS reaches the callers (decision 0029): the deadline stored at submission and
 * the queue's age in working days both skip the configured days. The configured days are the 8
 * days either side of today (the past ones as yearly "MM-DD" days, today and the future ones as
 * one-off "YYYY-MM-DD" dates), so the test means the same whatever day it runs.
 */
for (const dialect of activeDialects()) {
  describe(`screening deadline with configured closing days [${dialect}]`, () => {
    const today = todayInBrussels();
    const yearly = Array.from({ length: 8 }, (_, i) => addDays(today, i - 8).slice(5)).filter((md) => md !== "02-29");
    const oneOff = Array.from({ length: 9 }, (_, i) => addDays(today, i));
    const extra = [...new Set([...yearly, ...oneOff])].sort();
    let ctx: TestContext;
    let livcId: string;
    beforeAll(async () => {
      ctx = await openTestContext(dialect, { SCHAKEL_EXTRA_HOLIDAYS: extra.join(",") });
      livcId = await createLivc(ctx.database, { actor: null }, {
        code: "HOLI", name: "LIVC Feestdag", founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null,
      });
      await addMembership(ctx.database, { actor: null }, livcId, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    }, 60_000);
    afterAll(async () => ctx?.close());

    it("the stored deadline and the queue's age skip SCHAKEL_EXTRA_HOLIDAYS", async () => {
      expect(ctx.config.SCHAKEL_EXTRA_HOLIDAYS).toEqual(extra);
      const reporter = await makeActor(ctx, [{ livcId, role: "reporter" }]);
      const form = { ...emptyForm(), identity_known: "known", subject_name: "Deadline Persoon", subject_birth_date: "2001-01-01", municipality_nis: "44021", signals: ["supports_violence"], observation: "x", since: "weeks", person_knows: "no", reporter_contact: "0470" };
      const filed = await fileReport(ctx, { actor: reporter }, form, "submit");
      if (filed.kind !== "submitted") throw new Error("not filed");
      const row = await ctx.database.db.selectFrom("report").select(["id", "screening_due_on"]).where("reference", "=", filed.reference).executeTakeFirstOrThrow();
      expect(row.screening_due_on).toBe(addWorkingDays(today, 10, extra));
      // The next 8 days hold at least four weekdays, all closed: the deadline is later than without them.
      expect(row.screening_due_on! > addWorkingDays(today, 10, [])).toBe(true);
      expect(row.screening_due_on! > addDays(today, 8)).toBe(true);

      // Submitted 12 days ago: the closed days of the past 8 days are not counted in its age.
      const submitted = addDays(today, -12);
      await store.updateReport(ctx.database.db, row.id, { submitted_at: `${submitted}T09:00:00.000Z` });
      const coordinator = await makeActor(ctx, [{ livcId, role: "coordinator" }]);
      const queue = await livcQueue(ctx, coordinator, { filter: "open", page: 1 }, today);
      if (!queue || queue === "not_found") throw new Error("no queue");
      const item = queue.list.items.find((i) => i.id === row.id)!;
      expect(item.ageWorkingDays).toBe(workingDaysBetween(submitted, today, extra));
      expect(item.ageWorkingDays).toBeLessThan(workingDaysBetween(submitted, today, []));
      expect(item.ageWorkingDays).toBeLessThanOrEqual(3); // at most days -11..-9 are open

      // The configured days change (a restart without them): the deadline already given stays.
      ctx.config.SCHAKEL_EXTRA_HOLIDAYS = [];
      const after = await livcQueue(ctx, coordinator, { filter: "open", page: 1 }, today);
      if (!after || after === "not_found") throw new Error("no queue");
      expect(after.list.items.find((i) => i.id === row.id)!.dueOn).toBe(row.screening_due_on);
      expect(row.screening_due_on).not.toBe(addWorkingDays(today, 10, []));
    });
  });
}
