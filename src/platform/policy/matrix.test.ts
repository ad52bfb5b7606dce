import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { newId } from "../db/values";
import { buildApp, registeredRoutes } from "../web/app";
import type { LivcRole } from "./actor";
import { PERMISSIONS, type Permission } from "./permissions";

/**
 * Authorization matrix: every role, in its own LIVC and in another LIVC, against every route.
 * The expected route-level decision is this table (written out, not derived from the code).
 * A route-level denial is recognised by its audit entry "route.access denied" for the request's
 * correlation id (anonymous visitors are then sent to the login page or get 401). On routes with an LIVC parameter, a member of ANOTHER LIVC
 * must also be refused by the resource rules (403/404).
 */
type Who = "anonymous" | "admin" | "regional_analyst" | "dpo" | LivcRole;
const LIVC: LivcRole[] = ["chair", "coordinator", "information_officer", "partner_member", "reporter"];
const SIGNED_IN: Who[] = ["admin", "regional_analyst", "dpo", ...LIVC];
// Partial: a permission added later without a row here makes the test fail with "add one".
const EXPECTED: Partial<Record<Permission, Who[]>> = {
  public: ["anonymous", "admin", "regional_analyst", "dpo", ...LIVC],
  authenticated: ["admin", "regional_analyst", "dpo", ...LIVC],
  "admin.accounts": ["admin"],
  "audit.export": ["dpo"],
  "privacy.record": ["admin", "dpo"],
  "monitoring.read": ["regional_analyst", "admin", "chair", "coordinator"],
  "registry.read": ["regional_analyst", "admin", "chair", "coordinator", "information_officer"],
  "registry.manage": ["admin"],
  "registry.framework": ["admin", "chair"],
  "registry.obstacles": ["regional_analyst", "admin"],
  "livc.member": LIVC,
  "case.access": ["chair", "coordinator", "information_officer", "partner_member"],
  "report.file": LIVC,
  "partners.manage": ["chair", "coordinator"],
  "partners.respond": SIGNED_IN,
  "intake.screen": ["coordinator", "information_officer"],
  "intake.regional": SIGNED_IN,
  "intake.closing_days": ["admin", "chair", "coordinator"],
  "awareness.manage": ["regional_analyst", "admin"],
};
// Routes that end the caller's own session are covered by the session tests, not replayed here.
const SKIP = new Set(["POST /logout", "POST /account/sessions/end-all"]);
const OWN = "livc-own-0001";
const OTHER = "livc-other-0002";

describe("authorization matrix", () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  const sessions = new Map<string, LoginSession | null>();

  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
    app = await buildApp(ctx, { logger: false });
    await app.ready();
    sessions.set("anonymous|own", null);
    sessions.set("anonymous|other", null);
    for (const p of ["admin", "regional_analyst", "dpo"] as const) {
      const s = await login(app, await createUser(ctx, { platformRoles: [p] }));
      sessions.set(`${p}|own`, s);
      sessions.set(`${p}|other`, s);
    }
    for (const role of LIVC) {
      sessions.set(`${role}|own`, await login(app, await createUser(ctx, { roles: [{ livcId: OWN, role }] })));
      sessions.set(`${role}|other`, await login(app, await createUser(ctx, { roles: [{ livcId: OTHER, role }] })));
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it("every role x own/other LIVC x every route gets the expected decision", async () => {
    const routes = (registeredRoutes.get(app) ?? []).flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => ({ method: m, url: r.url, permission: (r.config as { permission?: Permission }).permission })));
    const unique = [...new Map(routes.filter((r) => r.method !== "HEAD" && r.method !== "OPTIONS").map((r) => [`${r.method} ${r.url}`, r])).values()];
    const problems: string[] = [];
    let checked = 0;
    for (const route of unique) {
      const key = `${route.method} ${route.url}`;
      if (SKIP.has(key) || route.url.includes("*")) continue;
      const permission = route.permission!;
      const expected = EXPECTED[permission];
      if (!expected) {
        problems.push(`${key}: permission "${permission}" has no row in the matrix table: add one`);
        continue;
      }
      const hasLivcParam = /:livc[A-Za-z_]*/.test(route.url);
      for (const [label, session] of sessions) {
        const [who, where] = label.split("|") as [Who, "own" | "other"];
        const url = route.url.replace(/:livc[A-Za-z_]*/g, OWN).replace(/:[A-Za-z_]+/g, () => newId());
        const write = !["GET", "HEAD"].includes(route.method);
        // Writes carry a valid CSRF token (anonymous: the double-submit cookie), so the route permission is what decides.
        const anonCsrf = "a".repeat(43);
        const headers = session
          ? session.headers(write ? { json: true } : {})
          : write
            ? { cookie: `__Host-schakel_csrf=${anonCsrf}`, "x-csrf-token": anonCsrf, "content-type": "application/json" }
            : {};
        const res = await app.inject({
          method: route.method as "GET",
          url,
          headers: { ...headers, accept: route.url.startsWith("/api/") ? "application/json" : "text/html" },
          ...(write ? { payload: "{}" } : {}),
        });
        checked++;
        const correlation = String(res.headers["x-correlation-id"] ?? "");
        const audited = await ctx.database.db
          .selectFrom("audit_entry")
          .select("seq")
          .where("correlation_id", "=", correlation)
          .where("action", "=", "route.access")
          .where("outcome", "=", "denied")
          .executeTakeFirst();
        const location = String(res.headers.location ?? "");
        const routeDenied = Boolean(audited);
        if (routeDenied && !session && !(location.startsWith("/login") || res.statusCode === 401)) problems.push(`${key} as anonymous: denied without sending to the login page (${res.statusCode})`);
        const shouldAllow = expected.includes(who);
        if (routeDenied === shouldAllow) problems.push(`${key} as ${who} (${where} LIVC): expected ${shouldAllow ? "allow" : "deny"}, got ${res.statusCode}${location ? ` -> ${location}` : ""}`);
        if (shouldAllow && hasLivcParam && where === "other" && !(who === "admin" || who === "regional_analyst" || who === "dpo") && res.statusCode < 400 && res.statusCode !== 303) {
          problems.push(`${key} as ${who} of ANOTHER LIVC: resource rules let it through (${res.statusCode})`);
        }
      }
    }
    await ctx.database.db.deleteFrom("login_throttle").execute();
    console.log(`authorization matrix: ${checked} combinations checked (${unique.length} routes x ${sessions.size} role/LIVC pairs, ${Object.keys(PERMISSIONS).length} permissions)`);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  }, 300_000);
});
