import type { Command } from "commander";
import type { SchakelModule } from "..";
import { type OpenContext as Open, reportCommand, subcommand } from "../../cli/shared";
import { todayInBrussels } from "../../platform/db/values";
import { seedPartnersDemo } from "./demo";
import { participationCsv, participationPdf } from "./export";
import { runInvitationJob } from "./invitations";
import { ParticipationDateError, regionalParticipation } from "./report";
import { partnersConfig } from "./config";
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
    .description("Daily job: expire invitations past their term and send one reminder for those expiring soon (the server runs it daily too; safe to run again)")
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
  routes(app, ctx) {
    partnersRoutes(app, ctx);
    // A bad SCHAKEL_INVITATION_TERM_DAYS or _REMINDER_DAYS stops the server at start, naming the variable.
    partnersConfig();
  },
  cli: partnersCli,
  // Invitations past their term expire; one reminder for those expiring soon (also `schakel partners remind`).
  daily: (ctx, today) => runInvitationJob(ctx, today),
  seedDemo: seedPartnersDemo,
};
