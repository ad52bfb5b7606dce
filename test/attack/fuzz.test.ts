/**
 * Fuzzing with fast-check.
 * 1. Every zod schema exported by a module's schema.ts (found on disk, so new modules are included):
 *    generated inputs never throw, every rejection carries a message, and what a schema accepted is
 *    accepted again unchanged (no silent rewrite between two parses).
 * 2. Every state-changing route, as an administrator with a valid CSRF token: generated form bodies
 *    never answer 5xx, and a 4xx is a clear page (error summary or error page) or a JSON error.
 * 3. Stored = accepted: accounts created through the JSON API keep exactly the name zod accepted.
 * npm test: modest run counts; SCHAKEL_STRESS=1 multiplies them.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { createUser } from "../support/auth";
import { startTestServer, type TestServer } from "../support/browser";
import { reportFigures } from "../stress/support/figures";
import { HttpClient } from "../stress/support/http";
import { ROOT, STRESS } from "../stress/support/process";
import { fill, routesOf, Scoreboard } from "./harness";

const RUNS = STRESS ? 500 : 60;
const HTTP_RUNS = STRESS ? 100 : 5;
const board = new Scoreboard();

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "\u202e", "0", "-1", "1e309", "NaN", "2026-02-30", "9999-12-31", "true", "null", "[]", "{}", "%00", "<b>", "'\"", "a".repeat(5000)),
  fc.integer().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const value = fc.oneof(nasty, fc.array(nasty, { maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));

async function moduleSchemas(): Promise<[string, z.ZodType][]> {
  const out: [string, z.ZodType][] = [];
  const dir = path.join(ROOT, "src/modules");
  for (const mod of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, mod, "schema.ts");
    if (!fs.existsSync(file)) continue;
    const exports = (await import(file)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(exports)) if (v instanceof z.ZodType) out.push([`${mod}.${name}`, v]);
  }
  return out;
}

it("every exported form/API schema: no throw on generated input, every rejection has a message, accepted output is stable", async () => {
  const schemas = await moduleSchemas();
  expect(schemas.length).toBeGreaterThan(10);
  for (const [name, schema] of schemas) {
    const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    const input = shape.length ? fc.record(Object.fromEntries(shape.map((k) => [k, value])), { requiredKeys: [] }) : value;
    fc.assert(
      fc.property(input, (raw) => {
        let ok = true;
        try {
          const r = schema.safeParse(raw);
          if (!r.success) ok = r.error.issues.length > 0 && r.error.issues.every((i) => typeof i.message === "string" && i.message.length > 0);
          else if (schema instanceof z.ZodObject) {
            // Accepted values must survive a second parse unchanged (a form re-shown and re-sent).
            const again = schema.safeParse(r.data);
            ok = !again.success || JSON.stringify(again.data) === JSON.stringify(r.data);
          }
        } catch (e) {
          ok = false;
          board.record("schema-fuzz", true, `${name} threw ${(e as Error).message.slice(0, 80)}`);
          return true;
        }
        board.record("schema-fuzz", !ok, `${name} ${String(JSON.stringify(raw)).slice(0, 80)}`);
        return true;
      }),
      { numRuns: RUNS },
    );
  }
}, 300_000);

let server: TestServer;
let admin: HttpClient;

beforeAll(async () => {
  server = await startTestServer({ demo: true });
  admin = await new HttpClient(server.baseUrl).login(await createUser(server.ctx, { platformRoles: ["admin"] }));
}, 120_000);

afterAll(async () => {
  await server?.close();
});

it("every state-changing route: generated bodies never answer 5xx; every 4xx is a clear message", async () => {
  const names = ["name", "display_name", "email", "date", "valid_from", "valid_to", "reason", "status", "nis", "livc_id", "organisation_id", "title", "description", "kind", "decision", "question", "answer", "year", "count", "role", "roles"];
  const body = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 })), nasty, { maxKeys: 8 });
  const routes = routesOf(server).filter((r) => r.method === "POST" && !/^\/(logout|login|account\/sessions)/.test(r.url));
  // Real identifiers, so the bodies reach validation instead of a 404: per route, the first id that the route knows.
  const db = server.ctx.database.db;
  const candidates: { table: string; id: string }[] = [];
  for (const t of await db.introspection.getTables()) {
    if (!t.columns.some((c) => c.name === "id")) continue;
    const row = (await db.selectFrom(t.name as "report").select("id").limit(1).executeTakeFirst()) as { id: string } | undefined;
    if (row) candidates.push({ table: t.name, id: String(row.id) });
  }
  // Tables whose name shares a word with the route come first (/partners/consultations/:id -> consultation); few tries.
  const ranked = (url: string) => {
    const words = url.split(/[/:_-]+/).filter((w) => w.length > 3).map((w) => w.replace(/s$/, ""));
    const score = (t: string) => (words.some((w) => t.includes(w)) ? 0 : t === "livc" ? 1 : 2);
    return [...candidates].sort((a, b) => score(a.table) - score(b.table)).map((c) => c.id).slice(0, STRESS ? undefined : 5);
  };
  const references = (await db.selectFrom("report").select("reference").limit(1).execute()).map((r) => r.reference);
  let reached = 0;
  for (const route of routes) {
    let url = route.url;
    if (route.params.length > 0) {
      for (const c of route.params.includes("reference") ? references : ranked(route.url)) {
        const u = fill(route.url, { id: c, livcId: c, reference: c, mid: c, nis: "44021", job: c });
        if ((await admin.form(u, {})).status !== 404) {
          url = u;
          break;
        }
      }
      if (url === route.url) url = fill(route.url, { id: candidates[0].id, nis: "44021" });
    }
    const probe = await admin.form(url, {});
    if (probe.status !== 404 && probe.status !== 403) reached++;
    await fc.assert(
      fc.asyncProperty(body, async (fields) => {
        const clean = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== "_csrf"));
        const r = await admin.form(url, clean);
        const clear = r.status < 400 || /class="error-summary"|<h1[^>]*>|"error"\s*:/.test(r.body);
        board.record("form-fuzz", r.status >= 500 || !clear, `${route.url} ${JSON.stringify(clean).slice(0, 120)} -> ${r.status}`);
        return true;
      }),
      // A job route starts a whole background export per accepted post: one run is enough outside the stress run.
      { numRuns: !STRESS && /\/jobs$/.test(route.url) ? 1 : HTTP_RUNS },
    );
  }
  console.log(`[fuzz] ${routes.length} state-changing routes, ${reached} reached with a real identifier`);
  // The session must have survived the whole run (no route logged the administrator out).
  expect((await admin.get("/api/v1/me", { accept: "application/json" })).status).toBe(200);
}, 600_000);

it("stored value = accepted value: account names through the JSON API", async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 0, maxLength: 140 }), async (name) => {
      const email = `fuzz-${n++}-${Date.now()}@test.schakel.invalid`;
      const r = await admin.json("POST", "/api/v1/admin/accounts", { display_name: name, email });
      if (r.status >= 500) {
        board.record("stored-equals-accepted", true, `5xx for ${JSON.stringify(name)}`);
        return true;
      }
      if (r.status === 201) {
        const row = await server.ctx.database.db.selectFrom("app_user").select("display_name").where("id", "=", JSON.parse(r.body).id).executeTakeFirst();
        board.record("stored-equals-accepted", row?.display_name !== name.trim(), `${JSON.stringify(name)} stored as ${JSON.stringify(row?.display_name)}`);
      } else board.record("stored-equals-accepted", r.status !== 400 || !/"error"/.test(r.body), `${JSON.stringify(name)} -> ${r.status}`);
      return true;
    }),
    { numRuns: STRESS ? 300 : 40 },
  );
}, 300_000);

it("prints the tally and fails on any finding", () => {
  board.print();
  reportFigures("fuzz", board.figures());
  expect(board.failures()).toEqual([]);
});
