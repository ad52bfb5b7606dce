import type { FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";
import type { Actor } from "../policy/actor";
import { type Permission, PERMISSIONS } from "../policy/permissions";
import { formatDate, formatNumber, type Locale, type Translate, translator } from "../i18n";

/** Everything a view needs from the request, passed explicitly as props. */
export interface ViewContext {
  locale: Locale;
  t: Translate;
  path: string;
  query: string;
  correlationId: string;
  csrfToken?: string;
  userName?: string;
  /** Whether the person holds a route permission (for showing links; routes still check). */
  can: (permission: Permission) => boolean;
  demo: boolean;
  /** Pending LIVC role requests the person may approve (decision 0049): the navigation shows the number. */
  pendingApprovals: number;
  date: (iso: string | null | undefined) => string;
  num: (n: number, opts?: Intl.NumberFormatOptions) => string;
}

export function viewContext(request: FastifyRequest): ViewContext {
  const locale = request.locale;
  const [path, query = ""] = request.url.split("?");
  return {
    locale,
    t: translator(locale),
    path,
    query,
    correlationId: String(request.id),
    csrfToken: request.csrfTokenForView?.(),
    userName: request.actor?.displayName,
    can: (permission) => PERMISSIONS[permission].holds(request.actor),
    demo: request.server.demoMode,
    pendingApprovals: request.actor?.pendingApprovals ?? 0,
    date: (iso) => formatDate(locale, iso),
    num: (n, opts) => formatNumber(locale, n, opts),
  };
}

export function sendPage(reply: FastifyReply, page: JSX.Element, status = 200): FastifyReply {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .send(`<!doctype html>${renderToString(page)}`);
}

declare module "fastify" {
  interface FastifyRequest {
    locale: Locale;
    actor: Actor | null;
    csrfTokenForView?: () => string;
  }
  interface FastifyInstance {
    demoMode: boolean;
  }
}
