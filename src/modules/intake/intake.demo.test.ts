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
    // The regional contact point goes through contacts.ts: validated and audited with the system as the actor.
    const db = ctx().database.db;
    const contact = await db.selectFrom("intake_regional_contact as c").innerJoin("app_user as u", "u.id", "c.user_id").select(["c.id", "c.province"]).where("u.email", "=", "regio@demo.schakel.test").execute();
    expect(contact.map((c) => c.province)).toEqual([null]);
    const entries = await db.selectFrom("audit_entry").select(["action", "actor_id"]).where("resource_id", "=", contact[0].id).execute();
    expect(entries).toEqual([{ action: "intake.regional_contact.add", actor_id: null }]);
  }, 120_000);
});
