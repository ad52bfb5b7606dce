/**
 * Pages whose large middle is the same for every viewer (regional aggregates: the coverage dashboard,
 * the participation matrix) and whose layout is per person (navigation, name, the logout form's CSRF
 * token). The middle is rendered once per cache entry with a view context that holds nothing about the
 * viewer, kept as bytes and deflated once; each request renders only the layout around a mark and sends
 * the spliced gzip (encoding.ts), so the big part is neither rendered nor compressed again (issue 9).
 * Clients without gzip get the plain HTML, compressed by the platform as usual.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";
import { type DeflatedPart, deflatePart, gzipAround, pickEncoding } from "./encoding";
import type { ViewContext } from "./view";

export interface SharedContent {
  /** The HTML, for callers that embed it in another render. */
  html: string;
  /** UTF-8 bytes (the HTML may hold characters above U+00FF). */
  bytes: Buffer;
  deflated: DeflatedPart;
}

export function sharedContent(html: string): SharedContent {
  const bytes = Buffer.from(html);
  return { html, bytes, deflated: deflatePart(bytes) };
}

/** Where the shared content goes in the page rendered per request (pass it as the content's HTML). */
export const SHARED_MARK = "<!--schakel:shared-->";

/**
 * The view context for shared content: language and formatting only. Whatever is per person (name,
 * CSRF token, permissions, the URL asked) is left out, so it cannot end up in another person's page;
 * asking for a permission throws.
 */
export function sharedView(view: ViewContext, path: string): ViewContext {
  return {
    ...view,
    path,
    query: "",
    correlationId: "",
    csrfToken: undefined,
    userName: undefined,
    can: () => {
      throw new Error(`the shared content of ${path} must not depend on the viewer's permissions`);
    },
  };
}

/** Sends `page` (rendered now, with SHARED_MARK where the content goes) around the shared content. */
export function sendWithShared(request: FastifyRequest, reply: FastifyReply, page: JSX.Element, content: SharedContent, status = 200): FastifyReply {
  // Every text in a rendered page is escaped, so the only "<!--" in it is the mark.
  const shell = `<!doctype html>${renderToString(page)}`;
  const at = shell.indexOf(SHARED_MARK);
  if (at < 0) throw new Error("sendWithShared: the page has no place for the shared content");
  const head = shell.slice(0, at);
  const tail = shell.slice(at + SHARED_MARK.length);
  reply.code(status).type("text/html; charset=utf-8").header("vary", "accept-encoding");
  if (pickEncoding(request.headers["accept-encoding"], ["gzip"]) === "gzip") {
    return reply.header("content-encoding", "gzip").send(gzipAround(head, content.deflated, tail));
  }
  return reply.send(Buffer.concat([Buffer.from(head), content.bytes, Buffer.from(tail)]));
}
