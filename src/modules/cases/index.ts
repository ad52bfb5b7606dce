import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import type { SchakelModule } from "..";
import type { AppContext } from "../../platform/context";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import { seedCasesDemo } from "./demo";
import { casesRoutes } from "./routes";
import { runPurge } from "./service";
import { sendMeetingReminders } from "../meetings/service";
import { casesConfig } from "./config";

type Open = () => Promise<AppContext & { close(): Promise<void> }>;

/** The daily work of this module: the retention purge and the consultation reminders. */
export async function runDailyJobs(ctx: AppContext, today = todayInBrussels()) {
  const purge = await runPurge(ctx, { today });
  const reminders = await sendMeetingReminders(ctx, { today, aheadDays: casesConfig().reminderDays });
  return { purge, reminders };
}

/**
 * The server runs the daily jobs once a day while it listens (first run one minute after start);
 * `schakel purge` runs the purge by hand (cron can call it too; the run is idempotent).
 */
function scheduleDaily(app: FastifyInstance, ctx: AppContext) {
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    runDailyJobs(ctx).catch((e) => app.log.error({ err: e }, "daily case jobs failed"));
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

function casesCli(program: Command, open: Open) {
  program
    .command("purge")
    .description("Retention end: remove identity and free text of closed cases whose term has passed (legal holds are skipped); every purge is logged")
    .option("--dry-run", "only list what would be purged")
    .option("--date <date>", "treat this day as today (YYYY-MM-DD)")
    .action(async (opts: { dryRun?: boolean; date?: string }) => {
      if (opts.date && !isIsoDate(opts.date)) {
        console.error(`--date must be YYYY-MM-DD (got "${opts.date}")`);
        process.exitCode = 2;
        return;
      }
      const ctx = await open();
      try {
        const r = await runPurge(ctx, { dryRun: opts.dryRun, today: opts.date });
        for (const p of r.purged) {
          const what = Object.entries(p.removed).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ");
          console.log(`${r.dryRun ? "would purge" : "purged"} ${p.label} (retention until ${p.retentionUntil}): ${what || "nothing left to remove"}`);
        }
        for (const h of r.held) console.log(`held ${h.label}: legal hold, not purged`);
        console.log(`${r.dryRun ? "Dry run: " : ""}${r.purged.length} case(s) ${r.dryRun ? "to purge" : "purged"}, ${r.held.length} on legal hold.`);
      } finally {
        await ctx.close();
      }
    });

  const meetings = program.commands.find((c) => c.name() === "meetings") ?? program.command("meetings").description("Case consultations");
  meetings
    .command("remind")
    .description("Send the e-mail reminders (no personal data) for consultations planned in the next days")
    .option("--date <date>", "treat this day as today (YYYY-MM-DD)")
    .action(async (opts: { date?: string }) => {
      const ctx = await open();
      try {
        const r = await sendMeetingReminders(ctx, { today: opts.date, aheadDays: casesConfig().reminderDays });
        console.log(r.configured ? `Reminded ${r.meetings} consultation(s): ${r.sent} mail(s) sent, ${r.failed} failed.` : "SMTP_URL is not set: no reminders sent.");
      } finally {
        await ctx.close();
      }
    });
}

/** Cases: the case file, its status workflow, follow-up plan, feedback form, retention and subject access. */
export const casesModule: SchakelModule = {
  name: "cases",
  routes(app, ctx) {
    casesRoutes(app, ctx);
    scheduleDaily(app, ctx);
  },
  cli: casesCli,
  seedDemo: seedCasesDemo,
};
