import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";
import type { FastifyInstance } from "fastify";
import { ROOT } from "../paths";

const require = createRequire(import.meta.url);
const publicDir = path.join(ROOT, "public");

/** The few static files, read once at start and served with a content hash for long caching. */
const files: Record<string, { body: Buffer; br: Buffer; gzip: Buffer; type: string; hash: string }> = {};

// Compressed once, at the best ratio, instead of on every request (issue 9: page weight and CPU).
function add(name: string, file: string, type: string) {
  const body = fs.readFileSync(file);
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const br = compressed(name, hash, "br", () =>
    zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  );
  files[name] = { body, br, gzip: compressed(name, hash, "gz", () => zlib.gzipSync(body, { level: 9 })), type, hash };
}

/**
 * The compressed forms are kept next to the bundle, named by the content's hash: brotli at its best ratio
 * took ~75 ms of every start-up (issue 9, session 10). Written aside and renamed (a concurrent start reads
 * a whole file or none); another version of the same asset is removed. Where dist/ cannot be written (a
 * read-only install) every start compresses, as before.
 */
const cacheDir = path.join(ROOT, "dist", "assets");
export function compressed(name: string, hash: string, kind: "br" | "gz", compress: () => Buffer, dir = cacheDir): Buffer {
  const file = path.join(dir, `${name}.${hash}.${kind}`);
  try {
    return fs.readFileSync(file);
  } catch {
    // not cached yet
  }
  const out = compress();
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const other of fs.readdirSync(dir)) {
      if (other.startsWith(`${name}.`) && other.endsWith(`.${kind}`) && other !== path.basename(file)) fs.rmSync(path.join(dir, other), { force: true });
    }
    const aside = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(aside, out);
    fs.renameSync(aside, file);
  } catch {
    // read-only: compressed again at the next start
  }
  return out;
}

add("schakel.css", path.join(publicDir, "schakel.css"), "text/css; charset=utf-8");
add("htmx.min.js", require.resolve("htmx.org/dist/htmx.min.js"), "text/javascript; charset=utf-8");

export const assetUrl = (name: string): string => `/assets/${name}?v=${files[name]?.hash ?? "0"}`;

export function registerAssets(app: FastifyInstance) {
  app.get<{ Params: { name: string } }>("/assets/:name", { config: { permission: "public" } }, (request, reply) => {
    const file = files[request.params.name];
    if (!file) return reply.callNotFound();
    reply.header("cache-control", "public, max-age=31536000, immutable").header("vary", "accept-encoding").type(file.type);
    const accepted = String(request.headers["accept-encoding"] ?? "");
    if (/\bbr\b/.test(accepted)) return reply.header("content-encoding", "br").send(file.br);
    if (/\bgzip\b/.test(accepted)) return reply.header("content-encoding", "gzip").send(file.gzip);
    return reply.send(file.body);
  });
}
