/**
 * The coverage JSON of /api/v1/monitoring/coverage, serialized and compressed once per database,
 * register revision and date (issue 9: per-request JSON.stringify and brotli were most of what
 * this route did beyond the session lookup). The figures count municipalities: no personal data.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { registerRevision } from "../registry/service";
import { type Prepared, prepare } from "../../platform/web/encoding";
import { todayInBrussels } from "../../platform/db/values";
import { coverageAnswer, coverageReport } from "./service";

const caches = new WeakMap<Kysely<DB>, Map<string, Promise<Prepared>>>();
const CACHE_LIMIT = 64;

export async function coverageJson(db: Kysely<DB>, date: string, today: string = todayInBrussels()): Promise<{ body: Prepared; hit: boolean }> {
  const revision = await registerRevision(db);
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  // A date after today carries a notice (coverageAnswer): the same date without it once that day has come.
  const key = `${revision}|${date}|${date > today ? today : ""}`;
  const found = cache.get(key);
  if (found) return { body: await found, hit: true };
  for (const k of cache.keys()) if (!k.startsWith(`${revision}|`) || cache.size >= CACHE_LIMIT) cache.delete(k);
  // coverageReport reads the revision again: if the register changed in between, this entry holds
  // the newer figures under the older revision, which no later request asks for.
  // The first answer for a date is compressed fast (the best ratio, brotli 11, was 5-15 ms of the 7-17 ms
  // a new date took; issue 9: coverage for any date < 50 ms); the best-ratio form replaces it in the
  // cache in the background, for the requests that follow. Same content, same ETag.
  const cacheRef = cache;
  const body: Promise<Prepared> = coverageReport(db, date).then(async (report) => {
    const identity = Buffer.from(JSON.stringify(coverageAnswer(report, today)));
    const quick = await prepare(identity, "coverage", { fast: true });
    const upgrade = prepare(identity, "coverage").then(
      (best) => {
        if (cacheRef.get(key) === body) cacheRef.set(key, Promise.resolve(best));
      },
      () => {},
    );
    track(db, upgrade);
    return quick;
  });
  body.catch(() => cache.delete(key));
  cache.set(key, body);
  return { body: await body, hit: false };
}

export const coverageJsonCacheSize = (db: Kysely<DB>) => caches.get(db)?.size ?? 0;

const upgrades = new WeakMap<Kysely<DB>, Set<Promise<void>>>();
function track(db: Kysely<DB>, p: Promise<void>) {
  let set = upgrades.get(db);
  if (!set) {
    set = new Set();
    upgrades.set(db, set);
  }
  const pending = set;
  pending.add(p);
  void p.finally(() => pending.delete(p));
}

/** Resolves when the background best-ratio compressions started so far are done (for tests). */
export async function coverageJsonSettled(db: Kysely<DB>): Promise<void> {
  await Promise.all([...(upgrades.get(db) ?? [])]);
}
