/**
 * Stored and reflected XSS: a payload corpus goes into every text field of every form the app shows
 * (forms discovered by crawling the registered GET routes as several roles), then every page is read
 * back over HTTP (no unescaped payload markup) and the pages that show a payload are opened in
 * Chromium: no element of a payload may exist in the DOM, no script may run, no dialog may open.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, launchBrowser, newPage, startTestServer, type TestServer } from "../support/browser";
import { reportFigures } from "../stress/support/figures";
import { HttpClient } from "../stress/support/http";
import { STRESS } from "../stress/support/process";
import { fill, routesOf, Scoreboard } from "./harness";

const CORPUS = [
  `<script data-xss>window.__xss=1</script>`,
  `"><img data-xss src=x onerror="window.__xss=1">`,
  `'><svg data-xss onload="window.__xss=1">`,
  `</textarea></title><b data-xss>x</b>`,
  `<a data-xss href="javascript:window.__xss=1">klik</a>`,
  `<iframe data-xss srcdoc="<script>parent.__xss=1</script>"></iframe>`,
  `javascript:window.__xss=1`,
  `{{constructor.constructor('window.__xss=1')()}} \${window.__xss=1}`,
  `<details data-xss open ontoggle="window.__xss=1">`,
  `=HYPERLINK("http://evil.example") <math data-xss><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>`,
];
const RAW_MARKUP = /<[a-z]+[^<>]*\sdata-xss|href="javascript:|src="javascript:/i;

interface Form {
  action: string;
  fields: { name: string; type: string; value: string; options: string[] }[];
}

function formsOf(html: string, pageUrl: string): Form[] {
  const out: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = m[1];
    if (!/method="post"/i.test(attrs)) continue;
    const action = /action="([^"]*)"/i.exec(attrs)?.[1]?.replace(/&amp;/g, "&") || pageUrl;
    if (!action.startsWith("/") || /^\/(logout|login|account\/sessions)/.test(action)) continue;
    const fields: Form["fields"] = [];
    // The options are read for a <select> only: an optional "...</select>" group on every tag let an
    // <input> before a select swallow every field up to it (forms with a select were sent empty).
    for (const f of m[2].matchAll(/<(input|textarea|select)\b([^>]*)>/gi)) {
      const name = /name="([^"]+)"/i.exec(f[2])?.[1];
      if (!name) continue;
      const type = f[1].toLowerCase() === "input" ? (/type="([^"]+)"/i.exec(f[2])?.[1] ?? "text").toLowerCase() : f[1].toLowerCase();
      const value = (/value="([^"]*)"/i.exec(f[2])?.[1] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"');
      const end = (f.index ?? 0) + f[0].length;
      const inner = type === "select" ? m[2].slice(end, m[2].indexOf("</select>", end)) : "";
      const options = [...inner.matchAll(/<option\b[^>]*value="([^"]*)"/gi)].map((o) => o[1]).filter(Boolean);
      fields.push({ name, type, value, options });
    }
    out.push({ action, fields });
  }
  return out;
}

let server: TestServer;
const people: { label: string; user: TestUser; client: HttpClient }[] = [];
const board = new Scoreboard();

describeBrowser("XSS payloads in every form, pages checked over HTTP and in Chromium", () => {
  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    const db = server.ctx.database.db;
    const gent = (await db.selectFrom("report").select("livc_id").where("livc_id", "is not", null).executeTakeFirstOrThrow()).livc_id!;
    const specs: [string, Parameters<typeof createUser>[1]][] = [
      ["admin", { platformRoles: ["admin"] }],
      ["analyst", { platformRoles: ["regional_analyst"] }],
      ["chair@Gent", { roles: [{ livcId: gent, role: "chair" }] }],
      ["coordinator@Gent", { roles: [{ livcId: gent, role: "coordinator" }] }],
      ["reporter@Gent", { roles: [{ livcId: gent, role: "reporter" }] }],
    ];
    for (const [label, opts] of STRESS ? specs : specs.filter(([l]) => ["admin", "chair@Gent"].includes(l))) {
      const user = await createUser(server.ctx, opts);
      people.push({ label, user, client: await new HttpClient(server.baseUrl).login(user) });
    }
  }, 180_000);

  afterAll(async () => {
    await server?.close();
  });

  async function allIds(): Promise<Set<string>> {
    const db = server.ctx.database.db;
    const out = new Set<string>();
    for (const t of await db.introspection.getTables()) {
      if (!t.columns.some((c) => c.name === "id")) continue;
      for (const r of (await db.selectFrom(t.name as "report").select("id").execute()) as { id: string }[]) out.add(String(r.id));
    }
    return out;
  }

  async function pageUrls(only?: Set<string>): Promise<string[]> {
    const db = server.ctx.database.db;
    const ids: string[] = [];
    for (const t of await db.introspection.getTables()) {
      if (!t.columns.some((c) => c.name === "id")) continue;
      const rows = (await db
        .selectFrom(t.name as "report")
        .select("id")
        .orderBy("id", "desc")
        .limit(STRESS ? 3 : 1)
        .execute()) as { id: string }[];
      ids.push(...rows.map((r) => String(r.id)));
    }
    if (only) ids.splice(0, ids.length, ...only);
    const refs = (await db.selectFrom("report").select("reference").execute()).map((r) => r.reference);
    const urls = new Set<string>();
    for (const r of routesOf(server).filter((x) => x.method === "GET" && !/\.(pdf|csv|zip)$|\/pdf$|\/download$|^\/assets|^\/api\/docs\/json/.test(x.url))) {
      if (r.params.length === 0) urls.add(r.url);
      else for (const v of r.params.includes("reference") ? refs.slice(0, 3) : ids) urls.add(fill(r.url, { id: v, livcId: v, mid: v, nis: v, job: v, type: "report" }));
    }
    return [...urls];
  }

  it("submits the corpus through every form and finds no payload markup in any page", async () => {
    const before = await allIds();
    const urls = await pageUrls();
    let forms = 0;
    // A payload inside a quoted attribute value is harmless text; Chromium's parser decides (below).
    const suspects: { what: string; html: string }[] = [];
    let n = 0;
    const seen = new Set<string>();
    for (const p of people) {
      for (const url of urls) {
        const page = await p.client.get(url);
        if (page.status !== 200) continue;
        for (const form of formsOf(page.body, url)) {
          // The suite's own people log in again in Chromium below: an administrator's form aimed at their
          // accounts (disable, second-factor reset, new e-mail address) would lock them out. Those forms
          // are still filled on every other account the crawl reaches (the demo accounts).
          if (people.some((q) => form.action.includes(q.user.id))) continue;
          const key = `${p.label} ${form.action.replace(/[0-9a-f-]{36}/g, ":id")} ${form.fields.map((f) => f.name).join(",")}`;
          if (seen.has(key)) continue;
          seen.add(key);
          forms++;
          for (const payload of STRESS ? CORPUS : [CORPUS[0], CORPUS[1], CORPUS[4]]) {
            const body: Record<string, string[]> = {};
            const add = (k: string, v: string) => {
              body[k] = [...(body[k] ?? []), v];
            };
            const radios = new Set<string>();
            for (const f of form.fields) {
              if (f.name === "_csrf") continue;
              if (f.type === "hidden") add(f.name, f.value);
              else if (f.type === "email") add(f.name, `xss${n++}@example.invalid`);
              else if (f.type === "date") add(f.name, "2026-01-15");
              else if (f.type === "number") add(f.name, "1");
              else if (f.type === "select") add(f.name, f.options[0] ?? "");
              else if (f.type === "radio") {
                if (!radios.has(f.name)) add(f.name, f.value);
                radios.add(f.name);
              } else if (f.type === "checkbox") add(f.name, f.value || "on");
              else if (f.type === "password" || f.type === "submit" || f.type === "file") continue;
              else add(f.name, payload);
            }
            let r: Awaited<ReturnType<HttpClient["form"]>>;
            try {
              r = await p.client.form(form.action, body);
            } catch (e) {
              // A request that never answers is a denial of service, recorded as a success of the attack.
              board.record("form-no-answer", true, `${p.label} POST ${form.action}: ${(e as Error).message}`);
              continue;
            }
            board.record("form-no-answer", false, "");
            if (r.status >= 500) board.record("xss-reflected", true, `${p.label} POST ${form.action} -> ${r.status}`);
            else if (RAW_MARKUP.test(r.body)) suspects.push({ what: `${p.label} POST ${form.action} -> ${r.status}`, html: r.body });
            else board.record("xss-reflected", false, "");
          }
        }
      }
    }
    expect(forms).toBeGreaterThan(5);
    // Stored: every page again, as every person.
    const showing: { person: (typeof people)[number]; url: string }[] = [];
    // npm test: list pages and the objects the forms created; stress: every object again.
    const created = new Set([...(await allIds())].filter((id) => !before.has(id)).slice(0, STRESS ? undefined : 12));
    const after = await pageUrls(STRESS ? undefined : created);
    for (const p of people) {
      for (const url of after) {
        const r = await p.client.get(url);
        board.record("xss-stored-http", r.status >= 500, `${p.label} GET ${url} -> ${r.status}`);
        if (r.status === 200 && r.body.includes("data-xss")) showing.push({ person: p, url });
        if (RAW_MARKUP.test(r.body)) suspects.push({ what: `${p.label} GET ${url}`, html: r.body });
      }
    }
    console.log(`[xss] ${forms} forms filled; ${showing.length} pages show a payload (escaped)`);
    expect(showing.length).toBeGreaterThan(0);

    // Chromium: the pages that show a payload, as the person who sees them.
    const browser = await launchBrowser();
    try {
      const byPerson = new Map<string, string[]>();
      for (const s of showing) byPerson.set(s.person.label, [...(byPerson.get(s.person.label) ?? []), s.url]);
      for (const [label, list] of byPerson) {
        const person = people.find((p) => p.label === label)!;
        const { context, page } = await newPage(browser, server.baseUrl);
        let dialogs = 0;
        page.on("dialog", (d) => {
          dialogs++;
          void d.dismiss();
        });
        await context.addInitScript(() => {
          const w = window as unknown as { __xss?: number; alert: unknown; confirm: unknown; prompt: unknown };
          w.__xss = 0;
          w.alert = w.confirm = w.prompt = () => {
            w.__xss = (w.__xss ?? 0) + 1;
          };
        });
        await loginInBrowser(page, person.user);
        for (const url of list.slice(0, STRESS ? 200 : 25)) {
          await page.goto(url);
          const found = await page.evaluate(() => ({ flag: (window as unknown as { __xss?: number }).__xss ?? 0, elements: document.querySelectorAll("[data-xss]").length }));
          board.record("xss-browser", found.flag > 0 || found.elements > 0 || dialogs > 0, `${label} ${url}: flag=${found.flag} elements=${found.elements} dialogs=${dialogs}`);
        }
        await context.close();
      }
      // Responses whose text holds payload markup: parsed by Chromium (scripts blocked by no CSP here, so this is stricter).
      const { context, page } = await newPage(browser, server.baseUrl);
      await context.addInitScript(() => {
        (window as unknown as { __xss: number }).__xss = 0;
      });
      for (const sus of suspects) {
        await page.setContent(sus.html, { waitUntil: "domcontentloaded" });
        const found = await page.evaluate(() => ({ flag: (window as unknown as { __xss?: number }).__xss ?? 0, elements: document.querySelectorAll("[data-xss]").length, js: document.querySelectorAll('[href^="javascript:" i],[src^="javascript:" i]').length }));
        board.record("xss-reflected", found.flag > 0 || found.elements > 0 || found.js > 0, `${sus.what}: elements=${found.elements} js-urls=${found.js}`);
      }
      await context.close();
    } finally {
      await browser.close();
    }
    board.print();
    reportFigures("attack-xss", { forms, pagesShowingPayload: showing.length, ...board.figures() });
    expect(board.failures()).toEqual([]);
  }, 900_000);
});
