import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../audit";
import type { AppContext } from "../context";
import type { SchakelMigration } from "../db/migrate";
import type { DB } from "../db/schema";
import { newId } from "../db/values";
import { keyringFor } from "../crypto/keyring";

/**
 * What a person typed when their session ended under them (decision 0057): the POSTed form fields,
 * encrypted with the keyring, kept for STASH_MINUTES so that after logging in again they can send
 * it once more from /session/resume. One stash per person (newest wins); only that person sees it.
 * Never the content in logs, URLs or audit entries.
 */
export const STASH_MINUTES = 60;

export const stashMigrations: SchakelMigration[] = [
  {
    name: "2026122020_auth_form_stash",
    async up(db) {
      await db.schema
        .createTable("form_stash")
        .addColumn("id", "text", (c) => c.primaryKey())
        // One per person: unique, so "newest wins" is a delete and an insert.
        .addColumn("user_id", "text", (c) => c.notNull().unique().references("app_user.id"))
        // {path, route, fields} as JSON, AES-256-GCM with the keyring (bound to this row).
        .addColumn("payload_enc", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("form_stash_expires").on("form_stash").column("expires_at").execute();
    },
  },
];

export interface FormStashTable {
  id: string;
  user_id: string;
  payload_enc: string;
  created_at: string;
  expires_at: string;
}

declare module "../db/schema" {
  interface DB {
    form_stash: FormStashTable;
  }
}

/** The fields as posted (repeated names kept in order), the path to send them to and its route pattern. */
export interface StashPayload {
  path: string;
  route: string;
  fields: [string, string][];
}

export interface Stash extends StashPayload {
  id: string;
  createdAt: string;
}

const place = (id: string) => ({ table: "form_stash", column: "payload_enc", rowId: id });

/**
 * Forms whose fields are never kept: logging in, second factors, passwords, the resume page itself.
 * Their content is a secret, or there is nothing to lose.
 */
const NEVER_KEPT = /^\/(login|logout|session\/|account\/(reauth|password|activate|reset|mfa|sso))/;
const NOT_FIELDS = new Set(["_csrf", "_resume"]);
const MAX_FIELDS = 300;

/** The fields of a state-changing request that may be kept, or null (not a url-encoded form, or a form never kept). */
export function stashableFields(request: FastifyRequest): StashPayload | null {
  if (request.method !== "POST") return null;
  const type = String(request.headers["content-type"] ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded")) return null;
  const path = request.url;
  if (path.length > 500 || !path.startsWith("/") || path.startsWith("//") || NEVER_KEPT.test(path)) return null;
  const body = request.body;
  if (!body || typeof body !== "object") return null;
  const fields: [string, string][] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (NOT_FIELDS.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === "string") fields.push([name, v]);
  }
  if (fields.length === 0 || fields.length > MAX_FIELDS) return null;
  return { path, route: `${request.method} ${request.routeOptions.url ?? "?"}`, fields };
}

/** Keeps the fields for this person (replacing an earlier stash) and records it, without the content, in one transaction. */
export async function saveStash(ctx: AppContext, who: AuditWho & { userId: string }, payload: StashPayload, now = Date.now()): Promise<string> {
  const keyring = await keyringFor(ctx);
  const id = newId();
  const row: FormStashTable = {
    id,
    user_id: who.userId,
    payload_enc: keyring.encrypt(place(id), JSON.stringify(payload)),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + STASH_MINUTES * 60_000).toISOString(),
  };
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("form_stash").where("user_id", "=", who.userId).execute();
    await trx.insertInto("form_stash").values(row).execute();
    await audit.recordFor(ctx, who, { action: "form.stash", resourceType: "form", resourceId: payload.route, outcome: "success" }, { db: trx });
  });
  return id;
}

/** This person's live stash, decrypted; null when there is none (or it is past its life). */
export async function findStash(ctx: AppContext, userId: string, now = Date.now()): Promise<Stash | null> {
  const row = await ctx.database.db
    .selectFrom("form_stash")
    .selectAll()
    .where("user_id", "=", userId)
    .where("expires_at", ">", new Date(now).toISOString())
    .executeTakeFirst();
  if (!row) return null;
  const payload = JSON.parse((await keyringFor(ctx)).decrypt(place(row.id), row.payload_enc)) as StashPayload;
  return { id: row.id, createdAt: row.created_at, ...payload };
}

/**
 * Ends this person's stash: "resume" (sent again), "discard" (thrown away). Deleted and audited in one
 * transaction; false when there was none (already used, expired or someone else's id).
 */
export async function endStash(request: FastifyRequest, how: "resume" | "discard", id?: string): Promise<boolean> {
  const actor = request.actor;
  if (!actor) return false;
  return request.server.ctx.database.db.transaction().execute(async (trx) => {
    let q = trx.deleteFrom("form_stash").where("user_id", "=", actor.userId);
    if (id) q = q.where("id", "=", id);
    const r = await q.executeTakeFirst();
    if (Number(r.numDeletedRows ?? 0) === 0) return false;
    await audit.record(request, { action: `form.${how}`, resourceType: "form", resourceId: null, outcome: "success" }, { db: trx });
    return true;
  });
}

/** With the account's sessions (disable, e-mail change, logout everywhere): the stash goes too. */
export async function deleteStashOf(db: Kysely<DB>, userId: string): Promise<void> {
  await db.deleteFrom("form_stash").where("user_id", "=", userId).execute();
}

/** Deletes every stash past its life (the daily session sweep); returns how many went. */
export async function sweepStashes(db: Kysely<DB>, now = Date.now()): Promise<number> {
  const r = await db.deleteFrom("form_stash").where("expires_at", "<=", new Date(now).toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
