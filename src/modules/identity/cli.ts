import fs from "node:fs";
import type { Command } from "commander";
import { verifyAuditChain } from "../../platform/audit";
import { addFieldDataKey, readKeyring, rewrapDataKeys } from "../../platform/crypto/keyring";
import { decodeKey, generateKeyText, loadMasterKey, masterKeyFromBytes } from "../../platform/crypto/master-key";
import { BATCH_ROWS, fieldDataKeys, keysInUse, reencryptFieldValues, RetireRefused, retireFieldDataKeys } from "../../platform/crypto/reencrypt";

import type { OpenContext as Open } from "../../cli/shared";
import { z } from "zod";
import { audit } from "../../platform/audit";
import { LOCALES } from "../../platform/i18n";
import { PLATFORM_ROLES, type PlatformRole } from "./migrations";
import { resetSecondFactorAudited, sendNotice } from "./recovery";
import { changePlatformRoles, RoleRuleError } from "./roles";
import { createAccount } from "./service";
import { findUserByEmail, platformRolesOf } from "./store";
import { issueToken } from "./tokens";
import { bound } from "../../platform/context";

/** Why the operator resets a second factor from the command line (a code, never free text: it goes into the audit entry). */
export const CLI_RESET_REASONS = ["lost-factor", "compromised", "other"] as const;

/** `schakel audit verify`, `schakel keys generate|rotate|reencrypt|retire`, `schakel account reset-second-factor`. */
export function securityCli(program: Command, open: Open) {
  accountCli(program, open);
  const auditCmd = program.command("audit").description("The tamper-evident audit log");
  auditCmd
    .command("verify")
    .description("Check the whole hash chain; exit 0 when intact, 1 when broken (names the first broken entry)")
    .action(async () => {
      const ctx = await open();
      try {
        const started = performance.now();
        const r = await verifyAuditChain(ctx.database);
        const seconds = (performance.now() - started) / 1000;
        if (r.ok) {
          console.log(`Audit log intact: ${r.entries} entries, head ${r.headHash} (${Math.round(r.entries / Math.max(seconds, 0.001))} entries/s).`);
          console.log("Keep the head hash and count elsewhere: a later run that shows fewer entries or another hash at that count means the tail was cut.");
        } else {
          console.error(`Audit log BROKEN at entry ${r.brokenAt}: ${r.reason}. ${r.entries} entries before it are intact.`);
          process.exitCode = 1;
        }
      } finally {
        await ctx.close();
      }
    });

  const keys = program.command("keys").description("Encryption keys for personal data");
  keys
    .command("generate")
    .description("Print a new random master key (base64) for SCHAKEL_MASTER_KEY or a key file")
    .action(() => {
      console.log(generateKeyText());
    });
  keys
    .command("rotate")
    .description("Re-wrap all data keys under a new master key (--new-key-file), and/or start a new data key for new writes (--data-key)")
    .option("--new-key-file <file>", "file holding the new master key (base64)")
    .option("--data-key", "start a new data key; older values stay readable")
    .action(async (opts: { newKeyFile?: string; dataKey?: boolean }) => {
      if (!opts.newKeyFile && !opts.dataKey) throw new Error("Say what to rotate: --new-key-file <file> and/or --data-key");
      const ctx = await open();
      try {
        const current = loadMasterKey(ctx.config, () => {});
        let master = current;
        if (opts.newKeyFile) {
          const next = masterKeyFromBytes(decodeKey(fs.readFileSync(opts.newKeyFile, "utf8"), `The key file ${opts.newKeyFile}`));
          const n = await rewrapDataKeys(ctx.database, current, next);
          master = next;
          console.log(`Re-wrapped ${n} data keys under master key ${next.id}. Running instances keep working; restart them with the new key (SCHAKEL_MASTER_KEY or SCHAKEL_KEY_FILE).`);
        }
        if (opts.dataKey) {
          const id = await addFieldDataKey(ctx.database, master);
          console.log(`New data key ${id} is active for new writes; older values stay readable. Running servers take it up within a minute. Move the older values to it: schakel keys reencrypt.`);
        }
      } finally {
        await ctx.close();
      }
    });
  dataKeyLifecycleCli(keys, open);
}

