import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/support/auth";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { createSession } from "../../platform/auth/session";
import { hashRecoveryCode, newRecoveryCodes } from "../../platform/auth/totp";
import { newId, toCount } from "../../platform/db/values";
import { translator } from "../../platform/i18n";
import { findUser, updateUser } from "./store";
import { peekToken } from "./tokens";

const root = path.resolve(import.meta.dirname, "../../..");
const BASE = "https://schakel.example";

/**
 * `schakel account reset-second-factor` (decision 0050) in a REAL process against SQLite and
 * PostgreSQL, with the notice mail on a REAL SMTP receiver: refusals name their argument and change
 * nothing; the reset does what the web form does and is audited with the system as the actor.
 */
for (const dialect of activeDialects()) {
  describe(`schakel account reset-second-factor (real process) [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let ctx: TestContext;
    let env: Record<string, string>;
    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      const extra = { SCHAKEL_MASTER_KEY: randomBytes(32).toString("base64"), SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE };
      ctx = await openTestContext(dialect, extra);
      env = { DATABASE_URL: ctx.database.url, ...extra };
    }, 60_000);
    afterAll(async () => {
      await ctx?.close();
      await smtp?.stop();
    });

    // Asynchronous (not spawnSync): the SMTP receiver runs in this process and must answer meanwhile.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, "bin/schakel.js"), "account", "reset-second-factor", ...args], {
          cwd: root,
          env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => {
          stdout += d;
        });
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      });
    const db = () => ctx.database.db;
    const count = async (table: "recovery_code" | "session", userId: string) =>
      toCount((await db().selectFrom(table).select((eb) => eb.fn.countAll().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow()).n);
    const auditOf = async (userId: string) =>
      (await db().selectFrom("audit_entry").select(["action", "outcome", "actor_id", "correlation_id"]).where("resource_id", "=", userId).where("action", "like", "account.%").orderBy("seq").execute()).map(
        (e) => `${e.action} ${e.outcome} ${e.actor_id ?? "system"} ${e.correlation_id}`,
      );

    it("refuses a missing confirmation, an unknown reason, an unknown and a disabled account (stderr names the argument, exit non-zero, nothing changes); then resets as the web form does, audited as the system with the reason code, and prints the link", async () => {
      const person = await createUser(ctx, { displayName: "Karel Kwijt" });
      await updateUser(db(), person.id, { language: "en", oidc_issuer: "https://idp.test.schakel.invalid", oidc_subject: `sub-${person.id}` });
      await db().insertInto("recovery_code").values(newRecoveryCodes().map((c) => ({ id: newId(), user_id: person.id, code_hash: hashRecoveryCode(c), used_at: null }))).execute();
      await createSession(db(), person.id, "full", "password", null);
      const before = await findUser(db(), person.id);
      const disabled = await createUser(ctx);
      await updateUser(db(), disabled.id, { status: "disabled" });
      smtp.inbox.length = 0;

      const noConfirm = await run(["--email", person.email, "--reason", "lost-factor"]);
      expect(noConfirm.status).toBe(2);
      expect(noConfirm.stderr).toContain("--identity-verified");
      const badReason = await run(["--email", person.email, "--reason", "forgot", "--identity-verified"]);
      expect(badReason.status).toBe(2);
      expect(badReason.stderr).toContain('Unknown reason "forgot" (--reason). Known: lost-factor, compromised, other.');
      const unknown = await run(["--email", "niemand@elders.example", "--reason", "lost-factor", "--identity-verified"]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain("No account with e-mail niemand@elders.example (--email). Nothing changed.");
      const off = await run(["--email", disabled.email, "--reason", "other", "--identity-verified"]);
      expect(off.status).toBe(1);
      expect(off.stderr).toContain("is disabled (--email)");
      const missing = await run(["--reason", "lost-factor", "--identity-verified"]);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain("--email");
      expect(await findUser(db(), person.id)).toEqual(before);
      expect([await count("recovery_code", person.id), await count("session", person.id)]).toEqual([10, 1]);
      expect(await auditOf(person.id)).toEqual([]);
      expect(await auditOf(disabled.id)).toEqual([]);
      expect(smtp.inbox).toEqual([]);

      const done = await run(["--email", ` ${person.email.toUpperCase()} `, "--reason", "compromised", "--identity-verified"]);
      expect(done.stderr).toBe("");
      expect(done.status).toBe(0);
      const url = done.stdout.split("\n").find((l) => l.startsWith(`${BASE}/account/reset/new?token=`));
      expect(url).toBeDefined();
      const row = (await findUser(db(), person.id))!;
      expect([row.totp_secret, row.totp_last_step, row.password_hash, row.oidc_subject, row.oidc_issuer]).toEqual([null, null, null, null, null]);
      expect([await count("recovery_code", person.id), await count("session", person.id)]).toEqual([0, 0]);
      // The printed link is the one valid reset link (1 h, single use).
      expect((await peekToken(ctx, new URL(url!).searchParams.get("token")!, "reset"))?.user.id).toBe(person.id);
      expect(await auditOf(person.id)).toEqual(["account.oidc.unlink success system cli.reason.compromised", "account.mfa.reset success system cli.reason.compromised"]);

      // The same notice as the web reset: the account's language, no link, no name.
      const mails = smtp.inbox.splice(0).map(readMail);
      expect(mails.map((m) => m.to)).toEqual([[person.email]]);
      const en = translator("en");
      expect(mails[0].subject).toBe(en("rec.mail.subject"));
      expect(mails[0].text.trim()).toBe(en("rec.mail.body").trim());
      expect(mails[0].text).not.toMatch(/https?:|token|Karel/);
    }, 180_000);
  });
}
