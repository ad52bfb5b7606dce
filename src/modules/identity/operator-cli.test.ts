import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/support/auth";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { requestPlatformRole } from "./roles";
import { findUserByEmail, platformRolesOf } from "./store";
import { peekToken } from "./tokens";

const root = path.resolve(import.meta.dirname, "../../..");
const BASE = "https://schakel.example";

/**
 * The operator's account commands (decision 0049): `schakel account create` makes the first administrator
 * of an empty installation, `schakel account platform-roles` gives or takes a platform role at once where
 * no second administrator exists. REAL processes on SQLite and PostgreSQL; refusals name their argument,
 * change nothing and exit non-zero; every change is audited with the system as the actor.
 */
for (const dialect of activeDialects()) {
  describe(`schakel account create / platform-roles (real process) [${dialect}]`, () => {
    let ctx: TestContext;
    let env: Record<string, string>;
    beforeAll(async () => {
      const extra = { SCHAKEL_MASTER_KEY: randomBytes(32).toString("base64"), SCHAKEL_PUBLIC_URL: BASE };
      ctx = await openTestContext(dialect, extra);
      env = { DATABASE_URL: ctx.database.url, ...extra };
    }, 60_000);
    afterAll(async () => {
      await ctx?.close();
    });

    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, [path.join(root, "bin/schakel.js"), "account", ...args], {
        cwd: root,
        env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env },
        encoding: "utf8",
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const db = () => ctx.database.db;
    const audits = (action: string, resourceId: string) =>
      db().selectFrom("audit_entry").select(["actor_id", "outcome", "correlation_id"]).where("action", "=", action).where("resource_id", "=", resourceId).orderBy("seq").execute();

    it("create: the first administrator, invited, with the role held at once and a working invitation link; refusals change nothing", async () => {
      const ok = run("create", "--email", "First.Admin@example.be", "--name", "Eerste Beheerder", "--roles", "admin");
      expect(ok.stderr).toBe("");
      expect(ok.status).toBe(0);
      const user = await findUserByEmail(db(), "first.admin@example.be");
      expect(user).toMatchObject({ status: "invited", display_name: "Eerste Beheerder" });
      expect(await platformRolesOf(db(), user!.id)).toEqual(["admin"]);
      expect(await audits("account.create", user!.id)).toEqual([{ actor_id: null, outcome: "success", correlation_id: "cli.account.create" }]);
      const token = new RegExp(`${BASE}/account/activate\\?token=(\\S+)`).exec(ok.stdout)?.[1];
      expect(token).toBeTruthy();
      expect((await peekToken(ctx, token!, "invite"))?.user.id).toBe(user!.id);

      const again = run("create", "--email", "first.admin@example.be", "--name", "Iemand anders");
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/exists already \(--email\)\. Nothing changed\./);
    });

    it("platform-roles: gives dpo at once (no four eyes for the operator), takes it away, refuses to overrule a pending request, refuses unknown input", async () => {
      const admin = await createUser(ctx, { platformRoles: ["admin"] });
      const person = await createUser(ctx);
      const give = run("platform-roles", "--email", person.email, "--add", "dpo");
      expect(give.status).toBe(0);
      expect(give.stdout).toContain("dpo");
      expect(await platformRolesOf(db(), person.id)).toEqual(["dpo"]);
      expect(await audits("account.platform_roles.change", person.id)).toEqual([{ actor_id: null, outcome: "success", correlation_id: "cli.account.platform_roles" }]);
      expect(run("platform-roles", "--email", person.email, "--remove", "dpo").status).toBe(0);
      expect(await platformRolesOf(db(), person.id)).toEqual([]);

      // A request an administrator made waits for a second administrator: the operator does not overrule it.
      const admin2 = await createUser(ctx, { platformRoles: ["admin"] });
      await requestPlatformRole(ctx, { actor: { userId: admin2.id, displayName: "", sessionId: "", isAdmin: true, isRegionalAnalyst: false, isDpo: false, memberships: [] } }, person.id, "admin");
      const pending = run("platform-roles", "--email", person.email, "--add", "admin");
      expect(pending.status).toBe(1);
      expect(pending.stderr).toMatch(/waiting on \/admin\/approvals.*Nothing changed\./);
      expect(await platformRolesOf(db(), person.id)).toEqual([]);

      const unknown = run("platform-roles", "--email", "nobody@example.be", "--add", "dpo");
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain("(--email)");
      expect(await platformRolesOf(db(), admin.id)).toEqual(["admin"]);
    });
    // Bad input is refused before the database is opened, the same on both dialects: checked once, on
    // SQLite (each process costs seconds).
    if (dialect === "sqlite")
      it("refuses bad input naming the argument, with exit code 2, before opening the database", async () => {
        const person = await createUser(ctx);
        for (const [args, flag] of [
          [["--email", "not-an-address", "--name", "X"], "--email"],
          [["--email", "x@example.be", "--name", "X", "--roles", "admin,chair"], "--roles"],
          [["--email", "x@example.be", "--name", "X", "--language", "de"], "--language"],
          [["--email", "x@example.be", "--name", " "], "--name"],
        ] as const) {
          const bad = run("create", ...args);
          expect(bad.status, flag).toBe(2);
          expect(bad.stderr, flag).toContain(`(${flag})`);
        }
        expect(await findUserByEmail(db(), "x@example.be")).toBeUndefined();
        expect(run("platform-roles", "--email", person.email, "--add", "root").stderr).toContain("(--add)");
        expect(run("platform-roles", "--email", person.email).status).toBe(2);
      });
  });
}
