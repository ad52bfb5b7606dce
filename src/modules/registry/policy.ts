import type { Actor } from "../../platform/policy/actor";
import { definePolicy } from "../../platform/policy/grants";

/**
 * Who sees which LIVC's register page, and who changes what (decision 0044). Regional analysts and
 * administrators see every LIVC; chairs, coordinators and information officers see their own LIVC
 * only. The chair of an LIVC records a new version of that LIVC's consultation framework (art.
 * 458ter Sw.); the LIVC's core data (code, name, founding, municipalities, status, officers) stays
 * with administrators. Obstacles (why a municipality has no LIVC) are recorded, corrected and ended
 * by regional analysts and administrators. No role sees case content here: the register holds none.
 */
export const livcPolicy = definePolicy({
  livcOf: (l: { id: string }) => l.id,
  grants: { view: ["chair", "coordinator", "information_officer"], framework: ["chair"] },
});

const seesAll = (actor: Actor | null) => Boolean(actor && (actor.isAdmin || actor.isRegionalAnalyst));

export const canViewLivc = (actor: Actor | null, livc: { id: string }) => seesAll(actor) || livcPolicy.can(actor, "view", livc);

/** The same rule as a list filter: "all", or the LIVC ids this actor may see. */
export const visibleLivcs = (actor: Actor | null): "all" | string[] => (seesAll(actor) ? "all" : livcPolicy.livcIds(actor, "view"));

export const canManageRegistry = (actor: Actor | null) => Boolean(actor?.isAdmin);

/** A new framework version for this LIVC: its chair, or an administrator. */
export const canRecordFramework = (actor: Actor | null, livc: { id: string }) => Boolean(actor?.isAdmin) || livcPolicy.can(actor, "framework", livc);

/** Record, correct and end obstacles: regional analysts and administrators. */
export const canManageObstacles = (actor: Actor | null) => seesAll(actor);
