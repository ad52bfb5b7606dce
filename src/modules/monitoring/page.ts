/**
 * The coverage dashboard's main content, rendered once and reused (issue 9: rendering and
 * compressing the whole page on every request was most of its CPU).
 *
 * The content inside <main> depends only on the register revision, the date, the language and the
 * case-figure tables (kept a minute by case-figures.ts: a new tables object means new figures); every
 * analyst sees the same. The layout around it (navigation, name, the logout form's CSRF token) is
 * rendered per request. The cached content is also kept deflated, and a gzip response is the
 * per-request head and tail deflated around it (encoding.ts), so the big part is never compressed
 * again. Aggregates only: the cached markup holds no personal data.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { SHARED_MARK, type SharedContent, sendWithShared, sharedContent, sharedView } from "../../platform/web/shared-content";
import { todayInBrussels } from "../../platform/db/values";
import type { ViewContext } from "../../platform/web/view";
import type { QuarterTable } from "./case-figures";
import type { dashboardData } from "./service";
import { DashboardMain, DashboardPage } from "./views/dashboard";

type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

export type RenderedMain = SharedContent;

interface Entry extends RenderedMain {
  tables: QuarterTable[];
}

const caches = new WeakMap<object, Map<string, Entry>>();
const CACHE_LIMIT = 12;

/** The main content for a date, cached per database (scope), revision, date and language. */
export function dashboardMain(scope: object, view: ViewContext, data: Dashboard, tables: QuarterTable[], today = todayInBrussels()): { main: RenderedMain; hit: boolean } {
  let cache = caches.get(scope);
  if (!cache) {
    cache = new Map();
    caches.set(scope, cache);
  }
  // A date after today carries a notice saying so (decision 0052); once that day comes, the notice goes.
  const afterToday = data.report.date > today;
  const key = `${data.revision}|${data.report.date}|${view.locale}|${afterToday ? today : ""}`;
  const found = cache.get(key);
  if (found && found.tables === tables) return { main: found, hit: true };
  cache.delete(key);
  for (const k of cache.keys()) if (!k.startsWith(`${data.revision}|`) || cache.size >= CACHE_LIMIT) cache.delete(k);
  // The date field shows the date itself: a valid input is exactly the date (service.checkReportDate).
  const html = renderToString(h(DashboardMain, { ctx: sharedView(view, "/monitoring"), dateInput: data.report.date, data, caseTables: tables, afterToday }));
  const entry: Entry = { tables, ...sharedContent(html) };
  cache.set(key, entry);
  return { main: entry, hit: false };
}

export const pageCacheSize = (scope: object) => caches.get(scope)?.size ?? 0;

/** Sends the page: the layout rendered for this request around the cached main content (platform/web/shared-content.ts). */
export function sendDashboard(request: FastifyRequest, reply: FastifyReply, view: ViewContext, main: RenderedMain): FastifyReply {
  return sendWithShared(request, reply, h(DashboardPage, { ctx: view, mainHtml: SHARED_MARK }), main);
}
