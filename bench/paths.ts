// Schakel's key paths against a seeded database: who logs in, what is requested, and the page-weight
// and CSV-export checks that are single timed requests rather than load.
import http from "node:http";
import { sql } from "kysely";
import type { AppContext } from "../src/platform/context";
import { scaleAccount } from "../src/modules/scale/service";
import type { BenchTarget } from "./harness";
import { rssMb } from "./harness";
import { login } from "./session";

const BROWSER = { "accept-encoding": "br, gzip", accept: "text/html,application/xhtml+xml" };

export interface Fixtures {
  caseId: string;
  nis: string;
  reporterEmail: string;
  exportFrom: string;
  exportTo: string;
  exportRows: number;
}

/** Picks the benchmark's subjects from the seeded data: a case of cell 1, a reporter of cell 1, a period of ~100,000 audit entries. */
export async function fixtures(ctx: AppContext): Promise<Fixtures> {
  const db = ctx.database.db;
  const livc = await db.selectFrom("livc").select("id").where("code", "=", "SC001").executeTakeFirstOrThrow();
  const c = await db.selectFrom("case_file").select("id").where("livc_id", "=", livc.id).where("status", "=", "active").orderBy("opened_on", "desc").limit(1).executeTakeFirstOrThrow();
  const m = await db.selectFrom("livc_membership").select("nis").where("livc_id", "=", livc.id).where("left_on", "is", null).limit(1).executeTakeFirstOrThrow();
  const reporter = await db
    .selectFrom("membership")
    .innerJoin("app_user", "app_user.id", "membership.user_id")
    .select("app_user.email")
    .where("membership.livc_id", "=", livc.id)
    .where("membership.role", "=", "reporter")
    .limit(1)
    .executeTakeFirstOrThrow();
  // The last 100,000 seeded entries before the synthetic period ends: whole days, so the export's date filter matches.
  const last = await db.selectFrom("audit_entry").select(["seq", "at"]).where("at", "<", "2026-11-01").orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
  const first = await db.selectFrom("audit_entry").select("at").where("seq", "=", Math.max(1, Number(last.seq) - 100_000)).executeTakeFirstOrThrow();
  const exportFrom = first.at.slice(0, 10);
  const exportTo = last.at.slice(0, 10);
  const n = await sql<{ n: number }>`select count(*) as n from audit_entry where at >= ${`${exportFrom}T00:00:00.000Z`} and at < ${"2026-11-01T00:00:00.000Z"}`.execute(db);
  return { caseId: c.id, nis: m.nis, reporterEmail: reporter.email, exportFrom, exportTo, exportRows: Number(n.rows[0].n) };
}

export async function sessions(base: string, f: Fixtures) {
  const chair = await login(base, scaleAccount("chair", 1));
  const analyst = await login(base, scaleAccount("regional-analyst"));
  const dpo = await login(base, scaleAccount("dpo"));
  const reporter = await login(base, { ...scaleAccount("chair"), email: f.reporterEmail });
  return { chair, analyst, dpo, reporter };
}

export function targets(base: string, s: Awaited<ReturnType<typeof sessions>>, f: Fixtures): (BenchTarget & { kind: "case" | "coverage" | "dashboard" | "report" | "other" })[] {
  const report = new URLSearchParams({
    _csrf: s.reporter.csrf,
    identity_known: "known",
    subject_name: "Fictieve Persoon",
    subject_birth_date: "2007-03-14",
    municipality_nis: f.nis,
    signals: "supports_violence",
    observation: "Synthetische melding van de benchmark.",
    since: "weeks",
    person_knows: "no",
    reporter_contact: "bench@scale.schakel.invalid",
  }).toString();
  return [
    { kind: "other", name: "login page (anonymous)", url: `${base}/login`, headers: BROWSER },
    { kind: "case", name: "case list of one LIVC (chair)", url: `${base}/cases`, headers: { ...BROWSER, cookie: s.chair.cookie } },
    { kind: "case", name: "case page (chair)", url: `${base}/cases/${f.caseId}`, headers: { ...BROWSER, cookie: s.chair.cookie } },
    { kind: "report", name: "submit a report (POST + CSRF)", url: `${base}/reports`, method: "POST", body: report, headers: { ...BROWSER, cookie: s.reporter.cookie, "content-type": "application/x-www-form-urlencoded" }, okStatus: [303] },
    { kind: "dashboard", name: "coverage dashboard (analyst)", url: `${base}/monitoring`, headers: { ...BROWSER, cookie: s.analyst.cookie } },
    { kind: "coverage", name: "coverage JSON (analyst)", url: `${base}/api/v1/monitoring/coverage?date=2026-06-30`, headers: { "accept-encoding": "br, gzip", cookie: s.analyst.cookie } },
    { kind: "other", name: "participation matrix (analyst)", url: `${base}/monitoring/participation`, headers: { ...BROWSER, cookie: s.analyst.cookie } },
  ];
}

