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

/** Entries in a period (ISO timestamps, inclusive from, exclusive to), in seq order, in batches. */
export async function* auditEntriesBetween(ctx: Pick<AppContext, "database">, from: string, to: string, batchSize = 5000) {
  let after = 0;
  for (;;) {
    const rows = await ctx.database.db
      .selectFrom("audit_entry")
      .selectAll()
      .where("seq", ">", after)
      .where("at", ">=", from)
      .where("at", "<", to)
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1].seq);
  }
}
