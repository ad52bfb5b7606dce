import { type ExpressionBuilder, sql } from "kysely";
import type { AppContext } from "../context";
import type { DB } from "../db/schema";
import type { AuditOutcome } from "./chain";

/** "Who saw this": every logged access to one resource, newest first, with the person's display name. */
export async function whoSaw(ctx: Pick<AppContext, "database">, resourceType: string, resourceId: string) {
  return ctx.database.db
    .selectFrom("audit_entry")
    .leftJoin("app_user", "app_user.id", "audit_entry.actor_id")
    .select(["audit_entry.seq", "audit_entry.at", "audit_entry.actor_id", "app_user.display_name", "audit_entry.actor_role", "audit_entry.livc_id", "audit_entry.action", "audit_entry.outcome"])
    .where("audit_entry.resource_type", "=", resourceType)
    .where("audit_entry.resource_id", "=", resourceId)
    .orderBy("audit_entry.seq", "desc")
    .limit(1000)
    .execute();
}

export const AUDIT_EXPORT_HEADER = ["seq", "at", "actor_id", "actor_role", "livc_id", "action", "resource_type", "resource_id", "outcome", "client_address", "correlation_id", "prev_hash", "hash"] as const;

/**
 * Entries in a period (ISO timestamps, inclusive from, exclusive to), in seq order, in batches. The
 * period's first and last seq come from the `at` index; the batches then read the primary key between
 * them, so entries before and after the period are never scanned. An entry whose time is out of order
 * with its seq still falls inside those bounds, and the time condition stays on every batch.
 */
export async function* auditEntriesBetween(ctx: Pick<AppContext, "database">, from: string, to: string, batchSize = 5000, filter: AuditFilter = {}) {
  const db = ctx.database.db;
  const bounds = await seqBounds(ctx, from, to);
  if (!bounds) return;
  const last = bounds.last;
  let after = bounds.first - 1;
  for (;;) {
    const rows = await db
      .selectFrom("audit_entry")
      .selectAll()
      .where("seq", ">", after)
      .where("seq", "<=", last)
      .where("at", ">=", from)
      .where("at", "<", to)
      .where((eb) => matches(eb, filter))
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1].seq);
    if (after >= last) return;
  }
}

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ["allowed", "denied", "success", "failure"];

/**
 * What the DPO narrows an audit search to (all optional, combined with AND): one account, an action or
 * a family of actions ("case." is every case action), a resource type, one resource id, an outcome.
 */
export interface AuditFilter {
  actorId?: string;
  /** An action ("case.read") or the start of one, ending in a dot ("case."). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
}

function matches(eb: ExpressionBuilder<DB, "audit_entry">, f: AuditFilter) {
  const and = [];
  if (f.actorId) and.push(eb("actor_id", "=", f.actorId));
  if (f.action?.endsWith(".")) and.push(eb(sql<string>`substr(action, 1, ${f.action.length})`, "=", f.action));
  else if (f.action) and.push(eb("action", "=", f.action));
  if (f.resourceType) and.push(eb("resource_type", "=", f.resourceType));
  if (f.resourceId) and.push(eb("resource_id", "=", f.resourceId));
  if (f.outcome) and.push(eb("outcome", "=", f.outcome));
  return eb.and(and);
}

/**
 * The first and last seq of a period (ISO timestamps, inclusive from, exclusive to), from the `at` index.
 * `seq + 0`: given plain min(seq), PostgreSQL walks the primary key from the first entry ever until one falls
 * in the period (it assumes the period's entries are spread evenly over the log; they are at its end): 1 s at
 * two million entries for the last month. The index range costs what the period holds, which an export reads anyway.
 */
async function seqBounds(ctx: Pick<AppContext, "database">, from: string, to: string): Promise<{ first: number; last: number } | null> {
  const bounds = await ctx.database.db
    .selectFrom("audit_entry")
    .select([sql<number | null>`min(seq + 0)`.as("first"), sql<number | null>`max(seq + 0)`.as("last")])
    .where("at", ">=", from)
    .where("at", "<", to)
    .executeTakeFirst();
  if (bounds?.first == null || bounds.last == null) return null;
  return { first: Number(bounds.first), last: Number(bounds.last) };
}

/**
 * One page of a period's entries matching the filter, newest first (by time, then seq), with the acting
 * account's name; `more` when a next page exists (no count: a year of entries is millions of rows).
 * Read backwards along the `at` index from the period's end, so a page costs the same for any period
 * length. (Issue 9, session 10: the page first looked up the period's seq bounds, min/max(seq) over the
 * period; PostgreSQL answered that by walking the primary key from the first entry ever, 0.6-1 s at two
 * million entries, and a bound over the `at` index still reads every entry of the period.)
 */
export async function auditPage(ctx: Pick<AppContext, "database">, from: string, to: string, filter: AuditFilter, page: number, size = 100) {
  const rows = await auditPageQuery(ctx, from, to, filter, page, size).execute();
  return { rows: rows.slice(0, size), more: rows.length > size };
}

/** The page's query, also for the test of its plan. */
export function auditPageQuery(ctx: Pick<AppContext, "database">, from: string, to: string, filter: AuditFilter, page: number, size = 100) {
  return ctx.database.db
    .selectFrom("audit_entry")
    .leftJoin("app_user", "app_user.id", "audit_entry.actor_id")
    .select(["audit_entry.seq", "audit_entry.at", "audit_entry.actor_id", "app_user.display_name", "audit_entry.actor_role", "audit_entry.livc_id", "audit_entry.action", "audit_entry.resource_type", "audit_entry.resource_id", "audit_entry.outcome"])
    .where("audit_entry.at", ">=", from)
    .where("audit_entry.at", "<", to)
    .where((eb) => matches(eb as unknown as ExpressionBuilder<DB, "audit_entry">, filter))
    .orderBy("audit_entry.at", "desc")
    .orderBy("audit_entry.seq", "desc")
    .limit(size + 1)
    .offset((page - 1) * size);
}
