import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { seedDemo } from "../../platform/demo";
import { livcByCode } from "../registry/service";

/** The demo data set loads on both databases and gives LIVC Gent cases and consultations. */
describeEachDialect("cases demo data", (ctx) => {
  it("seeds fictional cases, a held and a planned consultation for LIVC Gent", async () => {
    await seedDemo(ctx());
    const db = ctx().database.db;
    const gent = await livcByCode(db, "LIVC-44021");
    const cases = await db.selectFrom("case_file").select(["label", "status"]).where("livc_id", "=", gent!.id).execute();
    expect(cases.length).toBeGreaterThanOrEqual(3);
    expect(cases.every((c) => c.label?.startsWith("LIVC-44021-"))).toBe(true);
    const agenda = await db.selectFrom("consultation_case").select("consultation_id").execute();
    expect(new Set(agenda.map((a) => a.consultation_id)).size).toBe(2);
    expect(cases.some((c) => c.status === "closed")).toBe(true);
  }, 240_000);
});
