import { definePolicy } from "../../platform/policy";
import { type Actor, rolesIn } from "../../platform/policy/actor";
import type { TransitionActor } from "./workflow";

/**
 * Who may see and decide what in intake. Deny by default; the same rules filter the lists
 * (store.ts uses screeningLivcIds / reporterFilter / regionalScope), so a list never shows what a
 * detail page would refuse.
 *
 * - A reporter (any role) sees only the reports they filed themselves, and only their status.
 * - Coordinator and information officer of an LIVC screen that LIVC's reports; another LIVC's
 *   queue is invisible to them.
 * - A regional contact point screens reports that no LIVC covers, within their province (or all).
 */
export interface ReportRef {
  livcId: string | null;
  reporterUserId: string;
  regionalQueue: string | null;
}

export const reportPolicy = definePolicy({
  livcOf: (r: ReportRef) => r.livcId,
  grants: {
    screen: ["coordinator", "information_officer"],
    close: ["chair", "coordinator"],
  },
});

/** A regional contact's reach: every province (all) or the listed provinces (by name, the queue key). */
export interface RegionalScope {
  all: boolean;
  provinces: string[];
}

export const isOwnReport = (actor: Actor | null, r: ReportRef): boolean => Boolean(actor && actor.userId === r.reporterUserId);

export function inRegionalScope(scope: RegionalScope | null, r: ReportRef): boolean {
  if (!scope || r.livcId !== null || r.regionalQueue === null) return false;
  return scope.all || scope.provinces.includes(r.regionalQueue);
}

/** May this person open the report for screening (content, duplicates, decisions)? */
export const canScreen = (actor: Actor | null, r: ReportRef, scope: RegionalScope | null): boolean =>
  reportPolicy.can(actor, "screen", r) || inRegionalScope(scope, r);

/** The LIVCs whose queue this person sees. */
export const screeningLivcIds = (actor: Actor | null): string[] => reportPolicy.livcIds(actor, "screen");

/** Input for the transition table: roles in the report's LIVC, or regional contact on a regional report. */
export function transitionActor(actor: Actor | null, r: ReportRef, scope: RegionalScope | null): TransitionActor {
  if (r.livcId === null) return { roles: [], regionalContact: inRegionalScope(scope, r) };
  return { roles: rolesIn(actor, r.livcId), regionalContact: false };
}

/**
 * Closing days of an LIVC (closing-days.ts): its chair and coordinator (memberships valid today),
 * and administrators for every LIVC. Nobody else, not the information officer.
 */
export const closingDaysPolicy = definePolicy({
  livcOf: (l: { livcId: string }) => l.livcId,
  grants: { manage: ["chair", "coordinator"] },
});

export const mayManageClosingDays = (actor: Actor | null, livcId: string): boolean => Boolean(actor?.isAdmin) || closingDaysPolicy.can(actor, "manage", { livcId });

/** The LIVCs whose closing days this person manages through a role (administrators: see closingDayLivcs). */
export const closingDayLivcIds = (actor: Actor | null): string[] => closingDaysPolicy.livcIds(actor, "manage");
