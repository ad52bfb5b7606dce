import * as nodeCrypto from "node:crypto";
import type { SchakelMigration } from "../db/migrate";

/**
 * The audit log is one append-only, hash-chained table (docs/decisions: audit chain).
 * Each entry's hash covers its own fields and the previous entry's hash; seq has no gaps.
 */
export const auditMigrations: SchakelMigration[] = [
  {
    name: "2026120101_platform_audit",
    async up(db) {
      await db.schema
        .createTable("audit_entry")
        .addColumn("seq", "integer", (c) => c.primaryKey())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor_id", "text")
        .addColumn("actor_role", "text")
        .addColumn("livc_id", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("resource_type", "text", (c) => c.notNull())
        .addColumn("resource_id", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("client_address", "text")
        .addColumn("correlation_id", "text")
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_entry_resource").on("audit_entry").columns(["resource_type", "resource_id"]).execute();
      await db.schema.createIndex("audit_entry_actor").on("audit_entry").column("actor_id").execute();
    },
  },
  {
    // The export of a period finds its first and last entry from this index instead of scanning every
    // entry before and after the period (issue 9: the cost grew with the whole log, not the period).
    name: "2026121090_platform_audit_at",
    async up(db) {
      await db.schema.createIndex("audit_entry_at").on("audit_entry").column("at").execute();
    },
  },
];

export type AuditOutcome = "allowed" | "denied" | "success" | "failure";

export interface AuditEntryTable {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  livc_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: AuditOutcome;
  client_address: string | null;
  correlation_id: string | null;
  prev_hash: string;
  hash: string;
}

declare module "../db/schema" {
  interface DB {
    audit_entry: AuditEntryTable;
  }
}

export const GENESIS_HASH = "0".repeat(64);

/** The hash of one entry: every field except the hash itself, in a fixed order, JSON-encoded. */
export function entryHash(e: Omit<AuditEntryTable, "hash">): string {
  const canonical = JSON.stringify([
    e.seq,
    e.at,
    e.actor_id,
    e.actor_role,
    e.livc_id,
    e.action,
    e.resource_type,
    e.resource_id,
    e.outcome,
    e.client_address,
    e.correlation_id,
    e.prev_hash,
  ]);
  return sha256Hex(canonical);
}

/** The same hash as entryHash, from the fields in their fixed order (seq first, prev_hash last): no object copy. */
export function entryHashOfFields(fields: readonly unknown[]): string {
  return sha256Hex(JSON.stringify(fields));
}

// crypto.hash (Node >= 20.12) is the fast one-shot digest; createHash is the fallback.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: "hex") => string }).hash;
const sha256Hex = oneShot ? (data: string) => oneShot("sha256", data, "hex") : (data: string) => nodeCrypto.createHash("sha256").update(data).digest("hex");
