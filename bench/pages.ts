// Every HTML page, for every kind of account, at scale: "every HTML page under 60 KB compressed
// including its CSS and JS on first load" (issue 9) is checked on every GET route the app registers,
// not on a chosen few. In process (app.inject with `accept-encoding: br, gzip`, as a browser asks),
// parameters filled with real ids of cell 1 (the largest). Prints pages over the weight target or
// slower than 250 ms a request. `npm run bench:pages` on its own (BENCH_DATABASE_URL for another seeded
// database); `npm run bench` includes it (SQLite).
import { sql } from "kysely";
import type { AppContext } from "../src/platform/context";
import { createSession } from "../src/platform/auth/session";
import { buildApp, registeredRoutes } from "../src/platform/web/app";
import { scaleAccount } from "../src/modules/scale/service";

const ROLES = ["chair", "coordinator", "info", "admin", "regional-analyst", "dpo"] as const;
const SKIP = /(\.csv|\.pdf|\.json|\.svg|\/pdf|\/download|\/status|^\/api\/|^\/assets\/|^\/survey\/|\/who-saw\/:type|^\/readyz|^\/healthz|^\/metrics|^\/logout|^\/login\/oidc)/;
const BROWSER = { "accept-encoding": "br, gzip", accept: "text/html" };

export interface PageRow {
  role: string;
  route: string;
  status: number;
  ms: number;
  htmlBytes: number;
  totalKb: number;
}

/**
 * The accounts the pages are requested as: the scale accounts of cell 1 and the platform roles, plus (since
 * session 15) a reporter of cell 1 and the partner member who is the contact of the organisation with the most
 * invitations (its inbox is the longest list a partner sees).
 */
async function accounts(ctx: AppContext): Promise<{ role: string; userId: string }[]> {
  const db = ctx.database.db;
  const out: { role: string; userId: string }[] = [];
  for (const role of ROLES) {
    const u = await db.selectFrom("app_user").select("id").where("email", "=", scaleAccount(role, 1).email).executeTakeFirst();
    if (u) out.push({ role, userId: u.id });
  }
  const chair = out.find((a) => a.role === "chair");
  const cell = chair ? await db.selectFrom("membership").select("livc_id").where("user_id", "=", chair.userId).where("role", "=", "chair").executeTakeFirst() : undefined;
  const reporter = cell?.livc_id ? await db.selectFrom("membership").select("user_id").where("livc_id", "=", cell.livc_id).where("role", "=", "reporter").orderBy("user_id").executeTakeFirst() : undefined;
  if (reporter) out.push({ role: "reporter", userId: reporter.user_id });
  const partner = await db
    .selectFrom("organisation_contact as c")
    .innerJoin("partner_invitation as i", "i.organisation_id", "c.organisation_id")
    .innerJoin("membership as m", (j) => j.onRef("m.user_id", "=", "c.user_id").on("m.role", "=", "partner_member"))
    .select("c.user_id")
    .groupBy("c.user_id")
    .orderBy((eb) => eb.fn.countAll(), "desc")
    .orderBy("c.user_id")
    .executeTakeFirst();
  if (partner) out.push({ role: "partner-member", userId: partner.user_id });
  return out;
}

/** Real ids for the route parameters, from cell 1 of the scale data set. */
async function parameterValues(ctx: AppContext): Promise<Record<string, string>> {
  const db = ctx.database.db;
  const one = async <T>(q: Promise<T | undefined>, what: string): Promise<T> => {
    const r = await q;
    if (r === undefined) throw new Error(`bench pages: no ${what} in the data set`);
    return r;
  };
  const livc = await one(db.selectFrom("livc").select("id").where("code", "=", "SC001").executeTakeFirst(), "LIVC SC001");
  const c = await one(db.selectFrom("case_file").select("id").where("livc_id", "=", livc.id).where("status", "=", "active").orderBy("opened_at", "desc").limit(1).executeTakeFirst(), "active case");
  const held = await one(db.selectFrom("consultation").innerJoin("consultation_case", "consultation_case.consultation_id", "consultation.id").select(["consultation.id", "consultation_case.case_id"]).where("consultation.livc_id", "=", livc.id).where("consultation.status", "=", "held").orderBy("consultation.held_on", "desc").limit(1).executeTakeFirst(), "held consultation");
  const user = await one(db.selectFrom("app_user").select("id").where("email", "=", scaleAccount("chair", 1).email).executeTakeFirst(), "chair");
  const org = await one(db.selectFrom("organisation").select("id").orderBy("name").limit(1).executeTakeFirst(), "organisation");
  const membership = await one(db.selectFrom("livc_membership").select("id").where("livc_id", "=", livc.id).limit(1).executeTakeFirst(), "membership");
  const report = await db.selectFrom("report").select(["id", "reference"]).where("livc_id", "=", livc.id).where("status", "=", "in_screening").limit(1).executeTakeFirst();
  const invitation = await db.selectFrom("partner_invitation").select("id").where("livc_id", "=", livc.id).limit(1).executeTakeFirst();
  const campaign = await db.selectFrom("awareness_campaign").select("id").orderBy("id").limit(1).executeTakeFirst();
  const form = await db.selectFrom("feedback_form").select("id").where("livc_id", "=", livc.id).limit(1).executeTakeFirst();
  const nis = (await sql<{ nis: string }>`select nis from livc_membership where livc_id = ${livc.id} limit 1`.execute(db)).rows[0]?.nis ?? "44021";
  return {
    "/cases/:id": c.id,
    "/meetings/:id": held.id,
    "/partners/consultations/:id": held.id,
    ":caseId": held.case_id,
    "/registry/:id": livc.id,
    ":livcId": livc.id,
    ":livc": livc.id,
    "/admin/accounts/:id": user.id,
    "/admin/organisations/:id": org.id,
    ":mid": membership.id,
    ":nis": nis,
    ...(report ? { "/screening/:id": report.id, "/screening/regional/:id": report.id, ":reference": report.reference ?? report.id } : {}),
    ...(invitation ? { "/invitations/:id": invitation.id } : {}),
    ...(campaign ? { "/awareness/campaigns/:id": campaign.id } : {}),
    ...(form ? { "/feedback/:id": form.id } : {}),
  };
}

