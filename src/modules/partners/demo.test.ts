import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { seedDemo } from "../../platform/demo";
import { todayInBrussels } from "../../platform/db/values";
import { participationReport } from "./service";

describeEachDialect("Partners demo data", (ctx) => {
  it("gives a realistic mix: most LIVCs police-and-municipality only, some rich in partners", async () => {
    await seedDemo(ctx());
    const r = await participationReport(ctx().database.db, todayInBrussels());
    expect(r.livcs).toBeGreaterThan(150);
    expect(r.share_without_social_partner!).toBeGreaterThan(0.55);
    expect(r.share_without_social_partner!).toBeLessThan(0.85);
    const rich = r.by_livc.filter((l) => Object.values(l.cells).filter((c) => c.status === "member").length >= 5);
    expect(rich.length).toBeGreaterThan(5);
    const declined = r.by_sector.reduce((n, s) => n + s.invitations.declined, 0);
    expect(declined).toBeGreaterThan(20);
    expect(r.by_sector.find((s) => s.sector === "local_police")!.livcs_member).toBe(r.livcs);
  }, 120_000);
});
