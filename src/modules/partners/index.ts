import fs from "node:fs";
import type { Command } from "commander";
import type { SchakelModule } from "..";
import type { AppContext } from "../../platform/context";
import { isLocale } from "../../platform/i18n";
import { todayInBrussels } from "../../platform/db/values";
import { seedPartnersDemo } from "./demo";
import { participationCsv, participationPdf } from "./export";
import { runInvitationJob } from "./invitations";
import { ParticipationDateError, regionalParticipation } from "./report";
import { partnersRoutes } from "./routes";

type Open = () => Promise<AppContext & { close(): Promise<void> }>;

const subcommand = (program: Command, name: string, description: string) =>
  program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);

function partnersCli(program: Command, open: Open) {
  subcommand(program, "report", "Reports")
    .command("participation")
    .description("Partner participation in the LIVCs by sector on a date (regional figures: counts 1-4 shown as \"<5\")")
    .requiredOption("--date <date>", "YYYY-MM-DD")
    .option("--format <format>", "json, csv or pdf", "json")
    .option("--out <file>", "write to this file instead of standard output")
    .option("--lang <lang>", "language of the PDF: nl, fr or en", "nl")
    .action(async (opts: { date: string; format: string; out?: string; lang: string }) => {
      if (!["json", "csv", "pdf"].includes(opts.format)) {
        console.error(`--format must be json, csv or pdf (got "${opts.format}")`);
        process.exitCode = 2;
        return;
      }
      if (!isLocale(opts.lang)) {
        console.error(`--lang must be nl, fr or en (got "${opts.lang}")`);
        process.exitCode = 2;
        return;
      }
      const ctx = await open();
      try {
        const r = await regionalParticipation(ctx.database.db, opts.date);
        const output = opts.format === "json" ? `${JSON.stringify(r, null, 2)}\n` : opts.format === "csv" ? participationCsv(r) : await participationPdf(r, opts.lang);
        if (opts.out) {
          fs.writeFileSync(opts.out, output);
          console.error(`Wrote ${opts.out}`);
        } else process.stdout.write(output);
      } catch (e) {
        if (!(e instanceof ParticipationDateError)) throw e;
        console.error(e.message);
        process.exitCode = 1;
      } finally {
        await ctx.close();
      }
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
