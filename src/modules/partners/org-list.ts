/**
 * The administrator's list of organisations (/admin/organisations): one page at a time, sorted by
 * name, with a search on part of the name. At scale 1 there are 3,000 organisations; the page reads
 * 50 of them and the counts of municipalities and contacts of those 50 only.
 */
import { type Kysely, sql } from "kysely";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { containsInsensitive } from "../../platform/db/search";
import { toCount } from "../../platform/db/values";
import { extend } from "../../platform/objects";

/** Rows per page of the organisation list. */
export const ORGANISATION_PAGE_SIZE = 50;

export interface OrganisationListRow {
  id: string;
  name: string;
  sector: string;
  municipalities: number;
  contacts: number;
}

async function countsBy(db: Kysely<DB>, table: "organisation_municipality" | "organisation_contact", ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select((eb) => ["organisation_id", eb.fn.countAll().as("n")])
    .where("organisation_id", "in", ids)
    .groupBy("organisation_id")
    .execute();
  return new Map(rows.map((r) => [r.organisation_id, toCount(r.n)]));
}

/**
 * One page (1-based) of the organisations, sorted by name (lower-cased, then name and id, so pages
 * never overlap), with the total. The search matches part of the name case-insensitively on both
 * dialects (PostgreSQL's LIKE is case-sensitive, so both sides are lower-cased). A page past the end
 * gives the last page.
 */
export async function organisationPage(ctx: AppContext, opts: { search?: string; page?: number; size?: number }) {
  const db = ctx.database.db;
  const size = opts.size ?? ORGANISATION_PAGE_SIZE;
  const term = (opts.search ?? "").trim();
  const base = db.selectFrom("organisation").$if(term !== "", (q) => q.where((eb) => containsInsensitive(eb, "name", term)));
  const total = toCount((await base.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1) || 1), pages);
  const rows = await base
    .select(["id", "name", "sector"])
    .orderBy(sql`lower(name)`)
    .orderBy("name")
    .orderBy("id")
    .limit(size)
    .offset((page - 1) * size)
    .execute();
  const ids = rows.map((r) => r.id);
  const [municipalities, contacts] = await Promise.all([countsBy(db, "organisation_municipality", ids), countsBy(db, "organisation_contact", ids)]);
  const items: OrganisationListRow[] = rows.map((r) => extend(r, { municipalities: municipalities.get(r.id) ?? 0, contacts: contacts.get(r.id) ?? 0 }));
  return { items, total, page, pages, size, search: term };
}
