/**
 * The coverage JSON of /api/v1/monitoring/coverage, serialized and compressed once per database,
 * register revision and date (issue 9: per-request JSON.stringify and brotli were most of what
 * this route did beyond the session lookup). The figures count municipalities: no personal data.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { registerRevision } from "../registry/service";
import { type Prepared, prepare } from "../../platform/web/encoding";
import { coverageReport } from "./service";

const caches = new WeakMap<Kysely<DB>, Map<string, Promise<Prepared>>>();
const CACHE_LIMIT = 64;

export async function coverageJson(db: Kysely<DB>, date: string): Promise<{ body: Prepared; hit: boolean }> {
  const revision = await registerRevision(db);
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const key = `${revision}|${date}`;
  const found = cache.get(key);
  if (found) return { body: await found, hit: true };
  for (const k of cache.keys()) if (!k.startsWith(`${revision}|`) || cache.size >= CACHE_LIMIT) cache.delete(k);
  // coverageReport reads the revision again: if the register changed in between, this entry holds
  // the newer figures under the older revision, which no later request asks for.
  const body = coverageReport(db, date).then((report) => prepare(Buffer.from(JSON.stringify(report)), "coverage"));
  body.catch(() => cache.delete(key));
  cache.set(key, body);
  return { body: await body, hit: false };
}

export const coverageJsonCacheSize = (db: Kysely<DB>) => caches.get(db)?.size ?? 0;
