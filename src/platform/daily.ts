import type { FastifyInstance } from "fastify";
import { schakelModules } from "../modules";
import type { AppContext } from "./context";
import { todayInBrussels } from "./db/values";
import { setMeta } from "./meta";

/** The meta row that says when the daily jobs last ran and which modules' jobs failed (for the operator). */
export const DAILY_LAST_RUN = "daily_jobs_last_run";

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

/**
 * Runs every module's daily work (SchakelModule.daily) once, each on its own: one module's failure is
 * logged and recorded and does not stop the others. One info line with the counts (no ids, no names) and
 * a meta row (`daily_jobs_last_run`) say that it ran.
 */
/** What the daily run logs through (pino's object-then-message form). */
export interface DailyLog {
  info(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export async function runAllDailyJobs(ctx: AppContext, log: DailyLog, today = todayInBrussels()) {
  const started = new Date().toISOString();
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
  await setMeta(ctx.database.db, DAILY_LAST_RUN, JSON.stringify({ started, finished: new Date().toISOString(), today, failed })).catch((e) => log.error({ err: e }, "daily jobs: could not record the run"));
  return { results, failed };
}

/** While the server listens: the daily jobs one minute after start, then every 24 hours. */
export function scheduleDailyJobs(app: FastifyInstance, ctx: AppContext) {
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    runAllDailyJobs(ctx, app.log).catch((e) => app.log.error({ err: e }, "daily jobs failed"));
  };
  app.server.once("listening", () => {
    timer = setTimeout(function tick() {
      run();
      timer = setTimeout(tick, 24 * 60 * 60 * 1000);
      timer.unref();
    }, 60 * 1000);
    timer.unref();
  });
  app.addHook("onClose", async () => {
    if (timer) clearTimeout(timer);
  });
}
