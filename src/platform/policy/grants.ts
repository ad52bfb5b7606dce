import { type Expression, type SqlBool, sql } from "kysely";
import type { Actor, LivcRole } from "./actor";

/**
 * Resource-level policy: one place per resource, small rules, and the same grants produce the
 * query filter, so a list can never show what a detail page forbids.
 *
 * Usage in a module's policy.ts:
 *
 *   export const casePolicy = definePolicy({
 *     livcOf: (c: { livcId: string }) => c.livcId,
 *     grants: {
 *       read: ["chair", "coordinator", "information_officer"],
 *       close: ["chair"],
 *     },
 *   });
 *   casePolicy.can(actor, "read", record)            // detail page
 *   const ids = casePolicy.livcIds(actor, "read")    // list: .where((eb) => inLivcs(eb.ref("livc_id"), ids))
 *
 * A grant may add a record condition (e.g. "partner members only on cases they are invited to"):
 *   read: { roles: ["partner_member"], also: (actor, c) => c.participantIds.includes(actor.userId) }
 * Such a condition must be mirrored in the list query by the module (it has the join); livcIds then
 * only narrows to the LIVCs where the role applies.
 */
export type Grant<R> = readonly LivcRole[] | { roles: readonly LivcRole[]; also?: (actor: Actor, resource: R) => boolean };

export interface Policy<R, A extends string> {
  can(actor: Actor | null, action: A, resource: R): boolean;
  /** LIVC ids where the actor's roles grant this action (before any record condition). */
  livcIds(actor: Actor | null, action: A): string[];
  /** Roles that grant the action, for documentation and the authorization matrix. */
  roles(action: A): readonly LivcRole[];
}

const rolesOf = <R>(g: Grant<R>): readonly LivcRole[] => (Array.isArray(g) ? (g as readonly LivcRole[]) : (g as { roles: readonly LivcRole[] }).roles);

export function definePolicy<R, const A extends string>(spec: { livcOf: (resource: R) => string | null; grants: Record<A, Grant<R> | Grant<R>[]> }): Policy<R, A> {
  const list = (action: A): Grant<R>[] => {
    const g = spec.grants[action];
    if (g === undefined) return [];
    return Array.isArray(g) && g.length > 0 && typeof g[0] !== "string" ? (g as Grant<R>[]) : [g as Grant<R>];
  };
  return {
    can(actor, action, resource) {
      if (!actor) return false;
      const livcId = spec.livcOf(resource);
      if (!livcId) return false;
      const mine = actor.memberships.filter((m) => m.livcId === livcId).map((m) => m.role);
      return list(action).some((g) => {
        if (!rolesOf(g).some((r) => mine.includes(r))) return false;
        const also = Array.isArray(g) ? undefined : (g as { also?: (a: Actor, r: R) => boolean }).also;
        return also ? also(actor, resource) : true;
      });
    },
    livcIds(actor, action) {
      return livcIdsWhere(actor, list(action).flatMap(rolesOf));
    },
    roles(action) {
      return [...new Set(list(action).flatMap(rolesOf))];
    },
  };
}

/** The LIVC ids in which the actor holds one of the roles; [] for nobody. */
export function livcIdsWhere(actor: Actor | null, roles: readonly LivcRole[]): string[] {
  if (!actor) return [];
  return [...new Set(actor.memberships.filter((m) => roles.includes(m.role)).map((m) => m.livcId))];
}

/** A WHERE condition "column in ids" that is false (not an error) when ids is empty. */
export function inLivcs(column: Expression<unknown>, ids: readonly string[]): Expression<SqlBool> {
  if (ids.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${column} in (${sql.join(ids.map((id) => sql`${id}`))})`;
}
