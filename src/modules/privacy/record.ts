import type { AppContext } from "../../platform/context";
import type { MessageKey, Translate } from "../../platform/i18n";
import { reviewMonths } from "../cases/service";
import { casePurgeLogPage } from "../cases/retention-overview";
import { intakeRetentionConfig } from "../intake/retention-config";
import { reportPurgeLogPage } from "../intake/retention-overview";
import { listLivcs } from "../registry/service";
import { BACKUP_RETENTION_DAYS } from "../backup/service";
import { STASH_MINUTES } from "../../platform/auth/stash";

/**
 * The record of processing activities (GDPR art. 30) for the DPO (decision 0054). Fixed text from the
 * dictionary, with the values that differ per installation filled in from the running configuration
 * (retention terms, review months, session limits) and the database (registered LIVCs, newest purge).
 * One structure feeds both the page and the downloadable Markdown document, so they cannot differ.
 */
export interface RecordSection {
  id: string;
  heading: string;
  items: string[];
}

/** The installation-specific facts the fixed text is filled with. */
export interface RecordFacts {
  retentionYears: number;
  retentionMinorYears: number;
  reviewMonths: number[];
  notTakenUpMonths: number;
  draftDays: number;
  idleMinutes: number;
  absoluteHours: number;
  livcs: number;
  /** ISO timestamp of the newest case or report purge, null when nothing was purged yet. */
  newestPurge: string | null;
  backupDays: number;
}

export async function recordFacts(ctx: AppContext): Promise<RecordFacts> {
  const [livcs, cases, reports] = await Promise.all([
    listLivcs(ctx.database.db),
    casePurgeLogPage(ctx, { limit: 1, offset: 0 }),
    reportPurgeLogPage(ctx, { limit: 1, offset: 0 }),
  ]);
  const dates = [cases.rows[0]?.purgedAt, reports.rows[0]?.purgedAt].filter((d): d is string => Boolean(d)).sort();
  return {
    retentionYears: ctx.config.SCHAKEL_RETENTION_YEARS,
    retentionMinorYears: ctx.config.SCHAKEL_RETENTION_MINOR_YEARS,
    reviewMonths: reviewMonths(),
    notTakenUpMonths: intakeRetentionConfig().notTakenUpMonths,
    draftDays: intakeRetentionConfig().draftDays,
    idleMinutes: ctx.config.SCHAKEL_SESSION_IDLE_MINUTES,
    absoluteHours: ctx.config.SCHAKEL_SESSION_ABSOLUTE_HOURS,
    livcs: livcs.length,
    newestPurge: dates.at(-1) ?? null,
    backupDays: BACKUP_RETENTION_DAYS,
  };
}

type Fmt = { t: Translate; num: (n: number) => string; date: (iso: string) => string; list: (xs: string[]) => string };

export function recordSections(f: RecordFacts, fmt: Fmt): RecordSection[] {
  const { t, num } = fmt;
  const keys = (...ks: MessageKey[]) => ks.map((k) => t(k));
  const terms = { years: num(f.retentionYears), minor: num(f.retentionMinorYears) };
  return [
    { id: "controller", heading: t("pr.s.controller"), items: [...keys("pr.controller.who", "pr.controller.dpo", "pr.controller.processor"), t("pr.controller.livcs", { count: num(f.livcs) })] },
    { id: "purposes", heading: t("pr.s.purposes"), items: keys("pr.purpose.consult", "pr.purpose.intake", "pr.purpose.followup", "pr.purpose.feedback", "pr.purpose.figures", "pr.purpose.security") },
    { id: "legal", heading: t("pr.s.legal"), items: keys("pr.legal.gdpr", "pr.legal.law", "pr.legal.decree", "pr.legal.secrecy", "pr.legal.special", "pr.legal.court") },
    { id: "subjects", heading: t("pr.s.subjects"), items: keys("pr.subject.persons", "pr.subject.reporters", "pr.subject.members", "pr.subject.respondents") },
    { id: "data", heading: t("pr.s.data"), items: keys("pr.data.identity", "pr.data.content", "pr.data.accounts", "pr.data.audit") },
    { id: "recipients", heading: t("pr.s.recipients"), items: keys("pr.recipient.partners", "pr.recipient.ltf", "pr.recipient.reporter", "pr.recipient.region") },
    { id: "transfers", heading: t("pr.s.transfers"), items: keys("pr.transfers.none") },
    {
      id: "retention",
      heading: t("pr.s.retention"),
      items: [
        t("pr.retention.case", terms),
        t("pr.retention.report", terms),
        t("pr.retention.not_taken_up", { months: num(f.notTakenUpMonths) }),
        t("pr.retention.drafts", { days: num(f.draftDays) }),
        t("pr.retention.review", { months: fmt.list(f.reviewMonths.map((m) => num(m))) }),
        t("pr.retention.schedule"),
        f.newestPurge ? t("pr.retention.last", { date: fmt.date(f.newestPurge) }) : t("pr.retention.never"),
        t("pr.retention.withdrawn"),
        t("pr.retention.sessions", { idle: num(f.idleMinutes), hours: num(f.absoluteHours), stash: num(STASH_MINUTES) }),
        t("pr.retention.audit"),
        t("pr.retention.backups", { days: num(f.backupDays) }),
      ],
    },
    { id: "security", heading: t("pr.s.security"), items: keys("pr.security.encryption", "pr.security.blind", "pr.security.audit", "pr.security.access", "pr.security.minimisation") },
  ];
}

/** The downloadable document: the same sections as Markdown. */
export function recordMarkdown(title: string, lines: string[], sections: RecordSection[]): string {
  const out = [`# ${title}`, "", ...lines.flatMap((l) => [l, ""])];
  for (const s of sections) {
    out.push(`## ${s.heading}`, "");
    for (const item of s.items) out.push(`- ${item}`);
    out.push("");
  }
  return out.join("\n");
}
