import type { AppContext } from "../../platform/context";
import { toCount } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { inLivcs } from "../../platform/policy";
import { todayInBrussels } from "../../platform/db/values";
import { screeningLivcIds } from "./policy";
import { OPEN_STATUSES } from "./store";

/**
 * Counts for the start page (decision 0059): numbers only, with the same filters as the lists they
 * link to. One query each, and none for someone without the role.
 */

/** Reports to screen in the person's LIVCs (the open tab of /screening) and how many of them are past their deadline (marked "overdue" there). */
export async function screeningWaiting(ctx: AppContext, actor: Actor, today = todayInBrussels()): Promise<{ open: number; overdue: number } | null> {
  const livcIds = screeningLivcIds(actor);
  if (livcIds.length === 0) return null;
  const row = await ctx.database.db
    .selectFrom("report")
    .select((eb) => [
      eb.fn.countAll().as("open"),
      eb.fn.count(eb.case().when("screening_due_on", "<", today).then(1).end()).as("overdue"),
    ])
    .where((eb) => inLivcs(eb.ref("livc_id"), livcIds))
    .where("status", "in", OPEN_STATUSES)
    .executeTakeFirst();
  return { open: toCount(row?.open), overdue: toCount(row?.overdue) };
}

/** The reporter's own drafts and submitted reports (the two kinds of rows of /reports). */
export async function reporterWaiting(ctx: AppContext, actor: Actor): Promise<{ drafts: number; reports: number }> {
  const row = await ctx.database.db
    .selectFrom("report")
    .select((eb) => [eb.fn.count(eb.case().when("status", "=", "draft").then(1).end()).as("drafts"), eb.fn.count(eb.case().when("status", "!=", "draft").then(1).end()).as("reports")])
    .where("reporter_user_id", "=", actor.userId)
    .executeTakeFirst();
  return { drafts: toCount(row?.drafts), reports: toCount(row?.reports) };
}
