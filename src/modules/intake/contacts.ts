import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { userIdByEmail } from "../identity/service";
import { municipalitiesOn } from "../reference/service";
import * as store from "./contacts-store";

/**
 * Regional contact points: the accounts that screen reports from municipalities no LIVC covers,
 * for one province or (province null) all of Flanders. The CLI (`schakel intake regional-contact`)
 * and the admin pages (/admin/regional-contacts) both go through these functions, so they share the
 * validation; every change commits with its audit entry (actor, designation id; never a name or
 * e-mail address). Ending a designation deletes it (the table has no validity period, decision 0034).
 */

export type ContactPointError = "email" | "province" | "duplicate" | "not_found";
export type ContactPointResult = { ok: true; id: string; changed: boolean } | { ok: false; errors: ContactPointError[] };
export type { ContactPointRow } from "./contacts-store";

/** The provinces a designation can name: those of today's municipalities (the regional queue's key), sorted. */
export async function provinceChoices(ctx: AppContext, today = todayInBrussels()): Promise<string[]> {
  const names = new Set((await municipalitiesOn(ctx.database.db, today)).map((m) => m.province));
  return [...names].sort((a, b) => a.localeCompare(b, "nl"));
}

export const contactPoints = (ctx: AppContext) => store.listContactPoints(ctx.database.db);
export const contactPoint = (ctx: AppContext, id: string) => store.contactPointById(ctx.database.db, id);

/** Provinces that no designation covers (empty when someone covers all of Flanders). */
export function uncoveredProvinces(provinces: string[], rows: { province: string | null }[]): string[] {
  if (rows.some((r) => r.province === null)) return [];
  const covered = new Set(rows.map((r) => r.province));
  return provinces.filter((p) => !covered.has(p));
}

const provinceValid = async (ctx: AppContext, province: string | null) => province === null || (await provinceChoices(ctx)).includes(province);
const accountOf = async (ctx: AppContext, email: string) => {
  const e = email.trim();
  return e === "" || e.length > 254 ? null : await userIdByEmail(ctx, e);
};

/**
 * The designation of the account behind `email` for `province` (null: all of Flanders), the way the
 * CLI names one. Refused like adding: no such account ("email"), a province not in the reference
 * data ("province"); a valid pair without a designation is "not_found".
 */
export async function findContactPoint(ctx: AppContext, input: { email: string; province: string | null }): Promise<ContactPointResult> {
  const userId = await accountOf(ctx, input.email);
  const errors: ContactPointError[] = [];
  if (!userId) errors.push("email");
  if (!(await provinceValid(ctx, input.province))) errors.push("province");
  if (!userId || errors.length > 0) return { ok: false, errors };
  const row = await store.sameContactPoint(ctx.database.db, userId, input.province);
  return row ? { ok: true, id: row.id, changed: false } : { ok: false, errors: ["not_found"] };
}

/**
 * Makes the account behind `email` a regional contact point for `province` (null: all of Flanders).
 * Refused: no such account ("email"), a province not in the reference data ("province"), the same
 * account already designated for the same province ("duplicate").
 */
export async function addContactPoint(ctx: AppContext, who: AuditWho, input: { email: string; province: string | null }): Promise<ContactPointResult> {
  const userId = await accountOf(ctx, input.email);
  const errors: ContactPointError[] = [];
  if (!userId) errors.push("email");
  if (!(await provinceValid(ctx, input.province))) errors.push("province");
  if (!userId || errors.length > 0) return { ok: false, errors };
  return ctx.database.db.transaction().execute(async (trx): Promise<ContactPointResult> => {
    if (await store.sameContactPoint(trx, userId, input.province)) return { ok: false, errors: ["duplicate"] };
    const id = await store.insertContactPoint(trx, userId, input.province);
    await audit.recordFor(ctx, who, { action: "intake.regional_contact.add", resourceType: "regional_contact", resourceId: id, outcome: "success" }, { db: trx });
    return { ok: true, id, changed: true };
  });
}

/** Moves a designation to another province (or all of Flanders); the same rules as adding. Unchanged: nothing written. */
export async function changeContactPoint(ctx: AppContext, who: AuditWho, id: string, input: { province: string | null }): Promise<ContactPointResult> {
  const current = await store.contactPointById(ctx.database.db, id);
  if (!current) return { ok: false, errors: ["not_found"] };
  if (!(await provinceValid(ctx, input.province))) return { ok: false, errors: ["province"] };
  if (current.province === input.province) return { ok: true, id, changed: false };
  return ctx.database.db.transaction().execute(async (trx): Promise<ContactPointResult> => {
    if (await store.sameContactPoint(trx, current.user_id, input.province, id)) return { ok: false, errors: ["duplicate"] };
    if (!(await store.setContactPointProvince(trx, id, input.province))) return { ok: false, errors: ["not_found"] };
    await audit.recordFor(ctx, who, { action: "intake.regional_contact.change", resourceType: "regional_contact", resourceId: id, outcome: "success" }, { db: trx });
    return { ok: true, id, changed: true };
  });
}

/** Ends a designation: from now on the account no longer sees the regional queue for it. false: unknown id. */
export async function endContactPoint(ctx: AppContext, who: AuditWho, id: string): Promise<boolean> {
  return ctx.database.db.transaction().execute(async (trx) => {
    if (!(await store.deleteContactPoint(trx, id))) return false;
    await audit.recordFor(ctx, who, { action: "intake.regional_contact.end", resourceType: "regional_contact", resourceId: id, outcome: "success" }, { db: trx });
    return true;
  });
}
