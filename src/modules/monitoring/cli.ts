import type { Command } from "commander";
import { type OpenContext, reportCommand } from "../../cli/shared";
import { audit } from "../../platform/audit";
import { coverageCsv, coveragePdf } from "./export";
import { cachedMap } from "./map";
import { caseFiguresOn } from "./case-figures";
import { coverageAnswer, dashboardData, ReportDateError } from "./service";
import { extend } from "../../platform/objects";

export function monitoringCli(program: Command, open: OpenContext) {
  reportCommand(program, open, {
    name: "coverage",
    description: "LIVC coverage on a date: which municipalities have an LIVC, inter-municipal cooperation, obstacles",
    dateHelp: "YYYY-MM-DD, on or after 2019-01-01",
    dateError: ReportDateError,
    async render(ctx, { date, format, lang }) {
      const d = await dashboardData(ctx.database.db, date);
      let output: string | Buffer;
      if (format === "json") output = `${JSON.stringify(coverageAnswer(d.report), null, 2)}\n`;
      else if (format === "csv") output = coverageCsv(d, await caseFiguresOn(ctx, date));
      else {
        const map = await cachedMap(ctx.database.db, extend(d.coverage, { revision: d.revision })).image;
        output = await coveragePdf(d, lang, map.identity.toString("utf8"), await caseFiguresOn(ctx, date));
      }
      await audit.recordFor(ctx, { actor: null }, { action: `monitoring.export.${format}`, resourceType: "coverage_report", resourceId: date, outcome: "success" });
      return output;
    },
  });
}
