import type { Transaction } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";

/**
 * The one place the registry writes to the audit log: who changed which register record, when.
 * Written inside the change's transaction, so the change and its entry commit together.
 * Entries name resources by id only (no names, no free text).
 */
export function auditRegistryChange(
  database: Database,
  trx: Transaction<DB>,
  who: AuditWho,
  action: `registry.${string}`,
  resource: { type: "livc" | "livc_membership" | "livc_status" | "livc_framework" | "municipality_obstacle" | "merger_decision"; id: string | null; livcId?: string | null },
): Promise<void> {
  return audit.recordFor({ database }, who, { action, resourceType: resource.type, resourceId: resource.id, livcId: resource.livcId ?? null, outcome: "success" }, { db: trx });
}
