import zlib from "node:zlib";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect, queriesOf } from "../../../test/support/db";
import type { AppContext } from "../../platform/context";
import { batchable } from "../../platform/db/read-batch";
import { buildApp } from "../../platform/web/app";
import { FRESH, listReads, MAX_ENTRIES } from "./list-memo";
import { keptCaseLists } from "./list-page";
import { LIST_NAME_TABLE, LIST_TABLES } from "./migrations";
import { addActions } from "./plan";
import { casePage, openCaseFromScreening, transitionCase } from "./service";
import * as store from "./store";
import { makeActor, makeLivc, makeOrganisation } from "./testing";

const rowsOf = (html: string) => [...html.matchAll(/<tr><td><a href="\/cases\/([0-9a-f-]{36})">/g)].map((m) => m[1]);
const countOf = (html: string) => /(\d+) casussen?, pagina/.exec(html)?.[1];
const token = (file: string) => {
  const raw = new Database(file, { readonly: true });
  try {
    return (raw.prepare("select token from case_list_revision where id = 1").get() as { token: string }).token;
  } finally {
    raw.close();
  }
};

/** Another PostgreSQL connection of its own (the CLI, a daily job, another app instance). */
async function pgClient(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tokenNow = async () => (await client.query<{ token: string }>("select token from case_list_revision where id = 1")).rows[0].token;
  return { client, tokenNow };
}

/** A cell with a chair (logged in through the app), a coordinator working at a service, and one case. */
function cell(ctx: () => AppContext) {
  const t = {} as {
    app: FastifyInstance;
    livc: string;
    chair: TestUser;
    coordinator: Awaited<ReturnType<typeof makeActor>>;
    org: string;
    chairLogin?: Promise<LoginSession>;
  };
  const view = async (url = "/cases") => {
    t.chairLogin ??= login(t.app, t.chair);
    return (await t.app.inject({ method: "GET", url, headers: (await t.chairLogin).headers() })).body;
  };
  const openCase = (name: string) =>
    openCaseFromScreening(ctx(), { actor: t.coordinator }, { livcId: t.livc, reportId: null, minor: false, identity: { fullName: name, dateOfBirth: "2000-01-01" }, screeningDecision: "take_up" });
  beforeAll(async () => {
    t.app = await buildApp(ctx(), { logger: false });
    t.livc = await makeLivc(ctx(), `LM${Date.now() % 100000}`);
    t.chair = await createUser(ctx(), { roles: [{ livcId: t.livc, role: "chair" }] });
    t.org = await makeOrganisation(ctx(), "Memodienst", "caw");
    t.coordinator = await makeActor(ctx(), [{ livcId: t.livc, role: "coordinator", organisationId: t.org }]);
    await openCase("Eerste Fictief");
  }, 60_000);
  afterAll(async () => {
    await t.app?.close();
  });
  return { t, view, openCase };
}

/**
 * Decisions 0075 and 0078: the case list's reads kept per list token, on SQLite and on PostgreSQL.
 * Whatever changes the list's tables shows on the next view; viewers with other grants never share rows.
 */
