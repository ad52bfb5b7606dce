import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, login } from "../../../test/support/auth";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { buildApp } from "../../platform/web/app";
import { updateUser } from "./store";

/**
 * The LIVC's oversight of its role holders (decision 0047): chair and coordinator see who holds a
 * role in their LIVC, and are told by mail (REAL SMTP receiver) when an administrator asks for one
 * (the other administrators too: decision 0056, approval-notify.test.ts).
 */
for (const dialect of activeDialects()) {
  describe(`who holds a role in an LIVC [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let ctx: TestContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      ctx = await openTestContext(dialect, { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
      app = await buildApp(ctx, { logger: false });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await ctx?.close();
      await smtp?.stop();
    });
    const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);

    it("an administrator's grant is told to the LIVC's chair and coordinator (their language, no names), and listed on their page", async () => {
      const livc = await makeTestLivc(ctx.database, {}, livcInput(`LR${Date.now() % 100000}`, "LIVC Toezicht"));
      const chair = await createUser(ctx, { displayName: "Chris Voorzitter", roles: [{ livcId: livc, role: "chair" }] });
      const coordinator = await createUser(ctx, { displayName: "Cora Coördinator", roles: [{ livcId: livc, role: "coordinator" }] });
      await updateUser(ctx.database.db, coordinator.id, { language: "fr" });
      const newcomer = await createUser(ctx, { displayName: "Nina Nieuwkomer" });
      const admin = await login(app, await createUser(ctx, { platformRoles: ["admin"] }));
      smtp.inbox.length = 0;

      const res = await app.inject({ method: "POST", url: `/admin/accounts/${newcomer.id}/memberships`, headers: admin.headers({ form: true }), payload: admin.form({ livc_id: livc, role: "information_officer", organisation_id: "", valid_from: "", valid_to: "" }) });
      expect(res.statusCode).toBeLessThan(400);
      const mails = received();
      expect(mails.map((m) => m.to[0]).sort()).toEqual([chair.email, coordinator.email].sort());
      const nl = mails.find((m) => m.to[0] === chair.email)!;
      const fr = mails.find((m) => m.to[0] === coordinator.email)!;
      expect(nl.subject).toBe("Schakel: een rol in LIVC Toezicht wacht op goedkeuring");
      expect(nl.text).toContain("Informatieambtenaar");
      expect(nl.text).toContain(`https://schakel.example/livc-roles/${livc}`);
      expect(fr.subject).toContain("un rôle dans LIVC Toezicht attend une approbation");
      for (const m of mails) {
        expect(m.text).not.toContain("Nina");
        expect(m.text).not.toContain(newcomer.email);
      }

      // A refused grant (a duplicate) sends nothing.
      await app.inject({ method: "POST", url: `/admin/accounts/${newcomer.id}/memberships`, headers: admin.headers({ form: true }), payload: admin.form({ livc_id: livc, role: "information_officer", organisation_id: "", valid_from: "", valid_to: "" }) });
      expect(received()).toEqual([]);

      // The chair's page lists the newcomer with the role; the coordinator sees it too.
      const chairSession = await login(app, chair);
      const index = await app.inject({ method: "GET", url: "/livc-roles", headers: chairSession.headers() });
      expect(index.statusCode).toBe(303);
      expect(index.headers.location).toBe(`/livc-roles/${livc}`);
      const page = await app.inject({ method: "GET", url: `/livc-roles/${livc}`, headers: chairSession.headers() });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("Nina Nieuwkomer");
      expect(page.body).toContain("Cora Coördinator");
      expect((await app.inject({ method: "GET", url: `/livc-roles/${livc}`, headers: (await login(app, coordinator)).headers() })).statusCode).toBe(200);

      // Nobody else: the chair of another LIVC is refused and audited; a partner member of this LIVC has no route gate.
      const other = await makeTestLivc(ctx.database, {}, livcInput(`LO${Date.now() % 100000}`, "LIVC Elders"));
      const otherChair = await createUser(ctx, { roles: [{ livcId: other, role: "chair" }] });
      const refused = await app.inject({ method: "GET", url: `/livc-roles/${livc}`, headers: (await login(app, otherChair)).headers() });
      expect(refused.statusCode).toBe(403);
      const denied = await ctx.database.db.selectFrom("audit_entry").select("outcome").where("action", "=", "livc.roles.view").where("actor_id", "=", otherChair.id).execute();
      expect(denied.map((d) => d.outcome)).toEqual(["denied"]);
      const partnerUser = await createUser(ctx, { roles: [{ livcId: livc, role: "partner_member", organisationId: null }] });
      expect((await app.inject({ method: "GET", url: `/livc-roles/${livc}`, headers: (await login(app, partnerUser)).headers() })).statusCode).toBe(403);
    });

    it("an officer linked on the administrator's LIVC form is told to the LIVC's chair too", async () => {
      const chair = await createUser(ctx, { displayName: "Mila Fictief" });
      const coordinator = await createUser(ctx, { displayName: "Tom Fictief" });
      const admin = await login(app, await createUser(ctx, { platformRoles: ["admin"] }));
      const code = `LF${Date.now() % 100000}`;
      const base = { code, name: "LIVC Formulier", founded_on: "", chair_name: "Mila Fictief", coordinator_name: "Tom Fictief", info_officer_name: "", coordinator_email: "", info_officer_email: "" };
      const post = (url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: admin.headers({ form: true }), payload: admin.form(fields) });
      smtp.inbox.length = 0;
      const made = await post("/registry", { ...base, chair_email: chair.email });
      expect(made.statusCode).toBe(303);
      // At creation the only officer is the one who got the role: no chair or coordinator to tell; the
      // other administrators (the first test's) are told, with their own page (decision 0056).
      const atCreation = received();
      expect(atCreation.map((m) => m.to[0])).not.toContain(chair.email);
      for (const m of atCreation) expect(m.text).toContain("https://schakel.example/admin/approvals");
      // A second administrator approves the chair (decision 0049); from then on the chair is told.
      const [pending] = await ctx.database.db.selectFrom("membership").select("id").where("user_id", "=", chair.id).where("approval", "=", "pending").execute();
      const admin2 = await createUser(ctx, { platformRoles: ["admin"] });
      const admin2s = await login(app, admin2);
      expect((await app.inject({ method: "POST", url: `/admin/approvals/${pending.id}/approve`, headers: admin2s.headers({ form: true }), payload: admin2s.form() })).statusCode).toBe(303);
      const url = `${String(made.headers.location).split("?")[0]}/edit`;
      expect((await post(url, { ...base, chair_email: chair.email, coordinator_email: coordinator.email })).statusCode).toBe(303);
      const all = received();
      // The chair decides on the LIVC's page; the administrators (admin2 among them) on /admin/approvals.
      const mails = all.filter((m) => m.text.includes("/livc-roles/"));
      expect(mails.map((m) => m.to[0])).toEqual([chair.email]);
      expect(all.filter((m) => m.to[0] === admin2.email && m.text.includes("https://schakel.example/admin/approvals"))).toHaveLength(1);
      expect(mails[0].subject).toBe("Schakel: een rol in LIVC Formulier wacht op goedkeuring");
      expect(mails[0].text).toContain("Coördinator");
      for (const m of all) expect(m.text).not.toContain("Tom");
    });
  });
}
