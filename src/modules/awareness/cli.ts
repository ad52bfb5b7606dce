import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { type OpenContext as Open, subcommand } from "../../cli/shared";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import { isLocale } from "../../platform/i18n";
import { adviceFileName, writeAdviceArchive } from "./archive";
import { advicePdf } from "./pdf";
import { campaignById, listCampaigns, municipalityAdvice } from "./service";


function fail(message: string, code = 2) {
  console.error(message);
  process.exitCode = code;
}

export function awarenessCli(program: Command, open: Open) {
  subcommand(program, "report", "Reports")
    .command("advice")
    .description("Awareness round advice: one PDF per municipality (least active first) and one ZIP archive")
    .option("--all", "every municipality, plus the ZIP archive")
    .option("--nis <nis>", "one municipality (NIS code)")
    .option("--campaign <id>", "campaign id (default: the most recent campaign)")
    .option("--date <date>", "situation on this date, YYYY-MM-DD (default: today)")
    .option("--lang <lang>", "language: nl, fr or en", "nl")
    .requiredOption("--out <dir>", "folder to write the PDFs and the archive to")
    .action(async (opts: { all?: boolean; nis?: string; campaign?: string; date?: string; lang: string; out: string }) => {
      if (!opts.all === !opts.nis) return fail("Give either --all or --nis <nis>.");
      if (!isLocale(opts.lang)) return fail(`--lang must be nl, fr or en (got "${opts.lang}")`);
      const date = opts.date ?? todayInBrussels();
      if (!isIsoDate(date)) return fail(`--date "${date}" is not a date: write it as YYYY-MM-DD.`);
      const ctx = await open();
      try {
        const campaign = opts.campaign ? await campaignById(ctx.database.db, opts.campaign) : (await listCampaigns(ctx.database.db))[0];
        if (!campaign) return fail(opts.campaign ? `No campaign with id ${opts.campaign}.` : "There is no awareness campaign yet.", 1);
        if (opts.nis) {
          const found = await municipalityAdvice(ctx, campaign.id, opts.nis, date);
          if (!found) return fail(`No municipality with NIS code ${opts.nis} on ${date}.`, 1);
          fs.mkdirSync(opts.out, { recursive: true });
          const file = path.join(opts.out, adviceFileName(found.advice.position, opts.nis, found.advice.government.name));
          fs.writeFileSync(file, await advicePdf({ advice: found.advice, of: found.of, campaignName: campaign.name, date, locale: opts.lang }));
          console.log(`Wrote ${file}`);
          return;
        }
        const { default: cliProgress } = await import("cli-progress");
        const bar = new cliProgress.SingleBar(
          { format: "Advice {bar} {value}/{total} municipalities", stream: process.stderr, noTTYOutput: false },
          cliProgress.Presets.shades_classic,
        );
        const result = await writeAdviceArchive(ctx, campaign.id, {
          dir: opts.out,
          date,
          locale: opts.lang,
          onStart: (total) => bar.start(total, 0),
          onProgress: (done) => bar.update(done),
        });
        bar.stop();
        console.log(`Wrote ${result.files.length} PDFs and ${result.zipPath}`);
      } finally {
        await ctx.close();
      }
    });
}