describeEachDialect("case list memo (decisions 0075, 0078)", (ctx) => {
  const { t, view, openCase } = cell(ctx);

  it("a new case, an overdue action and a status change show on the very next view", async () => {
    const before = await view();
    const listed = rowsOf(before);
    // The same view again (kept rows on SQLite) is the same page.
    expect(rowsOf(await view())).toEqual(listed);
    const c = await openCase("Tweede Fictief");
    const after = await view();
    expect(rowsOf(after)).toEqual([c.id, ...listed]);
    expect(Number(countOf(after))).toBe(Number(countOf(before)) + 1);
    await addActions(ctx(), { actor: t.coordinator }, c.id, [{ description: "opvolgen", ownerOrganisationId: t.org, dueOn: "2025-01-15" }]);
    expect(await view()).toContain(`<li><a href="/cases/${c.id}">`);
    await transitionCase(ctx(), { actor: t.coordinator }, c.id, "start_follow_up");
    const row = (html: string) => html.slice(html.indexOf(`<tr><td><a href="/cases/${c.id}">`)).split("</tr>")[0];
    expect(row(after)).not.toBe(row(await view()));
  });

  it("two chairs with the same list: one rendered content, each page with its own name and CSRF token; a person search never kept", async () => {
    const other = await login(t.app, await createUser(ctx(), { roles: [{ livcId: t.livc, role: "chair" }], displayName: "Tweede Voorzitter" }));
    t.chairLogin ??= login(t.app, t.chair);
    const mine = await t.chairLogin;
    const get = async (who: LoginSession, encoding: string) => {
      const res = await t.app.inject({ method: "GET", url: "/cases", headers: { ...who.headers(), "accept-encoding": encoding } });
      const sent = res.headers["content-encoding"];
      const raw = res.rawPayload;
      const body = sent === "gzip" ? zlib.gunzipSync(raw).toString() : sent === "br" ? zlib.brotliDecompressSync(raw).toString() : res.body;
      return { statusCode: res.statusCode, body };
    };
    const csrfIn = (html: string) => [...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]);
    // A new case: a new list token, so the first view below renders anew.
    await openCase("Zevende Fictief");
    const kept = keptCaseLists().renders;
    for (const encoding of ["gzip", "identity", "br"]) {
      const a = await get(mine, encoding);
      const b = await get(other, encoding);
      expect(a.statusCode).toBe(200);
      // Each form that posts (logout, person search) carries the viewer's own token; no other value, no place-holder.
      expect(csrfIn(a.body)).toEqual([mine.csrfToken, mine.csrfToken]);
      expect(csrfIn(b.body)).toEqual([other.csrfToken, other.csrfToken]);
      for (const page of [a.body, b.body]) expect(page).not.toContain("csrf-place-");
      expect(b.body).toContain("Tweede Voorzitter");
      expect(a.body).not.toContain("Tweede Voorzitter");
      // The same content otherwise.
      const main = (html: string) => html.slice(html.indexOf("<main"), html.indexOf("</main>")).replaceAll(mine.csrfToken, "T").replaceAll(other.csrfToken, "T");
      expect(main(b.body)).toBe(main(a.body));
      expect(rowsOf(a.body).length).toBeGreaterThan(0);
    }
    // Rendered once for both and the three encodings (the memo's items).
    expect(keptCaseLists().renders - kept).toBe(1);
    // A search by person (POST, audited, the name echoed in the form) is rendered for the one who asked only.
    const search = await t.app.inject({ method: "POST", url: "/cases/search", headers: mine.headers({ form: true }), payload: mine.form({ name: "Eerste Fictief", dob: "" }) });
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('value="Eerste Fictief"');
    expect(keptCaseLists().renders - kept).toBe(1);
  });

  it("the home page's counts of overdue actions follow a change on the very next view", async () => {
    const overdue = (html: string) => Number(/id="waiting-actions_overdue" data-count="(\d+)"/.exec(html)?.[1] ?? 0);
    const before = overdue(await view("/"));
    expect(overdue(await view("/"))).toBe(before);
    const c = await openCase("Zevende Fictief");
    await addActions(ctx(), { actor: t.coordinator }, c.id, [{ description: "opvolgen", ownerOrganisationId: t.org, dueOn: "2025-01-20" }]);
    expect(overdue(await view("/"))).toBe(before + 1);
  });

  it("viewers with other grants never get each other's rows", async () => {
    const granted = await openCase("Derde Fictief");
    const partnerOrg = await makeOrganisation(ctx(), "Partnerdienst", "clb");
    const partner = await createUser(ctx(), { roles: [{ livcId: t.livc, role: "partner_member", organisationId: partnerOrg }] });
    await store.insertGrant(ctx().database.db, { case_id: granted.id, user_id: partner.id, consultation_id: "memo-test" });
    // The chair's view first (kept), then the partner member's: only the granted case.
    expect(rowsOf(await view()).length).toBeGreaterThan(1);
    const s = await login(t.app, partner);
    const theirs = (await t.app.inject({ method: "GET", url: "/cases", headers: s.headers() })).body;
    expect(rowsOf(theirs)).toEqual([granted.id]);
    expect(rowsOf(await view())).toContain(granted.id);
  });

  it("runs fewer statements on a view under the same token; the kept ones read only the list's tables", async () => {
    const c = await openCase("Zesde Fictief");
    // An overdue action (the lead's work list) and a review due (closing schedules them) to read.
    await addActions(ctx(), { actor: t.coordinator }, c.id, [{ description: "opvolgen", ownerOrganisationId: t.org, dueOn: "2025-01-15" }]);
    const first = await queriesOf(ctx().database.db, () => view());
    const second = await queriesOf(ctx().database.db, () => view());
    const texts = (qs: { sql: string }[]) => qs.map((q) => q.sql);
    expect(await listReads(ctx().database)).not.toBe(FRESH);
    const kept = texts(first).filter((s) => !texts(second).includes(s));
    // The token comes with the session statement (decision 0088): no statement of its own.
    expect(second.filter((q) => q.sql.startsWith("select token from case_list_revision"))).toHaveLength(0);
    const session = second.filter((q) => /\bfrom session s\b/.test(q.sql));
    expect(session).toHaveLength(1);
    expect(session[0].sql).toContain("case_list_revision");
    // Where no session statement brought it (a form post, the home page), the token is read with a bound value: on
    // PostgreSQL a named statement that goes out with the other reads of its turn (decision 0081), not a text parsed
    // and planned alone every time (decision 0078, amended).
    const own = await queriesOf(ctx().database.db, () => listReads(ctx().database));
    expect(own).toHaveLength(1);
    expect(own[0].parameters).toEqual([1]);
    expect(batchable(own[0].sql, own[0].parameters)).toBe(true);
    // Only the routes that ask for it pay for the token in their session statement (the home page reads it itself).
    const home = (await queriesOf(ctx().database.db, () => view("/"))).filter((q) => /\bfrom session s\b/.test(q.sql));
    expect(home).toHaveLength(1);
    expect(home[0].sql).not.toContain("case_list_revision");
    // The count, the page, the lead's overdue actions, the reviews due and the owners' names (decision 0086).
    expect(kept.length).toBe(5);
    for (const s of kept) {
      const tables = [...s.matchAll(/\b(?:from|join)\s+"?([a-z_]+)"?/gi)].map((m) => m[1]);
      expect(tables.length).toBeGreaterThan(0);
      for (const t of tables) expect([...LIST_TABLES, LIST_NAME_TABLE]).toContain(t);
    }
  });
});

