import Fastify from "fastify";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { allMigrations } from "../modules/migrations";
import { activeDialects, describeEachDialect, freshDatabaseUrl, openTestContext } from "../../test/support/db";
import { openContext } from "./bootstrap";
import { ConfigError, loadConfig } from "./config";
import { brusselsDateTime, brusselsInstant, CATCH_UP_AFTER_MS, catchUpDue, countsOf, nextDailyRun, runAllDailyJobs, runClaimedDailyJobs, scheduleDailyJobs } from "./daily";
import { claimDailyRun, finishDailyRun, lastDailyRun, STALE_CLAIM_MINUTES } from "./daily-runs";
import { openDatabase } from "./db";
import { migrate } from "./db/migrate";
import { getMeta, setMeta } from "./meta";
import { todayInBrussels } from "./db/values";

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
  it("runs the cases and the partners jobs (invitations now expire without cron), logs one line of counts", async () => {
    const log = keepLog();
    const r = await runAllDailyJobs(ctx(), log, "2026-11-29");
    expect(r.failed).toEqual([]);
    expect(Object.keys(r.results).sort()).toEqual(["cases", "partners"]);
    expect(r.results.partners).toEqual({ expired: 0, reminded: 0 });
    const done = log.lines.find((l) => l.msg === "daily jobs done")!;
    expect(done.level).toBe("info");
    expect(JSON.stringify(done.obj)).not.toMatch(/"[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("records the run in daily_job_run only: lastDailyRun reads it, the old meta row is no longer written", async () => {
    const db = ctx().database.db;
    expect(await runClaimedDailyJobs(ctx(), keepLog(), new Date("2026-11-29T01:30:00Z"))).toBe("ran");
    const last = (await lastDailyRun(db))!;
    expect(last).toMatchObject({ day: "2026-11-29", failed: [] });
    expect(Date.parse(last.finishedAt)).toBeGreaterThanOrEqual(Date.parse(last.startedAt));
    expect(await getMeta(db, "daily_jobs_last_run")).toBeUndefined();
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
      await runClaimedDailyJobs(broken, keepLog(), new Date("2026-11-29T01:30:00Z"));
      expect((await lastDailyRun(broken.database.db))?.failed).toEqual(["partners"]);
    } finally {
      await broken.close();
    }
  });
});

/** Decision 0069: the jobs run at a fixed Brussels time; the instants are written out in UTC. */
it("nextDailyRun: 02:30 Brussels is 01:30 UTC in winter and 00:30 UTC in summer, the same day when still ahead, else the next", () => {
  const next = (now: string, at = "02:30") => nextDailyRun(new Date(now), at).toISOString();
  expect(next("2026-11-30T00:12:00Z")).toBe("2026-11-30T01:30:00.000Z");
  expect(next("2026-11-30T01:30:00Z")).toBe("2026-12-01T01:30:00.000Z");
  expect(next("2026-07-01T00:29:59Z")).toBe("2026-07-01T00:30:00.000Z");
  expect(next("2026-07-01T00:30:00Z")).toBe("2026-07-02T00:30:00.000Z");
  // 23:30 UTC on 30 November is already 1 December in Brussels: its 02:30 is two hours later.
  expect(next("2026-11-30T23:30:00Z")).toBe("2026-12-01T01:30:00.000Z");
  expect(next("2026-11-30T22:00:00Z", "23:15")).toBe("2026-11-30T22:15:00.000Z");
  expect(next("2026-11-30T22:20:00Z", "23:15")).toBe("2026-12-01T22:15:00.000Z");
  expect(next("2026-11-30T12:00:00Z", "00:00")).toBe("2026-11-30T23:00:00.000Z");
});

it("nextDailyRun around the clocks going back (25 October 2026): 02:30 comes twice and runs once, at the first", () => {
  const next = (now: string) => nextDailyRun(new Date(now), "02:30").toISOString();
  expect(next("2026-10-24T12:00:00Z")).toBe("2026-10-25T00:30:00.000Z"); // 02:30 summer time (UTC+2)
  // After the first 02:30 (and during the second, 01:30 UTC), the next is the following day in winter time.
  expect(next("2026-10-25T00:30:00Z")).toBe("2026-10-26T01:30:00.000Z");
  expect(next("2026-10-25T01:15:00Z")).toBe("2026-10-26T01:30:00.000Z");
  expect(next("2026-10-24T00:30:00Z")).toBe("2026-10-25T00:30:00.000Z");
  // 03:30 the day before the change is still summer time, the day after it is winter time.
  expect(nextDailyRun(new Date("2026-10-24T00:00:00Z"), "03:30").toISOString()).toBe("2026-10-24T01:30:00.000Z");
  expect(nextDailyRun(new Date("2026-10-25T12:00:00Z"), "03:30").toISOString()).toBe("2026-10-26T02:30:00.000Z");
});

