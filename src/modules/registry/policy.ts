import type { Actor } from "../../platform/policy/actor";
import { definePolicy } from "../../platform/policy/grants";

/**
 * Who sees which LIVC's register page. Regional analysts and administrators see every LIVC;
 * chairs, coordinators and information officers see their own LIVC only. Only administrators
 * change the register. No role sees case content here: the register holds none.
 */
export const livcPolicy = definePolicy({
  livcOf: (l: { id: string }) => l.id,
  grants: { view: ["chair", "coordinator", "information_officer"] },
});

const seesAll = (actor: Actor | null) => Boolean(actor && (actor.isAdmin || actor.isRegionalAnalyst));

export const canViewLivc = (actor: Actor | null, livc: { id: string }) => seesAll(actor) || livcPolicy.can(actor, "view", livc);

/** The same rule as a list filter: "all", or the LIVC ids this actor may see. */
export const visibleLivcs = (actor: Actor | null): "all" | string[] => (seesAll(actor) ? "all" : livcPolicy.livcIds(actor, "view"));

export const canManageRegistry = (actor: Actor | null) => Boolean(actor?.isAdmin);
