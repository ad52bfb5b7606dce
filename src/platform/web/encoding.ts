/**
 * Responses whose bytes are compressed once and reused (issue 9: brotli on a 250-380 KB dashboard
 * was a fifth of the CPU of every request).
 *
 * - pickEncoding: content negotiation on Accept-Encoding (q=0 refuses an encoding).
 * - Spliced gzip for a page whose large middle is shared and whose edges are per person: the middle
 *   is deflated once, ending on a byte boundary (Z_SYNC_FLUSH); per request the small head and tail
 *   are added as stored (uncompressed) blocks and the pieces are joined under one gzip header. A deflate
 *   stream is a series of independent blocks (no state other than the 32 KB window, and a piece
 *   compressed on its own never refers before its start), so the joined stream decodes to head +
 *   middle + tail. The gzip CRC-32 is combined arithmetically (zlib's crc32_combine), without
 *   reading the middle again.
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

export type Encoding = "br" | "gzip" | "identity";

/** The first of `offered` that the client accepts (a q-value of 0 refuses), else identity. */
export function pickEncoding(acceptEncoding: string | string[] | undefined, offered: readonly ("br" | "gzip")[]): Encoding {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : (acceptEncoding ?? "");
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  for (const e of offered) {
    const q = accepted.get(e) ?? accepted.get("*");
    if (q !== undefined && q > 0) return e;
  }
  return "identity";
}

// CRC-32 arithmetic modulo the gzip polynomial (reflected), as in zlib 1.2.12's crc32.c.
const POLY = 0xedb88320;

function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

const X2N: number[] = [0x40000000];
for (let n = 1; n < 32; n++) X2N.push(multmodp(X2N[n - 1], X2N[n - 1]));

/** x^(8 * bytes) modulo the polynomial: the operator that shifts a CRC past `bytes` bytes. */
function shiftOperator(bytes: number): number {
  let p = 0x80000000;
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multmodp(X2N[k & 31], p);
  }
  return p;
}

/** CRC-32 of a + b from crc(a), crc(b) and the length of b. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(shiftOperator(lengthB), crcA) ^ crcB) >>> 0;
}

/** A shared middle part: raw deflate ending on a byte boundary, with what the gzip trailer needs. */
export interface DeflatedPart {
  deflate: Buffer;
  crc: number;
  length: number;
  /** shiftOperator(length), kept so a request combines the CRC with one multiplication. */
  shift: number;
}

