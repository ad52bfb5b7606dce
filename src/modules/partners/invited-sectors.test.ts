import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { invitedSectorCount } from "./report";
import { addSeat, sendInvitation } from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

/** Registry readiness "partner sectors invited": this LIVC's partner seats and structural invitations, by sector, up to the date. */
describeEachDialect("partner sectors invited (readiness)", (ctx) => {
  it("counts the sectors of this LIVC's partner seats and structural invitations up to the date, nothing else", async () => {
    const livc = await makeLivc(ctx(), "LIVC Sectoren", ["11002"]);
    const elsewhere = await makeLivc(ctx(), "LIVC Elders", ["11004"]);
    const caw = await makeOrg(ctx(), "CAW Sectoren", "caw");
    const caw2 = await makeOrg(ctx(), "CAW Twee", "caw");
    const clb = await makeOrg(ctx(), "CLB Sectoren", "clb");
    const school = await makeOrg(ctx(), "School Sectoren", "school_secondary");
    const youth = await makeOrg(ctx(), "Jeugdwerk Sectoren", "youth_work");
    const db = ctx().database.db;
    expect(await invitedSectorCount(db, livc, "2025-12-31")).toBe(0);
    await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: caw, fromOn: "2025-03-01" });
    await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: caw2, fromOn: "2025-03-01" });
    await sendInvitation(ctx(), system, { livcId: livc, organisationId: clb, kind: "structural", today: "2025-04-01", termDays: 14 });
    // Not counted: an invitation to another LIVC, and a seat or invitation after the date asked.
    await sendInvitation(ctx(), system, { livcId: elsewhere, organisationId: school, kind: "structural", today: "2025-04-01", termDays: 14 });
    await sendInvitation(ctx(), system, { livcId: livc, organisationId: youth, kind: "structural", today: "2025-09-01", termDays: 14 });
    expect(await invitedSectorCount(db, livc, "2025-02-28")).toBe(0);
    expect(await invitedSectorCount(db, livc, "2025-03-15")).toBe(1);
    expect(await invitedSectorCount(db, livc, "2025-06-30")).toBe(2);
    expect(await invitedSectorCount(db, livc, "2025-12-31")).toBe(3);
    expect(await invitedSectorCount(db, elsewhere, "2025-12-31")).toBe(1);
  });
});