/**
 * `schakel keys reencrypt` and `schakel keys retire` (decision 0072): the second half of a data key
 * rotation. Counts and key ids only are printed and audited, never a value.
 */
function dataKeyLifecycleCli(keys: Command, open: Open) {
  keys
    .command("reencrypt")
    .description(
      "Re-encrypt every personal data value under an older field data key with the active one, while the server runs; then name the older keys that hold no value (the blind-index key is not rotated)",
    )
    .action(async () => {
      const ctx = await open();
      try {
        const keyring = await readKeyring(ctx);
        const older = (await fieldDataKeys(ctx.database)).filter((k) => !k.active).map((k) => k.id);
        if (older.length === 0) {
          console.log(`Nothing to re-encrypt: ${keyring.activeKeyId} is the only field data key. To replace it, start a new one first: schakel keys rotate --data-key.`);
          return;
        }
        console.log(`Re-encrypting values under ${older.join(", ")} with the active data key ${keyring.activeKeyId}, in batches of ${BATCH_ROWS} rows.`);
        const started = performance.now();
        const r = await reencryptFieldValues(ctx, keyring, {
          onColumn: (c) => console.log(`  ${c.table}.${c.column}: ${c.reencrypted} re-encrypted${c.changedMeanwhile ? `, ${c.changedMeanwhile} edited meanwhile` : ""}${c.unreadable ? `, ${c.unreadable} UNREADABLE` : ""}`),
        });
        const seconds = (performance.now() - started) / 1000;
        const total = r.columns.reduce((n, c) => n + c.reencrypted, 0);
        console.log(`Done in ${seconds.toFixed(1)} s: ${total} value${total === 1 ? "" : "s"} re-encrypted (${Math.round(total / Math.max(seconds, 0.001))}/s); recorded in the audit log.`);
        const free = [...r.remaining].filter(([, n]) => n === 0).map(([id]) => id);
        const held = [...r.remaining].filter(([, n]) => n > 0);
        if (free.length > 0) console.log(`No value is under ${free.join(", ")} any more: remove ${free.length === 1 ? "it" : "them"} with "schakel keys retire" (from 3 minutes after the rotation; docs/OPERATIONS.md, "Rotating a data key").`);
        if (held.length > 0) {
          console.error(
            `Still under older keys: ${keysInUse(held)}. Values that do not decrypt stay as they are; values written by a server in the minute before it took up the new key: run this again.`,
          );
          process.exitCode = 1;
        }
      } finally {
        await ctx.close();
      }
    });
  keys
    .command("retire")
    .argument("[ids...]", "the older field data keys to remove; none: every older field key that holds no value")
    .description("Remove older field data keys that no longer encrypt any value (after \"schakel keys reencrypt\"); a key still in use is refused. The blind-index key is never retired")
    .action(async (ids: string[]) => {
      const ctx = await open();
      try {
        const { retired, inUse } = await retireFieldDataKeys(ctx, ids);
        if (retired.length > 0) console.log(`Retired ${retired.join(", ")} (recorded in the audit log). Backups made before still hold their own keys and restore as before.`);
        else console.log(inUse.length > 0 ? "Nothing to retire: every older field data key still holds values." : "Nothing to retire: there is no older field data key.");
        if (inUse.length > 0) console.log(`Kept, still in use: ${keysInUse(inUse)}; run "schakel keys reencrypt" first.`);
      } catch (e) {
        if (!(e instanceof RetireRefused)) throw e;
        console.error(`${e.message} Nothing retired.`);
        process.exitCode = e.code;
      } finally {
        await ctx.close();
      }
    });
}

