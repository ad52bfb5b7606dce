import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { keptQuery, type ListReads } from "./list-memo";
import * as pd from "./personal";
import { type CaseGrants, canSeeCase, caseGrants } from "./policy";
import * as store from "./store";

export class CaseError extends Error {
  constructor(
    readonly code: "not_found" | "wrong_status" | "not_allowed" | "reason_required" | "legal_hold" | "invalid" | "conflict",
    readonly field?: string,
  ) {
    super(code);
  }
}

export const resource = (c: { id: string; livc_id: string }): pd.Resource => ({ type: "case", id: c.id, livcId: c.livc_id });

/**
 * Read scopes: the case page reads a case's parts through six services, each of which checks that the
 * actor may see the case (visibleCase). Within a scope the grants and the case row are read once
 * (issue 9: the case row was read seven times a page view). A scope is a copy of `who` made for one
 * page's reads and dropped with it; it must not span a change (a row read before a transition would be
 * stale after it), so only rendering code makes one. The check itself (canSeeCase) runs once per case in a
 * scope, on the scope's grants and row; every read of personal data is still audited by each service.
 *
 * A scope given the list token's reads (decision 0087) also keeps the page's parts per token: the rows of
 * the part reads named with `keptRead` (ciphertext included, never plaintext) are those read before for the
 * same arguments under the same token; every change to a table they read replaces the token. The case row
 * and the grants are read fresh on every view; decrypting and auditing happen on every view.
 */
const scopes = new WeakMap<
  AuditWho,
  { grants?: Promise<CaseGrants>; cases: Map<string, Promise<store.CaseRow | undefined>>; checked: Map<string, Promise<store.CaseRow>>; reads?: Promise<ListReads> }
>();

export function readScope(who: AuditWho, reads?: Promise<ListReads>): AuditWho {
  const scoped = { ...who };
  scopes.set(scoped, { cases: new Map(), checked: new Map(), reads });
  return scoped;
}

/**
 * A part of a case page: `query(db, ...args)`, kept per list token under its name and arguments when `who` is a
 * read scope with the token's reads (decision 0087), read fresh otherwise. The query may read only the tables
 * whose changes replace the token (migrations.ts: LIST_TABLES, LIST_NAME_TABLE, PAGE_TABLES).
 */
export async function keptRead<A extends unknown[], T>(who: AuditWho, name: string, query: (db: Kysely<DB>, ...args: A) => Promise<T>, db: Kysely<DB>, ...args: A): Promise<T> {
  const reads = scopes.get(who)?.reads;
  return reads ? keptQuery(await reads, `page:${name}`, query, db, ...args) : query(db, ...args);
}

function grantsOf(ctx: AppContext, who: AuditWho): Promise<CaseGrants> {
  const scope = scopes.get(who);
  if (!scope) return caseGrants(ctx.database.db, who.actor ?? null);
  scope.grants ??= caseGrants(ctx.database.db, who.actor ?? null);
  return scope.grants;
}

function caseRowOf(ctx: AppContext, who: AuditWho, id: string): Promise<store.CaseRow | undefined> {
  const scope = scopes.get(who);
  if (!scope) return store.caseById(ctx.database.db, id);
  let row = scope.cases.get(id);
  if (!row) {
    row = store.caseById(ctx.database.db, id);
    scope.cases.set(id, row);
  }
  return row;
}

/**
 * A case the actor may see, or CaseError("not_found"): an invisible case looks like no case. Within a read scope
 * the check is made once per case (its grants and row are the scope's anyway): a page whose parts are read at
 * once records one denial, not one per part.
 */
export function visibleCase(ctx: AppContext, who: AuditWho, id: string, grants?: CaseGrants): Promise<store.CaseRow> {
  const scope = grants ? undefined : scopes.get(who);
  if (!scope) return checkedCase(ctx, who, id, grants);
  let checked = scope.checked.get(id);
  if (!checked) {
    checked = checkedCase(ctx, who, id);
    scope.checked.set(id, checked);
  }
  return checked;
}

async function checkedCase(ctx: AppContext, who: AuditWho, id: string, grants?: CaseGrants): Promise<store.CaseRow> {
  const g = grants ?? (await grantsOf(ctx, who));
  const c = await caseRowOf(ctx, who, id);
  if (!c || !canSeeCase(g, c)) {
    if (c) await pd.record(ctx, who, resource(c), "case.read", "denied");
    throw new CaseError("not_found");
  }
  return c;
}

