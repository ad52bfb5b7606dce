import type { FastifyRequest } from "fastify";
import { type Kysely, sql, type Transaction } from "kysely";
import type { AppContext } from "../context";
import type { Database } from "../db";
import type { DB } from "../db/schema";
import { nowIso } from "../db/values";
import { type Actor, rolesIn } from "../policy/actor";
import { type AuditEntryTable, type AuditOutcome, entryHash, GENESIS_HASH } from "./chain";

export { auditMigrations, type AuditOutcome, GENESIS_HASH } from "./chain";
export { verifyAuditChain, type VerifyResult } from "./verify";

/**
 * THE audit helper. Every login, denied authorization, read of personal data (through
 * src/platform/personal-data), change and export is written here. Entries say who, what, which
 * resource and the outcome; never personal data content (no names, no free text).
 *
 *   await audit.record(request, { action: "case.close", resourceType: "case", resourceId: c.id, livcId: c.livcId, outcome: "success" });
 *   await audit.recordFor(ctx, { actor }, { action: "export.csv", resourceType: "signal", outcome: "success" });  // no request (CLI, jobs)
 *
 * Inside a transaction pass { db: trx } so the entry commits (or rolls back) with the change.
 */
export interface AuditEvent {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  livcId?: string | null;
  outcome: AuditOutcome;
}

export interface AuditWho {
  actor?: Actor | null;
  /** For events before an actor exists (login attempts): the account concerned, if known. */
  userId?: string | null;
  clientAddress?: string | null;
  correlationId?: string | null;
}

// Any fixed 64-bit number: the advisory lock that serialises appends across app instances.
const AUDIT_LOCK_KEY = 7_301_202_611;

function roleLabel(actor: Actor | null | undefined, livcId: string | null | undefined): string | null {
  if (!actor) return null;
  if (livcId) {
    const roles = rolesIn(actor, livcId);
    if (roles.length > 0) return roles.join(",");
  }
  const platform = [actor.isAdmin && "admin", actor.isRegionalAnalyst && "regional_analyst", actor.isDpo && "dpo"].filter(Boolean);
  return platform.length > 0 ? platform.join(",") : actor.memberships.length > 0 ? "member" : "user";
}

async function appendIn(trx: Kysely<DB>, database: Database, row: NewEntry): Promise<number> {
  if (database.dialect === "postgres") await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx.selectFrom("audit_entry").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
  const seq = (last ? Number(last.seq) : 0) + 1;
  const entry = { ...row, seq, prev_hash: last?.hash ?? GENESIS_HASH };
  await trx.insertInto("audit_entry").values({ ...entry, hash: entryHash(entry) }).execute();
  return seq;
}

type NewEntry = Omit<AuditEntryTable, "seq" | "prev_hash" | "hash">;

async function appendAllIn(trx: Kysely<DB>, database: Database, rows: NewEntry[]): Promise<number> {
  let seq = 0;
  for (const row of rows) seq = await appendIn(trx, database, row);
  return seq;
}

async function append(database: Database, rows: NewEntry[], within?: Kysely<DB> | Transaction<DB>): Promise<number> {
  if (rows.length === 0) return 0;
  if (within?.isTransaction) return appendAllIn(within, database, rows);
  if (database.dialect === "sqlite") {
    // One connection, serialised by Kysely; BEGIN IMMEDIATE also holds off another process on the same file.
    return database.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const seq = await appendAllIn(conn, database, rows);
        await sql`commit`.execute(conn);
        return seq;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw e;
      }
    });
  }
  return database.db.transaction().execute((trx) => appendAllIn(trx, database, rows));
}

export const audit = {
  /** Records an event for the current request: actor, client address and correlation id come from it. */
  record(request: FastifyRequest, event: AuditEvent, opts: { db?: Kysely<DB> } = {}): Promise<number> {
    return audit.recordFor(request.server.ctx, { actor: request.actor, clientAddress: request.ip, correlationId: String(request.id) }, event, opts);
  },

  recordFor(ctx: Pick<AppContext, "database">, who: AuditWho, event: AuditEvent, opts: { db?: Kysely<DB> } = {}): Promise<number> {
    return append(ctx.database, [toRow(who, event)], opts.db);
  },

  /** Several events in one append (one lock): e.g. one read entry per record of a list. */
  recordMany(ctx: Pick<AppContext, "database">, who: AuditWho, events: AuditEvent[], opts: { db?: Kysely<DB> } = {}): Promise<number> {
    return append(ctx.database, events.map((e) => toRow(who, e)), opts.db);
  },
};

function toRow(who: AuditWho, event: AuditEvent): NewEntry {
  return {
    at: nowIso(),
    actor_id: who.actor?.userId ?? who.userId ?? null,
    actor_role: roleLabel(who.actor, event.livcId),
    livc_id: event.livcId ?? null,
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId ?? null,
    outcome: event.outcome,
    client_address: who.clientAddress ?? null,
    correlation_id: who.correlationId ?? null,
  };
}

/** Who is acting, for services that take an AuditWho instead of the request. */
export const whoOf = (request: FastifyRequest): AuditWho => ({ actor: request.actor, clientAddress: request.ip, correlationId: String(request.id) });