/** The token itself, on each dialect, as another connection changes the list's tables. */
describeEachDialect("case list token (decisions 0075, 0078)", (ctx, dialect) => {
  const { t, view, openCase } = cell(ctx);

  it("a change by another connection (the CLI, a daily job) to any of the list's tables gives a new token", async () => {
    const c = await openCase("Vierde Fictief");
    await addActions(ctx(), { actor: t.coordinator }, c.id, [{ description: "opvolgen", ownerOrganisationId: t.org, dueOn: "2025-02-01" }]);
    await transitionCase(ctx(), { actor: t.coordinator }, c.id, "start_follow_up");
    await ctx().database.db.insertInto("case_review").values({ id: `rv-${c.id}`, case_id: c.id, livc_id: t.livc, months: 6, due_on: "2025-03-01", done_at: null, done_by: null, outcome: null }).execute();
    const where = (table: string) => (table === "case_file" ? "id = $1" : "case_id = $1");
    if (dialect === "sqlite") {
      const file = ctx().database.url.replace(/^sqlite:/, "");
      const other = new Database(file);
      // As a careless tool would: the case row goes while its events and actions stay.
      other.pragma("foreign_keys = OFF");
      try {
        for (const table of LIST_TABLES) {
          for (const change of [`update ${table} set livc_id = livc_id where ${where(table)}`, `delete from ${table} where ${where(table)}`]) {
            const was = token(file);
            const ran = other.prepare(change.replace("$1", "?")).run(c.id);
            expect(ran.changes).toBeGreaterThan(0);
            expect(token(file), `${change}`).not.toBe(was);
          }
        }
        const was = token(file);
        other.prepare("insert into case_review (id, case_id, livc_id, months, due_on) values (?, ?, ?, 6, '2025-04-01')").run(`rv2-${c.id}`, c.id, t.livc);
        expect(token(file)).not.toBe(was);
      } finally {
        other.close();
      }
      // The case deleted behind Schakel's back is gone from the next view (it was listed, and kept, before).
      expect(rowsOf(await view())).not.toContain(c.id);
      return;
    }
    // PostgreSQL: each statement its own transaction; the token moves at its commit. The children go first
    // (foreign keys stay on); then the case's other rows, then the case itself.
    const { client, tokenNow } = await pgClient(ctx().database.url);
    try {
      const changes = [
        ...LIST_TABLES.map((table) => `update ${table} set livc_id = livc_id where ${where(table)}`),
        `delete from case_review where case_id = $1`,
        `delete from case_action where case_id = $1`,
      ];
      for (const change of changes) {
        const was = await tokenNow();
        const ran = await client.query(change, [c.id]);
        expect(ran.rowCount).toBeGreaterThan(0);
        expect(await tokenNow(), change).not.toBe(was);
      }
      let was = await tokenNow();
      await client.query("insert into case_review (id, case_id, livc_id, months, due_on) values ($1, $2, $3, 6, '2025-04-01')", [`rv2-${c.id}`, c.id, t.livc]);
      expect(await tokenNow()).not.toBe(was);
      // Listed (and kept) before; a status changed behind Schakel's back shows on the next view.
      const before = await view();
      expect(rowsOf(before)).toContain(c.id);
      was = await tokenNow();
      await client.query("update case_file set status = 'closed' where id = $1", [c.id]);
      expect(await tokenNow()).not.toBe(was);
      const row = (html: string) => html.slice(html.indexOf(`<tr><td><a href="/cases/${c.id}">`)).split("</tr>")[0];
      expect(row(await view())).not.toBe(row(before));
      // Nothing moves while a change is not yet committed; at its commit the token moves.
      const settled = await tokenNow();
      await client.query("begin");
      await client.query("update case_file set status = 'follow_up' where id = $1", [c.id]);
      await client.query("update case_action set livc_id = livc_id where case_id = $1", [c.id]);
      const { client: third, tokenNow: tokenSeen } = await pgClient(ctx().database.url);
      const during = await tokenSeen().finally(() => third.end());
      await client.query("commit");
      expect(during).toBe(settled);
      expect(await tokenNow()).not.toBe(settled);
    } finally {
      await client.end();
    }
  });

  it("an organisation renamed by another connection gives a new token, and its new name shows on the very next view", async () => {
    const c = await openCase("Zevende Fictief");
    // An overdue action owned by the coordinator's service: the chair's work list names it.
    await addActions(ctx(), { actor: t.coordinator }, c.id, [{ description: "opvolgen", ownerOrganisationId: t.org, dueOn: "2025-01-20" }]);
    expect(await view()).toContain("Memodienst");
    // The same view again: the names come from the memo.
    expect(await view()).toContain("Memodienst");
    const rename = async (name: string) => {
      if (dialect === "sqlite") {
        const file = ctx().database.url.replace(/^sqlite:/, "");
        const was = token(file);
        const other = new Database(file);
        try {
          other.prepare("update organisation set name = ? where id = ?").run(name, t.org);
        } finally {
          other.close();
        }
        expect(token(file)).not.toBe(was);
        return;
      }
      const { client, tokenNow } = await pgClient(ctx().database.url);
      try {
        const was = await tokenNow();
        await client.query("update organisation set name = $1 where id = $2", [name, t.org]);
        expect(await tokenNow()).not.toBe(was);
      } finally {
        await client.end();
      }
    };
    await rename("Hernoemde Dienst");
    try {
      const after = await view();
      expect(after).toContain("Hernoemde Dienst");
      expect(after).not.toContain("Memodienst");
    } finally {
      await rename("Memodienst");
    }
    expect(await view()).toContain("Memodienst");
  });

  // PostgreSQL only (SQLite has one writer at a time, so two transactions never hold rows at once).
  if (dialect === "postgres")
    it("two transactions changing the same cases in opposite order do not deadlock on the token", async () => {
    const a = await openCase("Achtste Fictief");
    const b = await openCase("Negende Fictief");
    const one = await pgClient(ctx().database.url);
    const two = await pgClient(ctx().database.url);
    try {
      const was = await one.tokenNow();
      await one.client.query("begin");
      await two.client.query("begin");
      await one.client.query("update case_file set next_review_on = '2030-01-01' where id = $1", [a.id]);
      await two.client.query("update case_file set next_review_on = '2030-01-02' where id = $1", [b.id]);
      // One now waits for the case two holds. With the token taken at each change (as on SQLite), two
      // would wait for the token held by one: a deadlock, and PostgreSQL would abort one of them.
      const waiting = one.client.query("update case_file set next_review_on = '2030-01-03' where id = $1", [b.id]);
      await two.client.query("commit");
      await waiting;
      await one.client.query("commit");
      const after = await one.tokenNow();
      expect(after).not.toBe(was);
      const rows = await one.client.query<{ id: string; next_review_on: string }>("select id, next_review_on::text from case_file where id = any($1) order by next_review_on", [[a.id, b.id]]);
      expect(rows.rows.map((r) => [r.id, r.next_review_on])).toEqual([
        [a.id, "2030-01-01"],
        [b.id, "2030-01-03"],
      ]);
    } finally {
      await one.client.end();
      await two.client.end();
    }
  });

  it("keeps frozen rows per key, forgets them when the token moves, and at most MAX_ENTRIES of them", async () => {
    let reads = 0;
    const read = async () => {
      reads++;
      return [{ n: reads }];
    };
    const memo = await listReads(ctx().database);
    const a = await memo.memo(["k"], read);
    expect(await memo.memo(["k"], read)).toBe(a);
    expect(reads).toBe(1);
    expect(() => (a as { n: number }[]).push({ n: 0 })).toThrow(TypeError);
    expect(() => {
      (a[0] as { n: number }).n = 9;
    }).toThrow(TypeError);
    // Only MAX_ENTRIES keys are kept: the least recently used goes first.
    for (let i = 0; i < MAX_ENTRIES; i++) await memo.memo(["fill", i], read);
    expect(reads).toBe(1 + MAX_ENTRIES);
    await memo.memo(["k"], read);
    expect(reads).toBe(2 + MAX_ENTRIES);
    // A failed read is not kept.
    await expect(memo.memo(["fails"], () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await memo.memo(["fails"], read)).toEqual([{ n: reads }]);
    // After a change: a new memo; the old one reads every time and keeps nothing.
    await openCase("Vijfde Fictief");
    const next = await listReads(ctx().database);
    const before = reads;
    await memo.memo(["k"], read);
    await memo.memo(["k"], read);
    expect(reads).toBe(before + 2);
    await next.memo(["k"], read);
    await next.memo(["k"], read);
    expect(reads).toBe(before + 3);
  });

  it("gives the same frozen list items for the same rows under the same token, new ones after a change", async () => {
    const who = { actor: t.coordinator };
    const page = async () => casePage(ctx(), who, { livcId: t.livc }, 1, 50, await listReads(ctx().database));
    const first = await page();
    expect(first.items.length).toBeGreaterThan(0);
    const again = await page();
    // One object: the rows fragment of the case list keys by it (platform/web/fragments.ts).
    expect(again.items).toBe(first.items);
    expect(Object.isFrozen(first.items) && first.items.every((i) => Object.isFrozen(i))).toBe(true);
    expect(() => {
      (first.items[0] as { label: string }).label = "anders";
    }).toThrow(TypeError);
    const c = await openCase("Zesde Fictief");
    const after = await page();
    expect(after.items).not.toBe(first.items);
    expect(after.items.map((i) => i.id)).toContain(c.id);
    // Read fresh (no memo): items of their own, not frozen.
    const fresh = await casePage(ctx(), who, { livcId: t.livc }, 1, 50);
    expect(Object.isFrozen(fresh.items)).toBe(false);
    expect(fresh.items).toEqual(after.items);
  });
});
