import type { Kysely } from "kysely";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { nowIso } from "../../platform/db/values";
import { isLocale, type Locale, type MessageKey, translator } from "../../platform/i18n";
import { mailFailed, mailTransport, publicBaseUrl } from "../../platform/mail";
import type { LivcRole } from "../../platform/policy/actor";
import { livcById } from "../registry/service";
import { OVERSIGHT_ROLES } from "./livc-roles";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * The people who may decide a four-eyes request (decision 0049) are told by mail (decision 0056):
 * once when it becomes pending, and ONE reminder when it is still pending after REMIND_AFTER_DAYS.
 * A decided or withdrawn request is never mailed again. Recipients: active administrators, plus, for
 * an LIVC role, that LIVC's current chairs and coordinators; never the requester, never the person
 * the request is about. Each in their own language, with the link to the page where THEY decide
 * (/admin/approvals, or /livc-roles/:id). No names, no addresses: the LIVC's name and the role only.
 * Best effort, after the commit: a lost mail undoes nothing (the request and its audit entry stand).
 * The columns approvers_mailed_at / approvers_reminded_at are claimed before sending, so two runs at
 * once never send the same mail twice.
 */
export const REMIND_AFTER_DAYS = 7;

type Kind = "membership" | "platform_role_request";

interface OpenRequest {
  kind: Kind;
  id: string;
  userId: string;
  requestedBy: string | null;
  role: string;
  livcId: string | null;
}

interface Recipient {
  email: string;
  language: Locale;
  /** Where this recipient decides: the administrators' list or the LIVC's roles page. */
  path: string;
}

const table = { membership: "membership", platform_role_request: "platform_role_request" } as const;

/** Pending requests of both kinds: not yet mailed, or (remind) mailed before `mailedBefore` and not yet reminded. */
async function pending(db: Kysely<DB>, which: "mail" | "remind", mailedBefore?: string): Promise<OpenRequest[]> {
  const memberships = await db
    .selectFrom("membership")
    .select(["id", "user_id", "requested_by", "role", "livc_id"])
    .where("approval", "=", "pending")
    .$if(which === "mail", (q) => q.where("approvers_mailed_at", "is", null))
    .$if(which === "remind", (q) => q.where("approvers_reminded_at", "is", null).where("approvers_mailed_at", "<=", mailedBefore!))
    .orderBy("requested_at")
    .orderBy("id")
    .execute();
  const platform = await db
    .selectFrom("platform_role_request")
    .select(["id", "user_id", "requested_by", "role"])
    .where("approval", "=", "pending")
    .$if(which === "mail", (q) => q.where("approvers_mailed_at", "is", null))
    .$if(which === "remind", (q) => q.where("approvers_reminded_at", "is", null).where("approvers_mailed_at", "<=", mailedBefore!))
    .orderBy("requested_at")
    .orderBy("id")
    .execute();
  return [
    ...memberships.map((r) => ({ kind: "membership" as const, id: r.id, userId: r.user_id, requestedBy: r.requested_by, role: r.role, livcId: r.livc_id })),
    ...platform.map((r) => ({ kind: "platform_role_request" as const, id: r.id, userId: r.user_id, requestedBy: r.requested_by, role: r.role, livcId: null })),
  ];
}

