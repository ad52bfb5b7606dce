import type { Command } from "commander";
import type { SchakelModule } from "..";
import { type OpenContext as Open, reportCommand, subcommand } from "../../cli/shared";
import { todayInBrussels } from "../../platform/db/values";
import { seedPartnersDemo } from "./demo";
import { participationCsv, participationPdf } from "./export";
import { runInvitationJob } from "./invitations";
import { ParticipationDateError, regionalParticipation } from "./report";
import { partnersRoutes } from "./routes";


function partnersCli(program: Command, open: Open) {
  reportCommand(program, open, {
    name: "participation",
    description: "Partner participation in the LIVCs by sector on a date (regional figures: counts 1-4 shown as \"<5\")",
    dateHelp: "YYYY-MM-DD",
    dateError: ParticipationDateError,
    async render(ctx, { date, format, lang }) {
      const r = await regionalParticipation(ctx.database.db, date);
      return format === "json" ? `${JSON.stringify(r, null, 2)}\n` : format === "csv" ? participationCsv(r) : await participationPdf(r, lang);
    },
  });

  subcommand(program, "partners", "Partners and invitations")
    .command("remind")
    .description("Daily job: expire invitations past their term and send one reminder for those expiring soon (run from cron or a systemd timer)")
    .option("--date <date>", "treat this day as today (YYYY-MM-DD)")
    .action(async (opts: { date?: string }) => {
      const ctx = await open();
      try {
        const r = await runInvitationJob(ctx, opts.date ?? todayInBrussels());
        console.log(`Expired ${r.expired} invitation(s); sent ${r.reminded} reminder(s).`);
      } finally {
        await ctx.close();
      }
    });
}

/** Partners and participation: organisations at the LIVC table, invitations, attendance, regional figures. */
export const partnersModule: SchakelModule = {
  name: "partners",
  routes: partnersRoutes,
  cli: partnersCli,
  seedDemo: seedPartnersDemo,
};
