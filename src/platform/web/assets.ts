import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyInstance } from "fastify";

const require = createRequire(import.meta.url);
const publicDir = path.resolve(import.meta.dirname, "../../../public");

/** The few static files, read once at start and served with a content hash for long caching. */
const files: Record<string, { body: Buffer; type: string; hash: string }> = {};

function add(name: string, file: string, type: string) {
  const body = fs.readFileSync(file);
  files[name] = { body, type, hash: createHash("sha256").update(body).digest("hex").slice(0, 12) };
}

add("schakel.css", path.join(publicDir, "schakel.css"), "text/css; charset=utf-8");
add("htmx.min.js", require.resolve("htmx.org/dist/htmx.min.js"), "text/javascript; charset=utf-8");

export const assetUrl = (name: string): string => `/assets/${name}?v=${files[name]?.hash ?? "0"}`;

export function registerAssets(app: FastifyInstance) {
  app.get<{ Params: { name: string } }>("/assets/:name", { config: { permission: "public" } }, (request, reply) => {
    const file = files[request.params.name];
    if (!file) return reply.callNotFound();
    return reply.header("cache-control", "public, max-age=31536000, immutable").type(file.type).send(file.body);
  });
}
