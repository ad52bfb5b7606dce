import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { personalData } from "../../platform/personal-data";

/**
 * The cases and meetings modules' door to personal data: every encrypted column (…_enc) is
 * written and read through src/platform/personal-data here, which checks the policy decision
 * passed in, encrypts bound to table/column/row and writes the audit entries.
 * On SQLite a transaction holds the one connection: seal BEFORE a transaction, or pass { db: trx }.
 */
export interface Place {
  table: string;
  column: string;
  rowId: string;
  livcId: string | null;
}

export interface Resource {
  type: string;
  id: string;
  livcId: string | null;
}

/** Loads the keys before a transaction starts (on SQLite, loading inside it would wait for itself). */
export async function ready(ctx: AppContext): Promise<void> {
  await personalData.blindIndex(ctx, ["warm-up"]);
}

/** Encrypts one value for its table/column/row (audited write); empty stays null. */
export async function seal(ctx: AppContext, who: AuditWho, place: Place, plaintext: string | null | undefined, opts: { db?: Kysely<DB>; allowed?: boolean } = {}): Promise<string | null> {
  if (plaintext === null || plaintext === undefined || plaintext === "") return null;
  const out = await personalData.write(ctx, who, {
    table: place.table,
    rowId: place.rowId,
    livcId: place.livcId,
    resourceType: place.table,
    allowed: opts.allowed ?? true,
    fields: { [place.column]: plaintext },
    db: opts.db,
  });
  return out[place.column] ?? null;
}

/**
 * Decrypts the values of one resource (a case and its rows). `allowed` is the caller's policy
 * decision (need to know). Writes one "<action>" entry for the resource, so "who saw this case"
 * finds every view, and the personal-data path logs one read per record it decrypted.
 */
export async function reveal<K extends string>(
  ctx: AppContext,
  who: AuditWho,
  resource: Resource,
  action: string,
  allowed: boolean,
  items: Record<K, { place: Omit<Place, "livcId">; value: string | null }>,
): Promise<Record<K, string | null>> {
  // Not awaited before the reads below: its entry and theirs join one group commit (one write, not two;
  // decision 0080). Awaited before anything is returned, so nothing is shown before both are committed.
  const recorded = audit.recordFor(ctx, who, { action, resourceType: resource.type, resourceId: resource.id, livcId: resource.livcId, outcome: allowed ? "success" : "denied" });
  recorded.catch(() => {}); // a failure is thrown by the await below, not reported as unhandled when a read fails first
  const out = {} as Record<K, string | null>;
  const byTable = new Map<string, { rowId: string; livcId: string | null; fields: Record<string, string | null>; keys: [K, string][] }[]>();
  for (const [key, item] of Object.entries(items) as [K, { place: Omit<Place, "livcId">; value: string | null }][]) {
    out[key] = null;
    if (!item.value) continue;
    const rows = byTable.get(item.place.table) ?? [];
    let row = rows.find((r) => r.rowId === item.place.rowId);
    if (!row) {
      row = { rowId: item.place.rowId, livcId: resource.livcId, fields: {}, keys: [] };
      rows.push(row);
    }
    row.fields[item.place.column] = item.value;
    row.keys.push([key, item.place.column]);
    byTable.set(item.place.table, rows);
  }
  for (const [table, rows] of byTable) {
    const plain = await personalData.readMany(ctx, who, { table, resourceType: table, rows, allowed: () => allowed });
    for (const r of plain) for (const [key, column] of r.keys) out[key] = r.plain[column] ?? null;
  }
  await recorded;
  return out;
}

/** The blind index over name + date of birth: equal people give equal tokens, no plaintext stored. */
export function subjectIndexOf(ctx: AppContext, fullName: string, dateOfBirth: string | null): Promise<string> {
  return personalData.blindIndex(ctx, [fullName, dateOfBirth ?? ""]);
}

/** Records an event about a resource (change, export, denial) in the audit log; never content. */
export function record(ctx: AppContext, who: AuditWho, resource: Resource, action: string, outcome: "success" | "denied" = "success", opts: { db?: Kysely<DB> } = {}) {
  return audit.recordFor(ctx, who, { action, resourceType: resource.type, resourceId: resource.id, livcId: resource.livcId, outcome }, opts);
}
