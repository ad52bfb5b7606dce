/**
 * Pages whose large middle is the same for every viewer (regional aggregates: the coverage dashboard,
 * the participation matrix) and whose layout is per person (navigation, name, the logout form's CSRF
 * token). The middle is rendered once per cache entry with a view context that holds nothing about the
 * viewer, kept as bytes and deflated once; each request renders only the layout around a mark and sends
 * the spliced gzip (encoding.ts), so the big part is neither rendered nor compressed again (issue 9).
 * Clients without gzip get the plain HTML, compressed by the platform as usual.
 *
 * A middle with forms that post (the case list's person search, decision 0077) is rendered with a place
 * for the CSRF token instead of a token; it is cut there, and each request's own token goes between the
 * pieces (a stored gzip block), so one rendering serves many people without sharing a token.
 */
import { randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";
import { type DeflatedPart, deflatePart, gzipParts, pickEncoding } from "./encoding";
import type { ViewContext } from "./view";

export interface SharedContent {
  /** The HTML, for callers that embed it in another render (empty for content with CSRF places: send it with sendWithShared). */
  html: string;
  /** UTF-8 bytes (the HTML may hold characters above U+00FF). */
  bytes: Buffer;
  deflated: DeflatedPart;
  /**
   * Content rendered with `sharedView(view, path, { csrf: true })`: the pieces between the places where
   * each request's CSRF token goes (forms that post), as bytes and deflated. Absent: no such place.
   */
  pieces?: { bytes: Buffer; deflated: DeflatedPart }[];
}

/**
 * What a shared render writes where a form's CSRF token goes: random per process, never sent (each piece
 * around it is cut at it), so no text anybody could type or see matches it.
 */
const CSRF_PLACE = `csrf-place-${randomBytes(18).toString("hex")}`;

export function sharedContent(html: string): SharedContent {
  const bytes = Buffer.from(html);
  const cut = html.split(CSRF_PLACE);
  if (cut.length === 1) return { html, bytes, deflated: deflatePart(bytes) };
  const pieces = cut.map((text) => {
    const b = Buffer.from(text);
    return { bytes: b, deflated: deflatePart(b) };
  });
  // No whole form without its token: only the pieces are ever sent.
  return { html: "", bytes: Buffer.alloc(0), deflated: deflatePart(Buffer.alloc(0)), pieces };
}

/** Where the shared content goes in the page rendered per request (pass it as the content's HTML). */
export const SHARED_MARK = "<!--schakel:shared-->";

/**
 * The view context for shared content: language and formatting only. Whatever is per person (name,
 * CSRF token, permissions, the URL asked) is left out, so it cannot end up in another person's page;
 * asking for a permission throws.
 */
export function sharedView(view: ViewContext, path: string, options: { csrf?: boolean } = {}): ViewContext {
  return {
    ...view,
    path,
    query: "",
    correlationId: "",
    // A place for each request's own token (sendWithShared puts it there), never a token itself.
    csrfToken: options.csrf ? CSRF_PLACE : undefined,
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
  const gzip = pickEncoding(request.headers["accept-encoding"], ["gzip"]) === "gzip";
  if (!content.pieces) {
    if (gzip) return reply.header("content-encoding", "gzip").send(gzipParts([head, content.deflated, tail]));
    return reply.send(Buffer.concat([Buffer.from(head), content.bytes, Buffer.from(tail)]));
  }
  // This request's token where the shared render left a place (an attribute value: escaped as one).
  const token = escapeAttribute(request.csrfTokenForView?.() ?? "");
  if (gzip) {
    const parts: (string | DeflatedPart)[] = [head];
    for (const [i, piece] of content.pieces.entries()) parts.push(...(i > 0 ? [token, piece.deflated] : [piece.deflated]));
    parts.push(tail);
    return reply.header("content-encoding", "gzip").send(gzipParts(parts));
  }
  const buffers: Buffer[] = [Buffer.from(head)];
  for (const [i, piece] of content.pieces.entries()) buffers.push(...(i > 0 ? [Buffer.from(token), piece.bytes] : [piece.bytes]));
  buffers.push(Buffer.from(tail));
  return reply.send(Buffer.concat(buffers));
}

const escapeAttribute = (text: string) => text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
