import { afterEach, expect, it, vi } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { openCaseFromScreening, timeline, transitionCase } from "./service";
import { makeActor, makeLivc } from "./testing";

/** A timeline written within one millisecond still reads in the order it happened (CI once failed on this). */
describeEachDialect("case timeline order", (ctx) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps the order of events stamped in the same millisecond, and of a clock that stepped back", async () => {
    const livc = await makeLivc(ctx());
    const chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    const coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    const c = await openCaseFromScreening(ctx(), { actor: coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Tijd Fictief", dateOfBirth: "2000-01-01" }, screeningDecision: "take_up" });
    // The clock stands still: every event gets the same wall-clock millisecond.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-04-30T10:00:00.000Z"));
    await transitionCase(ctx(), { actor: chair }, c.id, "close", { reason: "concern_addressed", today: "2026-04-30" });
    await transitionCase(ctx(), { actor: coordinator }, c.id, "start_review");
    // ... and then steps back a minute.
    vi.setSystemTime(new Date("2026-04-30T09:59:00.000Z"));
    await transitionCase(ctx(), { actor: coordinator }, c.id, "finish_review", { today: "2026-10-30" });
    const events = await timeline(ctx(), { actor: chair }, c.id);
    expect(events.filter((e) => e.kind === "transition").map((e) => e.toStatus)).toEqual(["closed", "post_closure_review", "closed"]);
    const at = events.map((e) => e.at);
    expect([...at].sort()).toEqual(at);
    expect(new Set(at).size).toBe(at.length);
  });
});
