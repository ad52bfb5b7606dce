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
import type { ViewContext } from "../../platform/web/view";
import type { QuarterTable } from "./case-figures";
import { type DeflatedPart, deflatePart, gzipAround, pickEncoding } from "./encoding";
import type { dashboardData } from "./service";
import { DashboardMain, DashboardPage } from "./views/dashboard";

type Dashboard = Awaited<ReturnType<typeof dashboardData>>;

export interface RenderedMain {
  /** UTF-8 (a string with one character above U+00FF would take two bytes per character). */
  bytes: Buffer;
  deflated: DeflatedPart;
}

interface Entry extends RenderedMain {
  tables: QuarterTable[];
}

const caches = new WeakMap<object, Map<string, Entry>>();
const CACHE_LIMIT = 12;

/** The main content for a date, cached per database (scope), revision, date and language. */
export function dashboardMain(scope: object, view: ViewContext, data: Dashboard, tables: QuarterTable[]): { main: RenderedMain; hit: boolean } {
  let cache = caches.get(scope);
  if (!cache) {
    cache = new Map();
    caches.set(scope, cache);
  }
  const key = `${data.revision}|${data.report.date}|${view.locale}`;
  const found = cache.get(key);
  if (found && found.tables === tables) return { main: found, hit: true };
  cache.delete(key);
  for (const k of cache.keys()) if (!k.startsWith(`${data.revision}|`) || cache.size >= CACHE_LIMIT) cache.delete(k);
  // The date field shows the date itself: a valid input is exactly the date (service.checkReportDate).
  const html = renderToString(h(DashboardMain, { ctx: sharedView(view), dateInput: data.report.date, data, caseTables: tables }));
  const bytes = Buffer.from(html);
  const entry: Entry = { tables, bytes, deflated: deflatePart(bytes) };
  cache.set(key, entry);
  return { main: entry, hit: false };
}

/**
 * The view context for shared content: language and formatting only. Whatever is per person (name,
 * CSRF token, permissions, the URL asked) is left out, so it cannot end up in another person's page.
 */
function sharedView(view: ViewContext): ViewContext {
  return {
    ...view,
    path: "/monitoring",
    query: "",
    correlationId: "",
    csrfToken: undefined,
    userName: undefined,
    can: () => {
      throw new Error("the shared dashboard content must not depend on the viewer's permissions");
    },
  };
}

export const pageCacheSize = (scope: object) => caches.get(scope)?.size ?? 0;

const MARK = "<!--schakel:main-->";

/**
 * Sends the page: the layout rendered for this request around the cached main content. Clients
 * that accept gzip get the spliced gzip; others get the HTML (and the platform compresses it).
 */
export function sendDashboard(request: FastifyRequest, reply: FastifyReply, view: ViewContext, main: RenderedMain): FastifyReply {
  // Every text in the layout is escaped, so the only "<!--" in it is the mark.
  const shell = `<!doctype html>${renderToString(h(DashboardPage, { ctx: view, mainHtml: MARK }))}`;
  const at = shell.indexOf(MARK);
  const head = shell.slice(0, at);
  const tail = shell.slice(at + MARK.length);
  reply.code(200).type("text/html; charset=utf-8").header("vary", "accept-encoding");
  if (pickEncoding(request.headers["accept-encoding"], ["gzip"]) === "gzip") {
    return reply.header("content-encoding", "gzip").send(gzipAround(head, main.deflated, tail));
  }
  return reply.send(Buffer.concat([Buffer.from(head), main.bytes, Buffer.from(tail)]));
}
