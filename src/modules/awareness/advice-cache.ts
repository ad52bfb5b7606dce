/**
 * The computed advice, kept per input revision (decision 0037, after 0023). The advice of a
 * campaign on a date depends on: the campaign's questions, options, responses and answers (the
 * objections per sector) and its sessions (awareness_revision); the organisations' municipalities,
 * seats, invitations, consultations and attendance (partners_revision); the register: LIVCs, their
 * members, status, frameworks and officers (registry_revision). The key joins the three, read from
 * the database BEFORE the rows, so advice computed while a write commits is filed under the old key,
 * which nobody asks for again; app instances sharing one PostgreSQL agree on it.
 *
 * Only facts about public bodies (municipalities, LIVCs, sectors, counts of organisations) are
 * cached, nothing about a person. Cached values are frozen: callers read them, never change them.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { participationRevision } from "../partners/service";
import * as store from "./store";

/** Most entries per database (campaign x date for the list, campaign x LIVC x date for an LIVC). */
export const ADVICE_CACHE_LIMIT = 64;

export async function adviceRevision(db: Kysely<DB>): Promise<string> {
  const [participation, awareness] = await Promise.all([participationRevision(db), store.revision(db)]);
  return `${participation}.${awareness}`;
}

const caches = new WeakMap<Kysely<DB>, { revision: string; entries: Map<string, Promise<unknown>> }>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The value of `key` computed under the current revision, or computed now. A new revision drops
 * every entry of the old one; a failed computation is not kept.
 */
export async function cachedAdvice<T>(db: Kysely<DB>, key: string, compute: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
  const revision = await adviceRevision(db);
  let cache = caches.get(db);
  if (!cache || cache.revision !== revision) {
    cache = { revision, entries: new Map() };
    caches.set(db, cache);
  }
  const { entries } = cache;
  const found = entries.get(key) as Promise<T> | undefined;
  if (found) {
    // Most recently used last: the oldest entry goes first when the cache is full.
    entries.delete(key);
    entries.set(key, found);
    return { value: await found, hit: true };
  }
  const value = compute().then(deepFreeze);
  value.catch(() => {
    if (entries.get(key) === value) entries.delete(key);
  });
  if (entries.size >= ADVICE_CACHE_LIMIT) entries.delete(entries.keys().next().value!);
  entries.set(key, value);
  return { value: await value, hit: false };
}
