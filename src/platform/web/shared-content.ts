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
import { extend } from "../objects";

/**
 * Shared content: its pieces, as UTF-8 bytes (the HTML may hold characters above U+00FF) and deflated once.
 * One piece, unless it was rendered with `sharedView(view, path, { csrf: true })`: then it is cut where each
 * request's CSRF token goes (forms that post), and only the pieces are ever sent, never a form without its token.
 */
export interface SharedContent {
  pieces: { bytes: Buffer; deflated: DeflatedPart }[];
}

/**
 * What a shared render writes where a form's CSRF token goes: random per process, never sent (each piece
 * around it is cut at it), so no text anybody could type or see matches it.
 */
const CSRF_PLACE = `csrf-place-${randomBytes(18).toString("hex")}`;

export function sharedContent(html: string): SharedContent {
  return {
    pieces: html.split(CSRF_PLACE).map((text) => {
      const bytes = Buffer.from(text);
      return { bytes, deflated: deflatePart(bytes) };
    }),
  };
}

/** Where the shared content goes in the page rendered per request (pass it as the content's HTML). */
export const SHARED_MARK = "<!--schakel:shared-->";

/**
 * The view context for shared content: language and formatting only. Whatever is per person (name,
 * CSRF token, permissions, the URL asked) is left out, so it cannot end up in another person's page;
 * asking for a permission throws.
 */
export function sharedView(view: ViewContext, path: string, options: { csrf?: boolean } = {}): ViewContext {
  return extend(view, {
    path,
    query: "",
    correlationId: "",
    // A place for each request's own token (sendWithShared puts it there), never a token itself.
    csrfToken: options.csrf ? CSRF_PLACE : undefined,
    userName: undefined,
    can: () => {
      throw new Error(`the shared content of ${path} must not depend on the viewer's permissions`);
    },
  });
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
  // This request's token where the shared render left a place (an attribute value: escaped as one); asked
  // for only then (an anonymous visitor's token is a cookie set on asking).
  const token = content.pieces.length > 1 ? escapeAttribute(request.csrfTokenForView?.() ?? "") : "";
  if (gzip) {
    const parts: (string | DeflatedPart)[] = [head];
    for (const [i, piece] of content.pieces.entries()) {
      if (i > 0) parts.push(token);
      parts.push(piece.deflated);
    }
    parts.push(tail);
    return reply.header("content-encoding", "gzip").send(gzipParts(parts));
  }
  const buffers: Buffer[] = [Buffer.from(head)];
  for (const [i, piece] of content.pieces.entries()) {
    if (i > 0) buffers.push(Buffer.from(token));
    buffers.push(piece.bytes);
  }
  buffers.push(Buffer.from(tail));
  return reply.send(Buffer.concat(buffers));
}

const escapeAttribute = (text: string) => text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
