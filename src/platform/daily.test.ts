import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect, openTestContext } from "../../test/support/db";
import { countsOf, DAILY_LAST_RUN, runAllDailyJobs } from "./daily";
import { getMeta } from "./meta";

/** A logger that keeps what it was given (the jobs' log lines must hold counts, never ids or labels). */
function keepLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    info: (obj: Record<string, unknown>, msg: string) => lines.push({ level: "info", obj, msg }),
    error: (obj: Record<string, unknown>, msg: string) => lines.push({ level: "error", obj, msg }),
  };
}

it("countsOf keeps numbers only: lists become their length, strings (ids, labels) go", () => {
  expect(countsOf({ purged: [{ caseId: "c1", label: "L-1" }, { caseId: "c2", label: "L-2" }], mailed: { requests: 2, to: ["a@b.invalid"] }, note: "L-3", ok: true })).toEqual({ purged: 2, mailed: { requests: 2, to: 1 }, ok: true });
});

/** The server's daily run (ops audit s8, findings 6, 9 and 13): every module's jobs, each on its own, logged as counts and recorded. */
describeEachDialect("daily jobs of every module", (ctx, dialect) => {
  it("runs the cases and the partners jobs (invitations now expire without cron), logs one line of counts and records the run", async () => {
    const log = keepLog();
    const r = await runAllDailyJobs(ctx(), log, "2026-11-29");
    expect(r.failed).toEqual([]);
    expect(Object.keys(r.results).sort()).toEqual(["cases", "partners"]);
    expect(r.results.partners).toEqual({ expired: 0, reminded: 0 });
    const done = log.lines.find((l) => l.msg === "daily jobs done")!;
    expect(done.level).toBe("info");
    expect(JSON.stringify(done.obj)).not.toMatch(/"[0-9a-f]{8}-[0-9a-f]{4}-/);
    const last = JSON.parse((await getMeta(ctx().database.db, DAILY_LAST_RUN))!);
    expect(last).toMatchObject({ today: "2026-11-29", failed: [] });
    expect(Date.parse(last.finished)).toBeGreaterThanOrEqual(Date.parse(last.started));
  });

  it("one module failing does not stop the others: it is logged and recorded as failed", async () => {
    // A database the partners job cannot read (its table gone): the cases jobs still run.
    const broken = await openTestContext(dialect);
    try {
      await sql`drop table partner_invitation`.execute(broken.database.db);
      const log = keepLog();
      const r = await runAllDailyJobs(broken, log, "2026-11-29");
      expect(r.failed).toEqual(["partners"]);
      expect(r.results.cases).toMatchObject({ purge: { purged: 0 } });
      expect(log.lines.filter((l) => l.level === "error").map((l) => [l.msg, l.obj.module])).toEqual([["daily jobs failed", "partners"]]);
      expect(JSON.parse((await getMeta(broken.database.db, DAILY_LAST_RUN))!).failed).toEqual(["partners"]);
    } finally {
      await broken.close();
    }
  });
});
