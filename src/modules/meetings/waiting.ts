import { sql } from "kysely";
import type { AppContext } from "../../platform/context";
import { toCount } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { meetingPolicy, partnerSeatsOf } from "./service";

/**
 * The start page's count (decision 0059): planned meetings the person takes part in (the rows of
 * /meetings?status=planned: core member of the LIVC, or an organisation they represent there is
 * invited, the rule of meetingsFor) that still wait for their acknowledgement of professional
 * secrecy for the meeting's current framework version (store.ackCounts). One query.
 */
export async function meetingsToAcknowledge(ctx: AppContext, actor: Actor): Promise<number> {
  const core = meetingPolicy.livcIds(actor, "core");
  const seats = partnerSeatsOf(actor);
  if (core.length === 0 && seats.length === 0) return 0;
  const row = await ctx.database.db
    .selectFrom("consultation as c")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("c.status", "=", "planned")
    .where((eb) =>
      eb.or([
        eb("c.livc_id", "in", core.length ? core : ["-"]),
        ...(seats.length
          ? [
              eb.exists(
                eb
                  .selectFrom("consultation_case_service as s")
                  .select("s.consultation_id")
                  .whereRef("s.consultation_id", "=", "c.id")
                  .where((e) => e.or(seats.map((x) => e.and([e("c.livc_id", "=", x.livcId), e("s.organisation_id", "=", x.organisationId)])))),
              ),
            ]
          : []),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("consultation_ack as a")
            .select("a.consultation_id")
            .whereRef("a.consultation_id", "=", "c.id")
            .where("a.user_id", "=", actor.userId)
            // The same test as store.ackCounts: given for the meeting's current framework version (both may be null).
            .where(sql<boolean>`coalesce(a.framework_version, -1) = coalesce(c.framework_version, -1)`),
        ),
      ),
    )
    .executeTakeFirst();
  return toCount(row?.n);
}