/**
 * `schakel account reset-second-factor --email E --reason R --identity-verified`: the administrator's
 * second-factor reset (decision 0045) for the operator on the server (decision 0050). The same service
 * function as the web form (resetSecondFactorAudited: factors, password, SSO link and sessions gone, a
 * new 1-hour reset link, audit entries in one transaction), audited with the system as the actor
 * (actor null) and the correlation id `cli.reason.<reason>`; then the same notice mail without a link.
 * The link is printed for the operator to hand over in person. A refusal names its argument on
 * stderr, changes nothing and exits non-zero (2: a missing confirmation or an unknown reason, 1: no
 * such account or a disabled one).
 */
export function accountCli(program: Command, open: Open) {
  const account = program.command("account").description("Accounts (the rest is on /admin/accounts)");
  operatorAccountCli(account, open);
  account
    .command("reset-second-factor")
    .description("Reset a lost second factor: deletes the authenticator, recovery codes, password and SSO link, ends every session, prints a new reset link (1 h, single use)")
    .requiredOption("--email <address>", "the account's e-mail address")
    .requiredOption("--reason <reason>", `why: ${CLI_RESET_REASONS.join(", ")} (lost-factor: the authenticator and the recovery codes are lost; compromised: they may be in someone else's hands)`)
    .option("--identity-verified", "confirms that you verified the person's identity outside Schakel (required)")
    .action(async (opts: { email: string; reason: string; identityVerified?: boolean }) => {
      if (!(CLI_RESET_REASONS as readonly string[]).includes(opts.reason)) {
        console.error(`Unknown reason "${opts.reason}" (--reason). Known: ${CLI_RESET_REASONS.join(", ")}. Nothing changed.`);
        process.exitCode = 2;
        return;
      }
      if (!opts.identityVerified) {
        console.error("Refused: verify the person's identity outside Schakel first and confirm it with --identity-verified. Nothing changed.");
        process.exitCode = 2;
        return;
      }
      const ctx = await open();
      try {
        const user = await findUserByEmail(ctx.database.db, opts.email);
        if (!user) {
          console.error(`No account with e-mail ${opts.email.trim()} (--email). Nothing changed.`);
          process.exitCode = 1;
          return;
        }
        if (user.status === "disabled") {
          console.error(`The account ${user.email} is disabled (--email): a reset link would not work. Enable it on /admin/accounts first. Nothing changed.`);
          process.exitCode = 1;
          return;
        }
        const token = await resetSecondFactorAudited(ctx, { actor: null }, user.id, { correlationId: `cli.reason.${opts.reason.replace("-", "_")}` });
        await sendNotice(ctx, user, "rec.mail.subject", "rec.mail.body");
        console.log(`Second factor, recovery codes, password and SSO link of ${user.email} deleted; every session ended; the person was told by e-mail (without a link).`);
        console.log("Give this link to the person yourself, through the channel on which you verified their identity (valid for one hour, usable once):");
        console.log(`${ctx.config.SCHAKEL_PUBLIC_URL ?? ""}/account/reset/new?token=${token}`);
      } finally {
        await ctx.close();
      }
    });
}

