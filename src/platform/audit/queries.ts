import type { AppContext } from "../context";

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
export async function* auditEntriesBetween(ctx: Pick<AppContext, "database">, from: string, to: string, batchSize = 5000) {
  const db = ctx.database.db;
  const bounds = await db
    .selectFrom("audit_entry")
    .select((eb) => [eb.fn.min("seq").as("first"), eb.fn.max("seq").as("last")])
    .where("at", ">=", from)
    .where("at", "<", to)
    .executeTakeFirst();
  if (bounds?.first == null || bounds.last == null) return;
  const last = Number(bounds.last);
  let after = Number(bounds.first) - 1;
  for (;;) {
    const rows = await db
      .selectFrom("audit_entry")
      .selectAll()
      .where("seq", ">", after)
      .where("seq", "<=", last)
      .where("at", ">=", from)
      .where("at", "<", to)
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1].seq);
    if (after >= last) return;
  }
}
