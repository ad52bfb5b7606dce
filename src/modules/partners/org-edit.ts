import { z } from "zod";
import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isSector, SECTOR_KEYS, type Sector } from "../identity/sectors";
import * as store from "./store";

/**
 * An organisation's name and sector, for creating one and for changing them later
 * (/admin/organisations). One set of rules for both: a name of 1-200 characters (trimmed) that no
 * other organisation has (compared trimmed and lower-cased), a sector from the taxonomy
 * (identity/sectors.ts).
 */
export const organisationFields = z.object({ name: z.string().trim().min(1).max(200), sector: z.enum(SECTOR_KEYS as [string, ...string[]]) });

export type OrganisationFieldError = "name_required" | "name_taken" | "sector";
export type OrganisationFieldsResult = { ok: true; name: string; sector: Sector } | { ok: false; errors: OrganisationFieldError[] };

/** Is the name taken by an organisation other than `exceptId`? (Trimmed, case-insensitive: as at creation.) */
export async function organisationNameTaken(ctx: AppContext, name: string, exceptId?: string): Promise<boolean> {
  const wanted = name.trim().toLowerCase();
  return (await store.allOrganisations(ctx.database.db)).some((o) => o.id !== exceptId && o.name.trim().toLowerCase() === wanted);
}

/** Checks a submitted name and sector (for a new organisation, or for `exceptId` when it is changed). */
export async function checkOrganisationFields(ctx: AppContext, raw: Record<string, unknown>, exceptId?: string): Promise<OrganisationFieldsResult> {
  const parsed = organisationFields.safeParse(raw);
  if (!parsed.success) {
    const fields = new Set(parsed.error.issues.map((i) => String(i.path[0])));
    const errors: OrganisationFieldError[] = [];
    if (fields.has("name")) errors.push("name_required");
    if (fields.has("sector")) errors.push("sector");
    return { ok: false, errors };
  }
  if (await organisationNameTaken(ctx, parsed.data.name, exceptId)) return { ok: false, errors: ["name_taken"] };
  const sector = parsed.data.sector;
  if (!isSector(sector)) return { ok: false, errors: ["sector"] };
  return { ok: true, name: parsed.data.name, sector };
}

export type OrganisationField = "name" | "sector";

/**
 * Changes an organisation's name and/or sector. The row, the partners revision (the participation
 * figures are cached per revision and count by sector, decision 0023) and one audit entry per changed
 * field (`partners.organisation.update.name` / `.sector`: the field names only, no old or new value)
 * commit in one transaction. Returns the changed fields (none: nothing was written), or null for an
 * unknown organisation.
 */
export async function updateOrganisation(ctx: AppContext, who: AuditWho, id: string, next: { name: string; sector: Sector }): Promise<OrganisationField[] | null> {
  const current = await store.organisationById(ctx.database.db, id);
  if (!current) return null;
  const name = next.name.trim();
  const changed: OrganisationField[] = [];
  if (current.name !== name) changed.push("name");
  if (current.sector !== next.sector) changed.push("sector");
  if (changed.length === 0) return changed;
  await ctx.database.db.transaction().execute(async (trx) => {
    await trx.updateTable("organisation").set({ name, sector: next.sector }).where("id", "=", id).execute();
    await store.bumpRevision(trx);
    await audit.recordMany(
      ctx,
      who,
      changed.map((field) => ({ action: `partners.organisation.update.${field}`, resourceType: "organisation", resourceId: id, outcome: "success" as const })),
      { db: trx },
    );
  });
  return changed;
}