/** The operator's way to make the first administrator, and to give a platform role where no second administrator exists (decision 0049). */
function operatorAccountCli(account: Command, open: Open) {
  const refuse = (message: string, code: number) => {
    console.error(`${message} Nothing changed.`);
    process.exitCode = code;
  };
  const roleList = (v: string | undefined, flag: string): PlatformRole[] | string => {
    const roles = (v ?? "").split(",").map((r) => r.trim()).filter(Boolean);
    const unknown = roles.find((r) => !(PLATFORM_ROLES as readonly string[]).includes(r));
    return unknown ? `Unknown role "${unknown}" (${flag}). Known: ${PLATFORM_ROLES.join(", ")}.` : (roles as PlatformRole[]);
  };
  account
    .command("create")
    .description("Create an invited account (e.g. the first administrator) with platform roles given at once; prints its single-use invitation link")
    .requiredOption("--email <address>", "the person's e-mail address")
    .requiredOption("--name <name>", "the name shown in Schakel")
    .option("--roles <list>", `platform roles, comma-separated: ${PLATFORM_ROLES.join(", ")}`)
    .option("--language <code>", `language of the account's mails and pages: ${LOCALES.join(", ")}`, "nl")
    .action(async (opts: { email: string; name: string; roles?: string; language: string }) => {
      const email = z.string().trim().toLowerCase().email().max(254).safeParse(opts.email);
      if (!email.success) return refuse(`Not an e-mail address: "${opts.email}" (--email).`, 2);
      const name = opts.name.trim();
      if (!name || name.length > 120) return refuse("A name of 1 to 120 characters is needed (--name).", 2);
      if (!(LOCALES as readonly string[]).includes(opts.language)) return refuse(`Unknown language "${opts.language}" (--language). Known: ${LOCALES.join(", ")}.`, 2);
      const roles = roleList(opts.roles, "--roles");
      if (typeof roles === "string") return refuse(roles, 2);
      const ctx = await open();
      try {
        if (await findUserByEmail(ctx.database.db, email.data)) return refuse(`An account with e-mail ${email.data} exists already (--email).`, 1);
        const token = await ctx.database.db.transaction().execute(async (trx) => {
          const tctx = bound(ctx, trx);
          const id = await createAccount(tctx, { email: email.data, displayName: name, status: "invited", platformRoles: roles, language: opts.language as (typeof LOCALES)[number] });
          await audit.recordFor(ctx, { actor: null, correlationId: "cli.account.create" }, { action: "account.create", resourceType: "account", resourceId: id, outcome: "success" }, { db: trx });
          return issueToken(tctx, id, "invite");
        });
        console.log(`Account ${email.data} created${roles.length ? ` with ${roles.join(", ")}` : ""} (invited; audited with the system as the actor).`);
        console.log("Give this link to the person yourself (single use): they set a password and enrol a second factor with it:");
        console.log(`${ctx.config.SCHAKEL_PUBLIC_URL ?? ""}/account/activate?token=${token}`);
      } finally {
        await ctx.close();
      }
    });
  account
    .command("platform-roles")
    .description("Give or take platform roles at once, as the server's operator (the second pair of eyes where there is no second administrator)")
    .requiredOption("--email <address>", "the account's e-mail address")
    .option("--add <list>", "roles to give, comma-separated")
    .option("--remove <list>", "roles to take away, comma-separated")
    .action(async (opts: { email: string; add?: string; remove?: string }) => {
      const add = roleList(opts.add, "--add");
      if (typeof add === "string") return refuse(add, 2);
      const remove = roleList(opts.remove, "--remove");
      if (typeof remove === "string") return refuse(remove, 2);
      if (add.length + remove.length === 0) return refuse("Say what to change: --add and/or --remove.", 2);
      const ctx = await open();
      try {
        const user = await findUserByEmail(ctx.database.db, opts.email);
        if (!user) return refuse(`No account with e-mail ${opts.email.trim()} (--email).`, 1);
        const before = await platformRolesOf(ctx.database.db, user.id);
        const wanted = PLATFORM_ROLES.filter((r) => (before.includes(r) || add.includes(r)) && !remove.includes(r));
        try {
          const r = await changePlatformRoles(ctx, { actor: null, correlationId: "cli.account.platform_roles" }, user.id, wanted, { operator: true });
          console.log(`Platform roles of ${user.email}: ${r.held.length ? r.held.join(", ") : "none"} (were: ${before.length ? before.join(", ") : "none"}; audited with the system as the actor).`);
        } catch (e) {
          if (!(e instanceof RoleRuleError)) throw e;
          const why: Partial<Record<string, string>> = {
            livc_role_holds_admin: "the account holds an LIVC role, and an administrator never does (decision 0041)",
            last_admin: "it is the last active administrator",
            already_requested: "a request for that role is waiting on /admin/approvals: decide it there",
          };
          return refuse(`Refused for ${user.email}: ${why[e.code] ?? e.code}.`, 1);
        }
      } finally {
        await ctx.close();
      }
    });
}