/**
 * The floor under every path (bench:cpu only, not `npm run bench`): the same tiny public route without
 * and with a session cookie, so the server's CPU splits into Fastify + Schakel's hooks and headers (no
 * session, no database), the session statement with its read turn, and what a path adds on top.
 */
export function floorTargets(base: string, s: Awaited<ReturnType<typeof sessions>>): BenchTarget[] {
  return [
    { name: "floor: /healthz, no session", url: `${base}/healthz`, headers: { "accept-encoding": "br, gzip" } },
    { name: "floor: /healthz, analyst's session", url: `${base}/healthz`, headers: { "accept-encoding": "br, gzip", cookie: s.analyst.cookie } },
  ];
}

/** Bytes on the wire of one response with the headers given (no decompression). */
export function wireGet(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; encoding: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, bytes: body.length, encoding: String(res.headers["content-encoding"] ?? "identity"), body });
        });
      })
      .on("error", reject);
  });
}

/** First-load weight of a page: the HTML plus every stylesheet and script it references, as compressed on the wire. */
export async function pageWeight(base: string, path: string, cookie: string) {
  const headers = { ...BROWSER, cookie };
  const page = await wireGet(`${base}${path}`, headers);
  const html = (await wireGet(`${base}${path}`, { cookie })).body.toString("utf8");
  const assets = [...html.matchAll(/<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"/g)].map((m) => m[1]).filter((u) => u.startsWith("/"));
  let assetBytes = 0;
  for (const a of assets) assetBytes += (await wireGet(`${base}${a}`, headers)).bytes;
  return { path, status: page.status, encoding: page.encoding, htmlBytes: page.bytes, assets: assets.length, assetBytes, totalKb: Math.round(((page.bytes + assetBytes) / 1024) * 10) / 10 };
}

/** The CSV export, timed, with the server's resident memory sampled every 20 ms while it streams. */
export async function timedExport(url: string, cookie: string, pid: number) {
  const before = rssMb(pid) ?? 0;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, 20);
  const started = performance.now();
  let firstByteMs = 0;
  const { bytes, lines, status } = await new Promise<{ bytes: number; lines: number; status: number }>((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (res) => {
        firstByteMs = performance.now() - started;
        let bytes = 0;
        let lines = 0;
        res.on("data", (c: Buffer) => {
          bytes += c.length;
          for (let i = 0; i < c.length; i++) if (c[i] === 10) lines++;
        });
        res.on("end", () => resolve({ bytes, lines, status: res.statusCode ?? 0 }));
      })
      .on("error", reject);
  });
  const ms = performance.now() - started;
  clearInterval(timer);
  return { status, ms: Math.round(ms), firstByteMs: Math.round(firstByteMs), rows: lines - 1, mb: Math.round(bytes / 2 ** 20), rssBeforeMb: before, rssPeakMb: peak };
}

/**
 * Removes the reports the "submit a report" path made (the benchmark reporter's, created since `since`),
 * with their events and alerts. A reused database otherwise grows by a few thousand identical reports
 * per run in one cell's queue and in its screeners' alerts (255,000 after two days of runs), and the
 * every-page scan then measures that backlog instead of the seeded data set. The audit entries stay: the
 * chain is append-only.
 */
export async function removeBenchReports(ctx: AppContext, reporterEmail: string, since: string): Promise<number> {
  const db = ctx.database.db;
  const user = await db.selectFrom("app_user").select("id").where("email", "=", reporterEmail).executeTakeFirstOrThrow();
  // A fixed list of ids: a submission still finishing meanwhile commits its report with its alerts and
  // events, so every report in the list has all of them already (PostgreSQL, read committed).
  const ids = (await db.selectFrom("report").select("id").where("reporter_user_id", "=", user.id).where("created_at", ">=", since).execute()).map((r) => r.id);
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await trx.deleteFrom("intake_alert").where("report_id", "in", chunk).execute();
      await trx.deleteFrom("report_event").where("report_id", "in", chunk).execute();
      await trx.deleteFrom("report").where("id", "in", chunk).execute();
    }
  });
  return ids.length;
}