function fill(route: string, values: Record<string, string>): string | null {
  let url = route;
  const byPrefix = Object.entries(values).find(([k]) => k.startsWith("/") && route.startsWith(k));
  if (byPrefix) url = byPrefix[1] ? url.replace(/:id\b/, byPrefix[1]) : url;
  url = url.replace(/:[a-zA-Z]+/g, (p) => values[p] ?? p);
  return url.includes(":") ? null : url;
}

/** First-load bytes of the assets a page links (CSS and JS), compressed, once per asset URL. */
async function assetBytes(app: Awaited<ReturnType<typeof buildApp>>, html: string, cache: Map<string, number>): Promise<number> {
  let total = 0;
  for (const m of html.matchAll(/<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(\/[^"]+)"/g)) {
    let n = cache.get(m[1]);
    if (n === undefined) {
      n = (await app.inject({ url: m[1], headers: BROWSER })).rawPayload.length;
      cache.set(m[1], n);
    }
    total += n;
  }
  return total;
}

export async function scanPages(ctx: AppContext): Promise<PageRow[]> {
  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  try {
    const values = await parameterValues(ctx);
    const routes = [...new Set(registeredRoutes.get(app)!.filter((r) => (Array.isArray(r.method) ? r.method : [r.method]).includes("GET")).map((r) => String(r.url)))].filter((u) => !SKIP.test(u)).sort();
    const assets = new Map<string, number>();
    const rows: PageRow[] = [];
    for (const { role, userId } of await accounts(ctx)) {
      const s = await createSession(ctx.database.db, userId, "full", "password", null);
      const headers = { ...BROWSER, cookie: `__Host-schakel_session=${s.token}` };
      for (const route of routes) {
        const url = fill(route, values);
        if (!url) continue;
        await app.inject({ url, headers }); // warm: first use of a cache per database is not what a user sees twice
        const started = performance.now();
        const res = await app.inject({ url, headers });
        const ms = performance.now() - started;
        if (!String(res.headers["content-type"] ?? "").startsWith("text/html") || res.statusCode !== 200) continue;
        const plain = res.headers["content-encoding"] ? (await app.inject({ url, headers: { cookie: headers.cookie } })).body : res.body;
        const htmlBytes = res.rawPayload.length;
        rows.push({ role, route, status: res.statusCode, ms: Math.round(ms * 10) / 10, htmlBytes, totalKb: Math.round(((htmlBytes + (await assetBytes(app, plain, assets))) / 1024) * 10) / 10 });
      }
      await ctx.database.db.deleteFrom("session").where("id", "=", s.session.id).execute();
    }
    return rows;
  } finally {
    await app.close();
  }
}

/** Markdown lines: a summary, then every page over 60 KB or slower than 250 ms. */
export function pagesReport(rows: PageRow[]): string[] {
  const heavy = rows.filter((r) => r.totalKb >= 60 || r.ms >= 250);
  const max = rows.reduce((a, b) => (b.totalKb > a.totalKb ? b : a), rows[0]);
  const slow = rows.reduce((a, b) => (b.ms > a.ms ? b : a), rows[0]);
  const out = [
    `Every HTML page (${new Set(rows.map((r) => r.route)).size} routes answering 200 for at least one of ${new Set(rows.map((r) => r.role)).size} accounts, ${rows.length} page views): heaviest first load ${max.totalKb} KB (${max.route} as ${max.role}), slowest ${slow.ms} ms (${slow.route} as ${slow.role}); ${heavy.length} over 60 KB or 250 ms (target < 60 KB each).`,
  ];
  if (heavy.length > 0) {
    out.push("", "| account | route | ms | HTML bytes | first load KB |", "| --- | --- | ---: | ---: | ---: |");
    for (const r of heavy) out.push(`| ${r.role} | ${r.route} | ${r.ms} | ${r.htmlBytes} | ${r.totalKb} |`);
  }
  return out;
}

if (process.argv[1] === import.meta.filename) {
  const { openContext } = await import("../src/platform/bootstrap");
  const { loadConfig } = await import("../src/platform/config");
  const path = await import("node:path");
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const file = process.env.BENCH_SQLITE_FILE ?? path.join(path.resolve(import.meta.dirname, "../.tmp/bench"), `scale-${scale}.db`);
  // BENCH_DATABASE_URL: another seeded database, e.g. PostgreSQL (BENCH_POSTGRES_URL of `npm run bench`).
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? `sqlite:${file}`;
  const ctx = await openContext({ config: loadConfig({ ...process.env, NODE_ENV: "production", SCHAKEL_PUBLIC_URL: "http://127.0.0.1", DATABASE_URL: databaseUrl, SCHAKEL_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") }) });
  try {
    const rows = await scanPages(ctx);
    for (const line of pagesReport(rows)) console.log(line);
    if (process.env.BENCH_PAGES_ALL) for (const r of rows) console.log(`${r.role.padEnd(17)} ${r.route.padEnd(50)} ${String(r.ms).padStart(7)} ms ${String(r.totalKb).padStart(7)} KB`);
  } finally {
    await ctx.close();
  }
}
