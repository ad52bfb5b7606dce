import { expect, it } from "vitest";
import { createUser } from "../../../test/support/auth";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { activeHoldersOf, insertMembership, updateUser } from "./store";

/**
 * The active holders of some roles in an LIVC (who is told of a submitted report, who is offered as an action
 * owner): approved, current, active accounts only; the roles, approval and status written into the statement so
 * PostgreSQL keeps one plan for it instead of planning it on every run. (On the scale-1 data set with all of them
 * bound: 4,517 plans in 4,513 runs, issue 9 session 28; a small test database does not show that, its statistics
 * are too few, so the text is what is checked here.)
 */
describeEachDialect("active holders of roles in an LIVC", (ctx) => {
  const db = () => ctx().database.db;

  it("gives the approved, current holders with an active account, of the roles asked for only", async () => {
    const livc = await makeTestLivc(ctx().database, {}, livcInput(`HO${Date.now() % 100000}`, "LIVC Houders"));
    const chair = await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] });
    const coordinator = await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] });
    await createUser(ctx(), { roles: [{ livcId: livc, role: "information_officer" }] });
    const disabled = await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] });
    await updateUser(db(), disabled.id, { status: "disabled" });
    const pending = await createUser(ctx());
    await insertMembership(db(), { userId: pending.id, livcId: livc, role: "chair" }, { state: "pending", requestedBy: chair.id });
    const ended = await createUser(ctx());
    await insertMembership(db(), { userId: ended.id, livcId: livc, role: "coordinator", validFrom: "2020-01-01", validTo: "2021-01-01" }, { state: "approved" });
    const future = await createUser(ctx());
    await insertMembership(db(), { userId: future.id, livcId: livc, role: "chair", validFrom: "2099-01-01" }, { state: "approved" });

    const ids = async (roles: Parameters<typeof activeHoldersOf>[2]) => (await activeHoldersOf(db(), livc, roles)).map((h) => h.user_id).sort();
    expect(await ids(["chair", "coordinator"])).toEqual([chair.id, coordinator.id].sort());
    expect(await ids(["coordinator"])).toEqual([coordinator.id]);
    expect(await ids(["chair"])).toEqual([chair.id]);
    expect(await ids([])).toEqual([]);
  });

  it("binds the LIVC and the date only: roles, approval and status are in the statement's text", async () => {
    const livc = await makeTestLivc(ctx().database, {}, livcInput(`HT${Date.now() % 100000}`, "LIVC Tekst"));
    const [q] = await queriesOf(db(), () => activeHoldersOf(db(), livc, ["chair", "coordinator"], "2026-12-02"));
    expect(q.parameters).toEqual([livc, "2026-12-02", "2026-12-02"]);
    expect(q.sql).toContain("membership.role in ('chair', 'coordinator')");
    expect(q.sql).toContain(`"membership"."approval" = 'approved'`);
    expect(q.sql).toContain(`"app_user"."status" = 'active'`);
  });

});
