import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { accountPage, insertUser } from "./store";

/** Rows of the account table on a page: [id, name, e-mail], in order. */
const rowsOf = (html: string) => [...html.matchAll(/<a href="\/admin\/accounts\/([0-9a-f-]{36})">([^<]*)<\/a><\/td><td>([^<]*)<\/td>/g)].map((m) => ({ id: m[1], name: m[2], email: m[3] }));

describeEachDialect("account list at scale: search, pages of 50, order by name", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  // 103 accounts whose names share "Lijsttest", with upper- and lower-case first letters mixed, so a
  // byte-wise sort (capitals first) and a sort by name differ.
  const made: { id: string; name: string; email: string }[] = [];
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"], displayName: "Beheerder Een" }));
    for (let i = 0; i < 103; i++) {
      const letter = String.fromCharCode(97 + ((i * 7) % 26));
      const name = `${i % 2 ? letter.toUpperCase() : letter}${String(i).padStart(3, "0")} Lijsttest`;
      const email = `lijst-${i}@list.test.schakel.invalid`;
      made.push({ id: await insertUser(ctx().database.db, { email, displayName: name, status: "active" }), name, email });
    }
  });
  afterAll(async () => app?.close());

  const byName = () => [...made].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
  const get = (url: string, headers: Record<string, string> = admin.headers()) => app.inject({ method: "GET", url, headers });

  it("pages through every match exactly once, sorted by name regardless of capitals, with the total", async () => {
    const db = ctx().database.db;
    const pages = await Promise.all([1, 2, 3].map((page) => accountPage(db, { search: "LIJSTTEST", page })));
    expect(pages.map((p) => [p.total, p.pages, p.page, p.items.length])).toEqual([
      [103, 3, 1, 50],
      [103, 3, 2, 50],
      [103, 3, 3, 3],
    ]);
    expect(pages.flatMap((p) => p.items.map((u) => u.id))).toEqual(byName().map((u) => u.id));
    // Past the end: the last page; nonsense: the first.
    expect((await accountPage(db, { search: "lijsttest", page: 99 })).page).toBe(3);
    expect((await accountPage(db, { search: "lijsttest", page: 0 })).page).toBe(1);
    // Without a search every account is on some page (the administrator and the 103).
    const all = await accountPage(db, { size: 1000 });
    expect(all.total).toBe(all.items.length);
    expect(all.items.map((u) => u.id)).toEqual(expect.arrayContaining([...made.map((u) => u.id)]));
  });

  it("finds part of a name or an e-mail address whatever the case, and matches % and _ literally", async () => {
    const db = ctx().database.db;
    const fatima = await insertUser(db, { email: "Fatima.El_Amrani@Gent.test.schakel.invalid", displayName: "Fatima El Amrani", status: "invited" });
    const ids = async (search: string) => (await accountPage(db, { search })).items.map((u) => u.id);
    expect(await ids("el amrani")).toEqual([fatima]);
    expect(await ids("FATIMA")).toEqual([fatima]);
    expect(await ids("EL_AMRANI@GENT")).toEqual([fatima]);
    expect(await ids("  el_amrani@gent.test  ")).toEqual([fatima]);
    // "_" and "%" are no wildcards: as one, "a_r" would match "Amrani" and "%" everything.
    expect(await ids("a_r")).toEqual([]);
    expect(await ids("%")).toEqual([]);
    expect(await ids("nobody-by-this-name")).toEqual([]);
  });

  it("shows 50 a page with previous/next links that keep the search, working without JavaScript", async () => {
    const first = await get("/admin/accounts?q=LijstTest");
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<form method="get" action="/admin/accounts"');
    expect(first.body).toContain('value="LijstTest"');
    expect(first.body).toContain("Gevonden accounts: 103 (pagina 1 van 3)");
    expect(rowsOf(first.body).map((r) => r.id)).toEqual(byName().slice(0, 50).map((u) => u.id));
    expect(first.body).not.toContain('rel="prev"');
    expect(first.body).toContain('href="/admin/accounts?q=LijstTest&amp;page=2" rel="next"');
    const last = await get("/admin/accounts?q=LijstTest&page=3");
    expect(rowsOf(last.body).map((r) => r.email)).toEqual(byName().slice(100).map((u) => u.email));
    expect(last.body).toContain('href="/admin/accounts?q=LijstTest&amp;page=2" rel="prev"');
    expect(last.body).not.toContain('rel="next"');
    // Nothing found: said so, with the way back to the whole list.
    const none = await get("/admin/accounts?q=zzz-geen-treffer");
    expect(none.body).toContain("Geen accounts gevonden voor deze zoekopdracht.");
    expect(none.body).toContain('<a href="/admin/accounts">Alle accounts tonen</a>');
    // Without a search: the first 50 of all accounts, a total, a next link without q.
    const all = await get("/admin/accounts");
    expect(rowsOf(all.body)).toHaveLength(50);
    expect(all.body).toMatch(/Aantal accounts: 10[4-9] \(pagina 1 van 3\)/);
    expect(all.body).toContain('href="/admin/accounts?page=2" rel="next"');
    // Odd query strings fall back to the first page of the whole list.
    for (const url of ["/admin/accounts?page=-1", "/admin/accounts?page=abc", "/admin/accounts?q=a&q=b"]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).toContain("(pagina 1 van 3)");
    }
    // French and English.
    expect((await get("/admin/accounts?q=lijsttest&page=2&lang=fr", admin.headers())).body).toContain("Comptes trouvés : 103 (page 2 sur 3)");
    expect((await get("/admin/accounts?q=lijsttest&lang=en", admin.headers())).body).toContain("Accounts found: 103 (page 1 of 3)");
  });

  it("keeps the search term out of the log", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    // Request lines are logged at debug level (by route pattern); log everything for this test.
    const config = ctx().config;
    ctx().config = { ...config, LOG_LEVEL: "debug" };
    const logged = await buildApp(ctx(), { logStream: stream });
    ctx().config = config;
    try {
      const session = await login(logged, await createUser(ctx(), { platformRoles: ["admin"] }));
      const r = await logged.inject({ method: "GET", url: "/admin/accounts?q=fatima.el_amrani%40gent", headers: session.headers() });
      expect(r.body).toContain("Fatima El Amrani");
    } finally {
      await logged.close();
    }
    const text = lines.join("");
    expect(text).toContain('"route":"/admin/accounts"');
    expect(text.toLowerCase()).not.toContain("fatima");
    expect(text.toLowerCase()).not.toContain("amrani");
  });

  it("is for administrators only", async () => {
    const other = await login(app, await createUser(ctx()));
    expect((await get("/admin/accounts?q=lijsttest", other.headers())).statusCode).toBe(403);
  });
});
