import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import { seedDemo } from "../../platform/demo";
import { buildApp } from "../../platform/web/app";
import { LIST_NAME_TABLE, LIST_TABLES, PAGE_TABLES } from "./migrations";
import { addActions } from "./plan";
import { makeActor, makeLivc } from "./testing";

/**
 * Decision 0087: a case page's parts (timeline, actions, minutes, feedback forms, meetings, action owner choices
 * and their names) kept per list token, on SQLite and on PostgreSQL. On the demo data set: a case discussed at a
 * held consultation, with minutes, an action, a feedback form and an invited service.
 */
describeEachDialect("case page parts kept per list token (decision 0087)", (ctx, dialect) => {
  const t = {} as { app: FastifyInstance; caseId: string; livcId: string; chairId: string; session: LoginSession };
  const view = async () => (await t.app.inject({ method: "GET", url: `/cases/${t.caseId}`, headers: t.session.headers() })).body;
  /** The page without what differs between two views of the same content (the CSP nonce, the CSRF token). */
  const content = (html: string) => html.replace(/nonce="[^"]*"/g, "").replace(/name="_csrf" value="[^"]*"/g, "");
  /** The audit entries the chair's views wrote after `seq`: what each view recorded, in no particular order. */
  const auditedSince = async (seq: number) =>
    (await ctx().database.db.selectFrom("audit_entry").select(["action", "resource_type", "resource_id", "outcome"]).where("seq", ">", seq).where("actor_id", "=", t.chairId).execute())
      .map((r) => `${r.action} ${r.resource_type} ${r.resource_id} ${r.outcome}`)
      .sort();
  const lastSeq = async () => Number((await ctx().database.db.selectFrom("audit_entry").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirstOrThrow()).seq ?? 0);

  beforeAll(async () => {
    await seedDemo(ctx());
    const db = ctx().database.db;
    // The case with the most parts: a feedback form, minutes and an action of a held consultation, an invited service.
    const form = await db.selectFrom("feedback_form").innerJoin("case_file", "case_file.id", "feedback_form.case_id").select(["case_file.id", "case_file.livc_id"]).executeTakeFirstOrThrow();
    t.caseId = form.id;
    t.livcId = form.livc_id;
    const chair = await createUser(ctx(), { roles: [{ livcId: t.livcId, role: "chair" }] });
    t.chairId = chair.id;
    t.app = await buildApp(ctx(), { logger: false });
    t.session = await login(t.app, chair);
  }, 120_000);
  afterAll(async () => {
    await t.app?.close();
  });

  it("a second view under the same token sends only the session (with the token), the case and the audit; the same page, decrypted and audited again", async () => {
    const db = ctx().database.db;
    const seq1 = await lastSeq();
    let first = "";
    const firstQueries = await queriesOf(db, async () => {
      first = await view();
    });
    const audited1 = await auditedSince(seq1);
    const seq2 = await lastSeq();
    let second = "";
    const secondQueries = await queriesOf(db, async () => {
      second = await view();
    });
    const audited2 = await auditedSince(seq2);
    expect(content(second)).toBe(content(first));
    // Every view decrypts and audits: the same entries (the case, its identity, each part and each record read).
    expect(audited1.length).toBeGreaterThan(5);
    expect(audited2).toEqual(audited1);
    for (const action of ["case.read", "case.plan.read", "case.timeline.read", "case.minutes.read"]) expect(audited2.some((a) => a.startsWith(`${action} `))).toBe(true);
    const texts = (qs: { sql: string }[]) => qs.map((q) => q.sql);
    const tablesOf = (s: string) => [...s.matchAll(/\b(?:from|join)\s+"?([a-z_]+)"?/gi)].map((m) => m[1]);
    // The case row and the token are read on every view, the token by the session statement (decision 0088).
    expect(texts(secondQueries).filter((s) => /\bfrom session s\b/.test(s) && s.includes("case_list_revision"))).toHaveLength(1);
    expect(texts(secondQueries).some((s) => s.startsWith("select token from case_list_revision"))).toBe(false);
    expect(texts(secondQueries).some((s) => tablesOf(s)[0] === "case_file")).toBe(true);
    // The session, the case, and the audit's group commit (PostgreSQL: one statement on the known head, decision
    // 0080; SQLite: begin, the head, one insert, commit).
    const kind = (q: string) => (/\bfrom session s\b/.test(q) ? "session" : q.includes("audit_entry") ? "audit" : tablesOf(q)[0] === "case_file" ? "case" : q.trim().split(/\s+/)[0]);
    expect(secondQueries.map((q) => kind(q.sql))).toEqual(dialect === "postgres" ? ["session", "case", "audit"] : ["session", "case", "begin", "audit", "audit", "commit"]);
    // What the first view read and the second did not: the kept parts, each reading only tables whose changes
    // replace the token.
    // (The audit's own statements are left out: a process's first append reads the chain head, later ones do not.)
    const kept = texts(firstQueries).filter((s) => !texts(secondQueries).includes(s) && !tablesOf(s).includes("audit_entry") && tablesOf(s).length > 0);
    const keptTables = new Set(kept.flatMap(tablesOf));
    for (const table of ["case_event", "case_action", "consultation_minutes", "feedback_form", "consultation", "consultation_case_service", "partner_invitation", "membership", "organisation"]) expect(keptTables).toContain(table);
    for (const table of keptTables) expect([...LIST_TABLES, LIST_NAME_TABLE, ...PAGE_TABLES]).toContain(table);
    expect(secondQueries.length).toBeLessThan(firstQueries.length - 6);
    // The case's and its parts' entries are recorded in one turn: one insert into the audit log for the view.
    const auditInserts = (qs: { sql: string }[]) => qs.filter((q) => /^\s*(with\b[\s\S]*)?insert\b/i.test(q.sql) && q.sql.includes("audit_entry")).length;
    expect(auditInserts(secondQueries)).toBe(1);
  });

  it("someone who may not see the case gets 404, and one denial in the audit log for the page, not one per part", async () => {
    const elsewhere = await makeLivc(ctx(), `PM${Date.now() % 100000}`);
    const stranger = await createUser(ctx(), { roles: [{ livcId: elsewhere, role: "chair" }] });
    const session = await login(t.app, stranger);
    const seq = await lastSeq();
    const res = await t.app.inject({ method: "GET", url: `/cases/${t.caseId}`, headers: session.headers() });
    expect(res.statusCode).toBe(404);
    const entries = await ctx().database.db.selectFrom("audit_entry").select(["action", "resource_id", "outcome"]).where("seq", ">", seq).where("actor_id", "=", stranger.id).execute();
    expect(entries).toEqual([{ action: "case.read", resource_id: t.caseId, outcome: "denied" }]);
  });

  it("a new action (with its timeline entry) and a core role holder's account disabled show on the very next view", async () => {
    const db = ctx().database.db;
    const lead = { actor: await makeActor(ctx(), [{ livcId: t.livcId, role: "chair" }]) };
    // The organisations offered as action owners: the page's select; the timeline's entries.
    const owners = (html: string) => [...html.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((m) => m[1]).sort();
    const entries = (html: string) => (html.match(/<li\b/g) ?? []).length;
    await view();
    const before = await view();
    const holder = await db
      .selectFrom("membership")
      .innerJoin("app_user", "app_user.id", "membership.user_id")
      .select(["membership.organisation_id"])
      .where("membership.livc_id", "=", t.livcId)
      .where("membership.role", "in", ["coordinator", "information_officer"])
      .where("app_user.status", "=", "active")
      .where("membership.organisation_id", "is not", null)
      .executeTakeFirstOrThrow();
    const orgId = holder.organisation_id as string;
    expect(owners(before)).toContain(orgId);
    await addActions(ctx(), lead, t.caseId, [{ description: "Fictieve afspraak met de school", ownerOrganisationId: orgId, dueOn: "2030-01-31" }]);
    const withAction = await view();
    expect(before).not.toContain("Fictieve afspraak met de school");
    expect(withAction).toContain("Fictieve afspraak met de school");
    expect(entries(withAction)).toBeGreaterThan(entries(before));
    // Every account of that organisation in the LIVC disabled: the organisation is no longer offered.
    const members = await db.selectFrom("membership").select("user_id").where("livc_id", "=", t.livcId).where("organisation_id", "=", orgId).execute();
    await db.updateTable("app_user").set({ status: "disabled" }).where("id", "in", members.map((m) => m.user_id)).execute();
    expect(owners(await view())).not.toContain(orgId);
  });

  it("a change by another connection to any table the parts read gives a new token; a login does not", async () => {
    // A column of each table set to itself on one row: any change, whoever makes it.
    const column: Record<(typeof PAGE_TABLES)[number], string> = {
      case_event: "kind",
      consultation: "status",
      consultation_case: "case_id",
      consultation_minutes: "case_id",
      consultation_case_service: "organisation_id",
      feedback_form: "status",
      partner_invitation: "status",
      membership: "role",
      app_user: "status",
    };
    const db = ctx().database.db;
    const service = await db.selectFrom("consultation_case_service").selectAll().executeTakeFirstOrThrow();
    if (dialect === "sqlite") {
      const other = new Database(ctx().database.url.replace(/^sqlite:/, ""));
      // Read on that connection: the app's reads of one turn of the event loop share one snapshot (decision 0076).
      const tokenNow = async () => (other.prepare("select token from case_list_revision where id = 1").get() as { token: string }).token;
      try {
        for (const table of PAGE_TABLES) {
          const was = await tokenNow();
          const ran = other.prepare(`update ${table} set ${column[table]} = ${column[table]} where rowid = (select min(rowid) from ${table})`).run();
          expect(ran.changes, table).toBe(1);
          expect(await tokenNow(), table).not.toBe(was);
        }
        let was = await tokenNow();
        other.prepare("delete from consultation_case_service where consultation_id = ? and case_id = ? and organisation_id = ?").run(service.consultation_id, service.case_id, service.organisation_id);
        expect(await tokenNow()).not.toBe(was);
        was = await tokenNow();
        const cols = Object.keys(service);
        other.prepare(`insert into consultation_case_service (${cols.join(", ")}) values (${cols.map(() => "?").join(", ")})`).run(...Object.values(service));
        expect(await tokenNow()).not.toBe(was);
        // A login writes the account's last TOTP step: not a change the pages show.
        was = await tokenNow();
        expect(other.prepare("update app_user set totp_last_step = coalesce(totp_last_step, 0) + 1 where id = ?").run(t.chairId).changes).toBe(1);
        expect(await tokenNow()).toBe(was);
      } finally {
        other.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: ctx().database.url });
    await client.connect();
    const tokenNow = async () => (await client.query<{ token: string }>("select token from case_list_revision where id = 1")).rows[0].token;
    try {
      for (const table of PAGE_TABLES) {
        const was = await tokenNow();
        const ran = await client.query(`update ${table} set ${column[table]} = ${column[table]} where ctid = (select ctid from ${table} limit 1)`);
        expect(ran.rowCount, table).toBe(1);
        expect(await tokenNow(), table).not.toBe(was);
      }
      let was = await tokenNow();
      await client.query("delete from consultation_case_service where consultation_id = $1 and case_id = $2 and organisation_id = $3", [service.consultation_id, service.case_id, service.organisation_id]);
      expect(await tokenNow()).not.toBe(was);
      was = await tokenNow();
      const cols = Object.keys(service);
      await client.query(`insert into consultation_case_service (${cols.join(", ")}) values (${cols.map((_, i) => `$${i + 1}`).join(", ")})`, Object.values(service));
      expect(await tokenNow()).not.toBe(was);
      was = await tokenNow();
      expect((await client.query("update app_user set totp_last_step = coalesce(totp_last_step, 0) + 1 where id = $1", [t.chairId])).rowCount).toBe(1);
      expect(await tokenNow()).toBe(was);
    } finally {
      await client.end();
    }
  });
});