/** Marks the request as mailed (or reminded) if it still is pending and not yet marked; true when this run got it. */
async function claim(db: Kysely<DB>, r: OpenRequest, column: "approvers_mailed_at" | "approvers_reminded_at"): Promise<boolean> {
  const moved = await db
    .updateTable(table[r.kind])
    .set({ [column]: nowIso() })
    .where("id", "=", r.id)
    .where("approval", "=", "pending")
    .where(column, "is", null)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** Everyone who may decide this request, each with the page where they decide: active accounts with an address only. */
export async function approversOf(db: Kysely<DB>, r: Pick<OpenRequest, "userId" | "requestedBy" | "livcId">): Promise<Recipient[]> {
  const excluded = (id: string) => id === r.userId || id === r.requestedBy;
  const admins = await db
    .selectFrom("platform_role")
    .innerJoin("app_user", "app_user.id", "platform_role.user_id")
    .select(["app_user.id", "app_user.email", "app_user.language"])
    .where("platform_role.role", "=", "admin")
    .where("app_user.status", "=", "active")
    .orderBy("app_user.email")
    .execute();
  const out: Recipient[] = admins.filter((a) => !excluded(a.id) && a.email).map((a) => ({ email: a.email, language: a.language, path: "/admin/approvals" }));
  if (r.livcId) {
    const overseers = (await store.membersOfLivc(db, r.livcId)).filter((m) => OVERSIGHT_ROLES.includes(m.role as LivcRole) && !excluded(m.user_id));
    for (const o of await store.activeRecipients(db, overseers.map((m) => m.user_id))) {
      // An administrator never holds an LIVC role (decision 0041); should old data say otherwise, one mail.
      if (o.email && !out.some((x) => x.email === o.email)) out.push({ email: o.email, language: o.language, path: `/livc-roles/${r.livcId}` });
    }
  }
  return out;
}


/** Subject and body for one recipient; the reminder puts one line before the same text. */
function mailText(ctx: AppContext, r: OpenRequest, to: Recipient, livcName: string | null, reminder: boolean) {
  const t = translator(isLocale(to.language) ? to.language : "nl");
  const link = `${publicBaseUrl(ctx.config)}${to.path}`;
  const role = t(`id.role.${r.role}` as MessageKey);
  const subject = r.kind === "membership" ? t("lr.mail.subject", { livc: livcName ?? "" }) : t("ap.mail.platform.subject");
  const body = r.kind === "membership" ? t("lr.mail.body", { livc: livcName ?? "", roles: role, link }) : t("ap.mail.platform.body", { role, link });
  if (!reminder) return { subject, text: body };
  const days = String(REMIND_AFTER_DAYS);
  return { subject: t("ap.remind.subject", { days }), text: `${t("ap.remind.lead", { days })}\n\n${body}` };
}

async function send(ctx: AppContext, requests: OpenRequest[], reminder: boolean) {
  let sent = 0;
  let failed = 0;
  const db = ctx.database.db;
  for (const r of requests) {
    const livcName = r.livcId ? ((await livcById(db, r.livcId))?.name ?? null) : null;
    for (const to of await approversOf(db, r)) {
      try {
        const transport = await mailTransport(ctx.config.SMTP_URL!);
        await transport.sendMail({ from: ctx.config.MAIL_FROM, to: to.email, ...mailText(ctx, r, to, livcName, reminder) });
        sent++;
      } catch (e) {
        // Best effort: the request stands and is listed on the approvers' pages.
        mailFailed(reminder ? "approval.reminder" : "approval.request", e);
        failed++;
      }
    }
  }
  return { requests: requests.length, sent, failed };
}

/**
 * Mails every pending request not mailed yet to the people who may decide it. Call it after the
 * transaction that made requests pending has committed (routes do, right after the change); the
 * daily job calls it too, for requests made while no one did. Without SMTP_URL nothing is claimed.
 */
export async function mailPendingRequests(ctx: AppContext) {
  if (!ctx.config.SMTP_URL) return { requests: 0, sent: 0, failed: 0, configured: false };
  const db = ctx.database.db;
  const mine: OpenRequest[] = [];
  for (const r of await pending(db, "mail")) if (await claim(db, r, "approvers_mailed_at")) mine.push(r);
  return extend(await send(ctx, mine, false), { configured: true });
}

/**
 * The one reminder for a request still pending REMIND_AFTER_DAYS after the approvers were told (for
 * requests made before this feature: after they were made), to the same people. Each reminder is marked and audited (a system action: account.membership.remind /
 * account.platform_role.remind) in one transaction before it is sent; never again for that request.
 * Without SMTP_URL nothing is sent and the reminder stays due.
 */
export async function sendApprovalReminders(ctx: AppContext, opts: { now?: Date } = {}) {
  if (!ctx.config.SMTP_URL) return { requests: 0, sent: 0, failed: 0, configured: false };
  const db = ctx.database.db;
  const before = new Date((opts.now ?? new Date()).getTime() - REMIND_AFTER_DAYS * 24 * 60 * 60 * 1000).toISOString();
  const mine: OpenRequest[] = [];
  for (const r of await pending(db, "remind", before)) {
    const claimed = await db.transaction().execute(async (trx) => {
      if (!(await claim(trx, r, "approvers_reminded_at"))) return false;
      const action = r.kind === "membership" ? "account.membership.remind" : "account.platform_role.remind";
      await audit.recordFor(ctx, { actor: null, correlationId: "job.approval_reminders" }, { action, resourceType: r.kind, resourceId: r.id, livcId: r.livcId, outcome: "success" }, { db: trx });
      return true;
    });
    if (claimed) mine.push(r);
  }
  return extend(await send(ctx, mine, true), { configured: true });
}

/** The daily work: requests not mailed yet (made while SMTP_URL was not set, or by a path that did not mail), then the reminders. */
export async function runApprovalMailJobs(ctx: AppContext, opts: { now?: Date } = {}) {
  const mailed = await mailPendingRequests(ctx);
  const reminded = await sendApprovalReminders(ctx, opts);
  return { mailed, reminded };
}