it("nextDailyRun around the clocks going forward (28 March 2027): 02:30 does not exist and runs at 03:30 summer time, once", () => {
  const next = (now: string) => nextDailyRun(new Date(now), "02:30").toISOString();
  expect(next("2027-03-27T01:30:00Z")).toBe("2027-03-28T01:30:00.000Z"); // = 03:30 CEST on the 28th
  expect(next("2027-03-28T01:30:00Z")).toBe("2027-03-29T00:30:00.000Z"); // 02:30 summer time on the 29th
  expect(next("2027-03-27T00:00:00Z")).toBe("2027-03-27T01:30:00.000Z"); // winter time the day before
  expect(brusselsInstant("2027-03-28", "01:59").toISOString()).toBe("2027-03-28T00:59:00.000Z");
  expect(brusselsInstant("2027-03-28", "03:00").toISOString()).toBe("2027-03-28T01:00:00.000Z");
  // Every day of a year has exactly one run, 23, 24 or 25 hours apart.
  let t = new Date("2026-03-01T00:00:00Z");
  const gaps = new Set<number>();
  for (let i = 0; i < 400; i++) {
    const n = nextDailyRun(t, "02:30");
    if (i > 0) gaps.add((n.getTime() - t.getTime()) / 3_600_000);
    t = n;
  }
  expect([...gaps].sort()).toEqual([23, 24, 25]);
});

it("catchUpDue: no finished run, or one that began over 23 hours ago", () => {
  const now = new Date("2026-11-30T10:00:00Z");
  const rec = (startedAt: string) => ({ day: startedAt.slice(0, 10), startedAt, finishedAt: startedAt, failed: [] });
  expect(catchUpDue(null, now)).toBe(true);
  expect(catchUpDue(rec(new Date(now.getTime() - CATCH_UP_AFTER_MS - 1000).toISOString()), now)).toBe(true);
  expect(catchUpDue(rec(new Date(now.getTime() - CATCH_UP_AFTER_MS + 60_000).toISOString()), now)).toBe(false);
});

it("SCHAKEL_DAILY_AT: HH:MM, default 02:30; a bad value names the variable", () => {
  expect(loadConfig({ NODE_ENV: "test" }).SCHAKEL_DAILY_AT).toBe("02:30");
  expect(loadConfig({ NODE_ENV: "test", SCHAKEL_DAILY_AT: "23:59" }).SCHAKEL_DAILY_AT).toBe("23:59");
  for (const bad of ["2:30", "24:00", "02:60", "0230", "02:30:00"]) {
    expect(() => loadConfig({ NODE_ENV: "test", SCHAKEL_DAILY_AT: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "test", SCHAKEL_DAILY_AT: bad })).toThrow(/SCHAKEL_DAILY_AT must be a time of day HH:MM/);
  }
});

