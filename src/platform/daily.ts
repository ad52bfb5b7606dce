import type { FastifyInstance } from "fastify";
import { schakelModules } from "../modules";
import type { AppContext } from "./context";
import { beatDailyRun, claimDailyRun, type DailyRun, finishDailyRun, lastDailyRun } from "./daily-runs";
import { addDays, todayInBrussels } from "./db/values";

/**
 * Numbers only, for the log: arrays become their length, nested objects their numbers. A job's result may
 * hold labels or ids; the log gets none of them.
 */
export function countsOf(value: unknown): unknown {
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = countsOf(v);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return undefined;
}

/** What the daily run logs through (pino's object-then-message form). */
export interface DailyLog {
  info(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/**
 * Runs every module's daily work (SchakelModule.daily) once, each on its own: one module's failure is
 * logged and returned as failed and does not stop the others. One info line with the counts (no ids, no
 * names) says that it ran. The server calls it through runClaimedDailyJobs, which records the run.
 */
export async function runAllDailyJobs(ctx: AppContext, log: DailyLog, today = todayInBrussels()) {
  const results: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const mod of schakelModules()) {
    if (!mod.daily) continue;
    try {
      results[mod.name] = countsOf(await mod.daily(ctx, today));
    } catch (e) {
      failed.push(mod.name);
      log.error({ err: e, module: mod.name }, "daily jobs failed");
    }
  }
  log.info({ daily: results, failed }, "daily jobs done");
  return { results, failed };
}

/** An instant (ISO) as Brussels date "YYYY-MM-DD" and time "HH:MM", for a page that says when the jobs ran. */
export function brusselsDateTime(iso: string): { date: string; time: string } {
  const [date, time] = wallTime(new Date(iso)).split(" ");
  return { date, time };
}

const brusselsWall = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Brussels", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** The Brussels wall clock of an instant, "YYYY-MM-DD HH:MM". */
function wallTime(instant: Date): string {
  const p = Object.fromEntries(brusselsWall.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * The instant at which Brussels' clocks show `at` ("HH:MM") on the Belgian day `date`. Brussels is UTC+1
 * or UTC+2: the earlier of the two candidates that shows that time wins (when clocks go back, 02:30 comes
 * twice: the first, summer-time one). A time the clocks skip (02:00-02:59 on the last Sunday of March) is
 * taken at the winter offset, i.e. one hour later on the clock (02:30 -> 03:30 summer time), as cron and
 * Temporal's "compatible" rule do. Either way the jobs run once that day.
 */
export function brusselsInstant(date: string, at: string): Date {
  const wall = Date.parse(`${date}T${at}:00Z`);
  for (const hours of [2, 1]) {
    const t = new Date(wall - hours * 3_600_000);
    if (wallTime(t) === `${date} ${at}`) return t;
  }
  return new Date(wall - 3_600_000);
}

/** The next instant after `now` at which the daily jobs are due: `at` ("HH:MM", SCHAKEL_DAILY_AT) Brussels time. */
export function nextDailyRun(now: Date, at: string): Date {
  const today = todayInBrussels(now);
  for (const date of [addDays(today, -1), today, addDays(today, 1), addDays(today, 2)]) {
    const t = brusselsInstant(date, at);
    if (t.getTime() > now.getTime()) return t;
  }
  throw new Error(`no daily run after ${now.toISOString()}`);
}

/** A catch-up run at start is due when no run finished yet (lastDailyRun) or the last one began over 23 hours ago. */
export function catchUpDue(last: DailyRun | null, now: Date): boolean {
  return !last || now.getTime() - Date.parse(last.startedAt) > CATCH_UP_AFTER_MS;
}

export const CATCH_UP_AFTER_MS = 23 * 3_600_000;
/** A run another instance holds, or one that hit an error (the database away), is tried again this much later. */
export const RETRY_MS = 15 * 60_000;

export type DailyOutcome = "ran" | "busy" | "done";

/**
 * The day's run, once per Belgian day over every instance (decision 0069): claims the day in
 * daily_job_run, runs every module's jobs while beating the claim's heartbeat, then marks the day done.
 * "busy": another instance runs it now; "done": it ran already.
 */
export async function runClaimedDailyJobs(ctx: AppContext, log: DailyLog, now = new Date()): Promise<DailyOutcome> {
  const db = ctx.database.db;
  const day = todayInBrussels(now);
  const claim = await claimDailyRun(db, day, now);
  if (claim !== "claimed") return claim;
  const heartbeat = setInterval(() => void beatDailyRun(db, day).catch(() => {}), 60_000);
  heartbeat.unref();
  try {
    const { failed } = await runAllDailyJobs(ctx, log, day);
    await finishDailyRun(db, day, failed);
  } finally {
    clearInterval(heartbeat);
  }
  return "ran";
}

/**
 * While the server listens: every day at SCHAKEL_DAILY_AT Brussels time (default 02:30, DST-correct), and
 * one minute after start when the last run is older than ~23 hours or unknown (a catch-up). Several
 * instances may run this: the claim lets one of them run a day's jobs. A busy claim or an error is tried
 * again after 15 minutes, for the same day only.
 */
export function scheduleDailyJobs(app: FastifyInstance, ctx: AppContext, opts: { startDelayMs?: number } = {}) {
  const at = ctx.config.SCHAKEL_DAILY_AT;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const arm = (delay: number, fn: () => Promise<void>) => {
    if (closed) return;
    timer = setTimeout(() => void fn(), Math.max(1000, delay));
    timer.unref();
  };
  const armScheduled = () => arm(nextDailyRun(new Date(), at).getTime() - Date.now(), attempt);
  const attempt = async () => {
    const day = todayInBrussels();
    const outcome = await runClaimedDailyJobs(ctx, app.log).catch((e) => {
      app.log.error({ err: e }, "daily jobs: could not run");
      return "error" as const;
    });
    const next = nextDailyRun(new Date(), at).getTime();
    // Try the same day again a little later (another instance's run may have died), unless the next run comes first.
    if ((outcome === "busy" || outcome === "error") && Date.now() + RETRY_MS < next) {
      arm(RETRY_MS, async () => (todayInBrussels() === day ? attempt() : armScheduled()));
    } else {
      armScheduled();
    }
  };
  app.server.once("listening", () => {
    arm(opts.startDelayMs ?? 60 * 1000, async () => {
      const due = await lastDailyRun(ctx.database.db)
        .then((last) => catchUpDue(last, new Date()))
        .catch(() => true);
      return due ? attempt() : armScheduled();
    });
  });
  app.addHook("onClose", async () => {
    closed = true;
    if (timer) clearTimeout(timer);
  });
}
