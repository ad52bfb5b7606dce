import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { nowIso } from "../../platform/db/values";
import type { UserRow } from "./store";

/**
 * An account's single sign-on link as people see it (decision 0031): linked or not, and the
 * provider's issuer. The provider's subject identifier is never shown, not even to an administrator.
 */
export interface SsoLinkView {
  linked: boolean;
  issuer: string | null;
}

export const ssoLinkOf = (user: Pick<UserRow, "oidc_issuer" | "oidc_subject"> | undefined): SsoLinkView =>
  user?.oidc_subject ? { linked: true, issuer: user.oidc_issuer } : { linked: false, issuer: null };

/**
 * Removes an account's SSO link and ends every session of that account that came in through SSO
 * (auth_method "oidc", also one still at its TOTP step); password sessions stay. Run it in the
 * transaction that also writes the audit entry. Sessions are rows, read on every request, so
 * the ended ones stop at the next request.
 */
export async function removeSsoLink(db: Kysely<DB>, userId: string): Promise<{ removed: boolean; sessionsEnded: number }> {
  const updated = await db
    .updateTable("app_user")
    .set({ oidc_issuer: null, oidc_subject: null, updated_at: nowIso() })
    .where("id", "=", userId)
    .where("oidc_subject", "is not", null)
    .executeTakeFirst();
  const ended = await db.deleteFrom("session").where("user_id", "=", userId).where("auth_method", "=", "oidc").executeTakeFirst();
  return { removed: Number(updated.numUpdatedRows ?? 0) > 0, sessionsEnded: Number(ended.numDeletedRows ?? 0) };
}