/** Several instances on one database (decision 0069): a Belgian day's jobs run once. */
describeEachDialect("the daily run's claim", (ctx) => {
  it("two instances at once: one runs the jobs, the other does not; a later attempt that day sees it done", async () => {
    const other = await openContext({ config: ctx().config });
    try {
      const now = new Date("2026-12-02T01:30:00Z");
      const logs = [keepLog(), keepLog()];
      const outcomes = await Promise.all([runClaimedDailyJobs(ctx(), logs[0], now), runClaimedDailyJobs(other, logs[1], now)]);
      expect(outcomes.filter((o) => o === "ran")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "busy" || o === "done")).toHaveLength(1);
      expect(logs.flatMap((l) => l.lines).filter((l) => l.msg === "daily jobs done")).toHaveLength(1);
      expect(await runClaimedDailyJobs(other, keepLog(), new Date("2026-12-02T20:00:00Z"))).toBe("done");
      const row = await ctx().database.db.selectFrom("daily_job_run").selectAll().where("day", "=", "2026-12-02").executeTakeFirstOrThrow();
      expect([row.status, row.failed]).toEqual(["done", null]);
      expect(await lastDailyRun(ctx().database.db)).toMatchObject({ day: "2026-12-02", failed: [] });
      // The next Belgian day (23:30 UTC is already 3 December in Brussels) is a new claim.
      expect(await runClaimedDailyJobs(other, keepLog(), new Date("2026-12-02T23:30:00Z"))).toBe("ran");
    } finally {
      await other.close();
    }
  });

  it("a claim whose instance stopped beating is taken over after its heartbeat goes stale; a live one is not", async () => {
    const db = ctx().database.db;
    const t0 = new Date("2026-12-05T01:30:00Z");
    expect(await claimDailyRun(db, "2026-12-05", t0, "dead-instance")).toBe("claimed");
    const soon = new Date(t0.getTime() + (STALE_CLAIM_MINUTES - 1) * 60_000);
    expect(await claimDailyRun(db, "2026-12-05", soon, "me")).toBe("busy");
    const later = new Date(t0.getTime() + (STALE_CLAIM_MINUTES + 1) * 60_000);
    expect(await claimDailyRun(db, "2026-12-05", later, "me")).toBe("claimed");
    // The dead instance, should it come back, cannot finish a claim that is no longer its own.
    await finishDailyRun(db, "2026-12-05", [], "dead-instance");
    expect((await db.selectFrom("daily_job_run").select(["status", "instance"]).where("day", "=", "2026-12-05").executeTakeFirstOrThrow())).toEqual({ status: "running", instance: "me" });
    await finishDailyRun(db, "2026-12-05", ["partners"], "me");
    expect(await claimDailyRun(db, "2026-12-05", new Date(later.getTime() + 3_600_000), "third")).toBe("done");
    expect((await db.selectFrom("daily_job_run").select("failed").where("day", "=", "2026-12-05").executeTakeFirstOrThrow()).failed).toBe("partners");
  });

  it("a listening server catches up at start when the last run is unknown, and not when it is recent", async () => {
    for (const recent of [false, true]) {
      const c = await openContext({ config: ctx().config });
      const db = c.database.db;
      await db.deleteFrom("daily_job_run").execute();
      // A run that finished yesterday (Brussels) and began an hour ago: no catch-up today.
      if (recent) {
        const yesterday = new Date(Date.now() - 86_400_000);
        await claimDailyRun(db, todayInBrussels(yesterday), new Date(Date.now() - 3_600_000), "earlier");
        await finishDailyRun(db, todayInBrussels(yesterday), [], "earlier");
      }
      const app = Fastify({ logger: false });
      scheduleDailyJobs(app, c, { startDelayMs: 10 });
      await app.listen({ port: 0, host: "127.0.0.1" });
      try {
        if (recent) {
          await new Promise((r) => setTimeout(r, 2500));
          expect(await db.selectFrom("daily_job_run").select("day").execute()).toEqual([{ day: todayInBrussels(new Date(Date.now() - 86_400_000)) }]);
        } else {
          await expect.poll(async () => (await db.selectFrom("daily_job_run").select("status").executeTakeFirst())?.status, { timeout: 15_000, interval: 200 }).toBe("done");
          expect((await lastDailyRun(db))?.failed).toEqual([]);
        }
      } finally {
        await app.close();
        await c.close();
      }
    }
  }, 30_000);

  it("lastDailyRun is the newest finished day; a day still running (or died half-way) is not a run yet", async () => {
    const db = ctx().database.db;
    await db.deleteFrom("daily_job_run").execute();
    expect(await lastDailyRun(db)).toBeNull();
    await claimDailyRun(db, "2026-12-01", new Date("2026-12-01T01:30:00Z"), "a");
    await finishDailyRun(db, "2026-12-01", ["cases", "partners"], "a");
    await claimDailyRun(db, "2026-12-02", new Date("2026-12-02T01:30:00Z"), "b");
    const last = (await lastDailyRun(db))!;
    expect([last.day, last.startedAt, last.failed]).toEqual(["2026-12-01", "2026-12-01T01:30:00.000Z", ["cases", "partners"]]);
    // The catch-up reads the same record: the 2nd's run has not finished, so a start that day tries it.
    expect(catchUpDue(last, new Date("2026-12-01T20:00:00Z"))).toBe(false);
    expect(catchUpDue(last, new Date("2026-12-02T01:31:00Z"))).toBe(true);
    expect(brusselsDateTime("2026-07-01T00:30:05.000Z")).toEqual({ date: "2026-07-01", time: "02:30" });
  });
});

/** Decision 0069, amended: the upgrade keeps the last run the old meta row recorded as its day's row, once, and drops the meta row. */
for (const dialect of activeDialects()) {
  it(`the upgrade moves the meta row daily_jobs_last_run into daily_job_run [${dialect}]`, async () => {
    const upgrade = "2026123010_platform_daily_last_run_into_table";
    const meta = (today: string, failed: string[]) => JSON.stringify({ started: `${today}T01:30:00.000Z`, finished: `${today}T01:30:04.000Z`, today, failed });
    /** A database one release old holding `value` as the meta row (and the days in `days`), upgraded. */
    const upgraded = async (value: string, days: string[] = []) => {
      const database = await openDatabase(await freshDatabaseUrl(dialect));
      try {
        await migrate(database, allMigrations().filter((m) => m.name !== upgrade));
        for (const day of days) {
          await claimDailyRun(database.db, day, new Date(`${day}T01:30:00Z`), "before");
          await finishDailyRun(database.db, day, [], "before");
        }
        await setMeta(database.db, "daily_jobs_last_run", value);
        expect(await migrate(database)).toEqual([upgrade]);
        expect(await getMeta(database.db, "daily_jobs_last_run")).toBeUndefined();
        return await lastDailyRun(database.db);
      } finally {
        await database.close();
      }
    };
    // A last run from before the table: it becomes the 28th's row, with its failed module.
    expect(await upgraded(meta("2026-11-28", ["cases"]))).toEqual({ day: "2026-11-28", startedAt: "2026-11-28T01:30:00.000Z", finishedAt: "2026-11-28T01:30:04.000Z", failed: ["cases"] });
    // The same run the table already holds (every run since the table was written to both): the table's row stays.
    expect(await upgraded(meta("2026-12-03", ["partners"]), ["2026-12-02", "2026-12-03"])).toMatchObject({ day: "2026-12-03", failed: [] });
    // A row without a usable time records nothing; it goes all the same.
    expect(await upgraded("{not json")).toBeNull();
    expect(await upgraded(JSON.stringify({ today: "2026-11-28", failed: [] }))).toBeNull();
  }, 60_000);
}