export function deflatePart(bytes: Buffer): DeflatedPart {
  return {
    deflate: zlib.deflateRawSync(bytes, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    crc: zlib.crc32(bytes),
    length: bytes.length,
    shift: shiftOperator(bytes.length),
  };
}

// ID1 ID2, CM=deflate, no flags, no mtime, no extra flags, OS unknown.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/**
 * Bytes as "stored" deflate blocks (RFC 1951 3.2.4): per block the header bits BFINAL and BTYPE=00
 * padded to the byte, LEN, NLEN and up to 65,535 bytes. The per-request head and footer of a page
 * are ~2 KB: storing them costs ~1 KB on the wire and saves a zlib stream per request (~30-70 µs,
 * most of what the dashboard did beyond the session lookup). Stored blocks start and end on a byte
 * boundary, as the shared middle does.
 */
function storedSize(length: number): number {
  return length + 5 * Math.max(1, Math.ceil(length / 0xffff));
}

/** Writes the text at `at` as stored blocks (one when it fits, else one per 65,535 bytes); returns the end. */
function writeStored(out: Buffer, at: number, text: string, length: number, final: boolean): number {
  if (length <= 0xffff) {
    out[at] = final ? 0x01 : 0x00;
    out.writeUInt16LE(length, at + 1);
    out.writeUInt16LE(~length & 0xffff, at + 3);
    out.write(text, at + 5, "utf8");
    return at + 5 + length;
  }
  const bytes = Buffer.from(text);
  for (let from = 0; from < length; from += 0xffff) {
    const n = Math.min(0xffff, length - from);
    out[at] = final && from + n === length ? 0x01 : 0x00;
    out.writeUInt16LE(n, at + 1);
    out.writeUInt16LE(~n & 0xffff, at + 3);
    bytes.copy(out, at + 5, from, from + n);
    at += 5 + n;
  }
  return at;
}

/**
 * One gzip member: head (stored) + the shared middle (deflated once) + tail (stored, final block),
 * written into one buffer (the page is sent many times a second: no intermediate copies).
 */
export function gzipAround(head: string, middle: DeflatedPart, tail: string): Buffer {
  return gzipParts([head, middle, tail]);
}

/**
 * One gzip member of texts rendered per request (stored) and shared parts (deflated once), in order;
 * the last part is a text (the final block). Texts are short (the layout's head and tail, a CSRF token).
 */
export function gzipParts(parts: readonly (string | DeflatedPart)[]): Buffer {
  const last = parts.length - 1;
  if (last < 0 || typeof parts[last] !== "string") throw new Error("gzipParts: the last part must be a text");
  const lengths = parts.map((p) => (typeof p === "string" ? Buffer.byteLength(p) : p.length));
  let size = GZIP_HEADER.length + 8;
  for (const [i, p] of parts.entries()) size += typeof p === "string" ? storedSize(lengths[i]) : p.deflate.length;
  const out = Buffer.allocUnsafe(size);
  let at = GZIP_HEADER.copy(out, 0);
  let crc = 0;
  let total = 0;
  for (const [i, p] of parts.entries()) {
    if (typeof p === "string") {
      at = writeStored(out, at, p, lengths[i], i === last);
      // Nothing before it: its own CRC (combining with nothing would still compute the shift operator).
      crc = total === 0 ? zlib.crc32(p) : crc32Combine(crc, zlib.crc32(p), lengths[i]);
    } else {
      at += p.deflate.copy(out, at);
      crc = (multmodp(p.shift, crc) ^ p.crc) >>> 0;
    }
    total += lengths[i];
  }
  out.writeUInt32LE(crc, at);
  out.writeUInt32LE(total % 2 ** 32, at + 4);
  return out;
}

/** A response body prepared once: the bytes, their compressed forms and a content ETag. */
export interface Prepared {
  etag: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

/** True when If-None-Match names the ETag (weak or strong) or is "*". */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === etag;
  });
}

/**
 * Sends a prepared body: 304 when the client has it, else the compressed form it accepts.
 * "private, no-cache": the browser keeps it but asks again each time (it changes with the register).
 */
export function sendPrepared(request: FastifyRequest, reply: FastifyReply, body: Prepared, type: string): FastifyReply {
  reply.header("etag", body.etag).header("cache-control", "private, no-cache").header("vary", "accept-encoding");
  if (notModified(request.headers["if-none-match"], body.etag)) return reply.code(304).send();
  const encoding = pickEncoding(request.headers["accept-encoding"], ["br", "gzip"]);
  reply.type(type);
  if (encoding === "identity") return reply.send(body.identity);
  return reply.header("content-encoding", encoding).send(encoding === "br" ? body.br : body.gzip);
}

const brotliAsync = promisify(zlib.brotliCompress);
const gzipAsync = promisify(zlib.gzip);

/**
 * Compresses a body once at the best ratio (brotli 11, gzip 9), off the event loop (the thread
 * pool): it is sent many times. The ETag is a hash of the content, so it is right across instances.
 */
export async function prepare(identity: Buffer, tag: string, opts: { fast?: boolean } = {}): Promise<Prepared> {
  // fast: for a first answer that must not wait (brotli 5 is ~10x faster than 11 and ~20% larger).
  const [br, gzip] = await Promise.all([
    brotliAsync(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: opts.fast ? 5 : 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzipAsync(identity, { level: opts.fast ? 6 : 9 }),
  ]);
  return { etag: `"${tag}-${createHash("sha256").update(identity).digest("base64url").slice(0, 22)}"`, identity, br, gzip };
}
