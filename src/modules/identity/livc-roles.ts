import type { Kysely } from "kysely";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { isLocale, type Locale, type MessageKey, translator } from "../../platform/i18n";
import { mailTransport } from "../../platform/mail";
import type { LivcRole } from "../../platform/policy/actor";
import { livcById } from "../registry/service";
import * as store from "./store";

/**
 * The LIVC's own oversight of who holds a role in it (decision 0047). The chair and coordinator see
 * every current and future role and those ended in the last 90 days, and they are told by mail when an
 * ADMINISTRATOR gives a role in their LIVC: the platform administrator cannot hold an LIVC role
 * (decision 0041), but could still create an account and give it one; the cell now notices.
 */
export const OVERSIGHT_ROLES: readonly LivcRole[] = ["chair", "coordinator"];
const ENDED_SHOWN_DAYS = 90;

/** Who holds a role (approved: pending requests are listed apart, refused and withdrawn ones never). */
export function rolesInLivc(db: Kysely<DB>, livcId: string, today = todayInBrussels()) {
  return db
    .selectFrom("membership")
    .innerJoin("app_user", "app_user.id", "membership.user_id")
    .leftJoin("organisation", "organisation.id", "membership.organisation_id")
    .select(["membership.id", "membership.role", "membership.valid_from", "membership.valid_to", "app_user.display_name", "app_user.status", "organisation.name as organisation_name"])
    .where("membership.livc_id", "=", livcId)
    .where("membership.approval", "=", "approved")
    .where((eb) => eb.or([eb("membership.valid_to", "is", null), eb("membership.valid_to", ">=", addDays(today, -ENDED_SHOWN_DAYS))]))
    .orderBy("membership.role")
    .orderBy("app_user.display_name")
    .execute();
}

/**
 * Mails the LIVC's current chairs and coordinators (active accounts; not the people who got the roles)
 * that an administrator gave roles in their LIVC: the LIVC's name, the roles, and the link to the page
 * that lists who holds what. No names and no addresses in the mail. Best effort, after the commit: a
 * lost mail does not undo the grant (the audit log has it).
 */
export async function noticeRolesGranted(ctx: AppContext, livcId: string, granted: { userId: string; role: LivcRole }[]): Promise<number> {
  if (granted.length === 0 || !ctx.config.SMTP_URL) return 0;
  const db = ctx.database.db;
  const livc = await livcById(db, livcId);
  if (!livc) return 0;
  const grantees = new Set(granted.map((g) => g.userId));
  const overseers = (await store.membersOfLivc(db, livcId)).filter((m) => OVERSIGHT_ROLES.includes(m.role as LivcRole) && !grantees.has(m.user_id));
  const recipients = await store.activeRecipients(db, [...new Set(overseers.map((m) => m.user_id))]);
  const link = `${ctx.config.SCHAKEL_PUBLIC_URL ?? ""}/livc-roles/${livcId}`;
  let sent = 0;
  for (const r of recipients) {
    const t = translator(isLocale(r.language) ? (r.language as Locale) : "nl");
    const roles = [...new Set(granted.map((g) => t(`id.role.${g.role}` as MessageKey)))].join(", ");
    try {
      const transport = await mailTransport(ctx.config.SMTP_URL);
      await transport.sendMail({ from: ctx.config.MAIL_FROM, to: r.email, subject: t("lr.mail.subject", { livc: livc.name }), text: t("lr.mail.body", { livc: livc.name, roles, link }) });
      sent++;
    } catch {
      // Best effort: the grant is committed and audited.
    }
  }
  return sent;
}
