import type { Command } from "commander";
import type { OpenContext as Open } from "../../cli/shared";
import { isIsoDate } from "../../platform/db/values";
import { reportPurgeLogPage } from "../intake/retention-overview";
import { casePurgeLogPage } from "./retention-overview";

/** One line of the purge log as the CLI prints it: the proof (what, when, kinds and counts), never content. */
export interface PurgeLogLine {
  kind: "case" | "report";
  purgedAt: string;
  /** The case's pseudonymous label or the report's random reference. */
  name: string;
  livcId: string | null;
  retentionUntil: string | null;
  cause: string;
  removed: Record<string, number>;
}

/** Both purge logs since a day (inclusive), newest first: what /retention shows, for the CLI and scripts. */
export async function purgeLogLines(ctx: Parameters<typeof casePurgeLogPage>[0], since?: string): Promise<PurgeLogLine[]> {
  const all = { since, limit: 1_000_000, offset: 0 };
  const [cases, reports] = await Promise.all([casePurgeLogPage(ctx, all), reportPurgeLogPage(ctx, all)]);
  const lines: PurgeLogLine[] = [
    ...cases.rows.map((r) => ({ kind: "case" as const, purgedAt: r.purgedAt, name: r.label, livcId: r.livcId, retentionUntil: r.retentionUntil, cause: "retention_end", removed: r.removed })),
    ...reports.rows.map((r) => ({ kind: "report" as const, purgedAt: r.purgedAt, name: r.reference, livcId: r.livcId, retentionUntil: r.retentionUntil, cause: r.cause, removed: r.removed })),
  ];
  return lines.sort((a, b) => (a.purgedAt < b.purgedAt ? 1 : a.purgedAt > b.purgedAt ? -1 : 0));
}

const removedText = (removed: Record<string, number>) =>
  Object.entries(removed)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "nothing left to remove";

/** `schakel purge log [--since YYYY-MM-DD] [--json]`: the purge logs of cases and reports. */
export function purgeLogCli(program: Command, open: Open) {
  const purge = program.commands.find((c) => c.name() === "purge");
  if (!purge) return;
  purge
    .command("log")
    .description("Print the proof of every purge (cases and reports), newest first: kinds and counts removed, never content")
    .option("--since <date>", "only purges on or after this day (YYYY-MM-DD)")
    .option("--json", "one JSON array instead of lines")
    .action(async (opts: { since?: string; json?: boolean }) => {
      if (opts.since && !isIsoDate(opts.since)) {
        console.error(`--since must be YYYY-MM-DD (got "${opts.since}")`);
        process.exitCode = 2;
        return;
      }
      const ctx = await open();
      try {
        const lines = await purgeLogLines(ctx, opts.since);
        if (opts.json) {
          console.log(JSON.stringify(lines, null, 2));
          return;
        }
        for (const l of lines) {
          console.log(`${l.purgedAt}  ${l.kind} ${l.name}  (retention until ${l.retentionUntil ?? "-"}; ${l.cause}): ${removedText(l.removed)}`);
        }
        console.log(`${lines.length} purge(s)${opts.since ? ` since ${opts.since}` : ""}.`);
      } finally {
        await ctx.close();
      }
    });
}
