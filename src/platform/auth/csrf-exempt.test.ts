import { describe, expect, it } from "vitest";
import { openTestContext } from "../../../test/support/db";
import { buildApp, registeredRoutes } from "../web/app";
import { CSRF_EXEMPT_ROUTES } from "./hooks";

/** The only way out of the CSRF check is a route config AND the allow-list in hooks.ts, for the same route. */
describe("CSRF exemptions are declared, allow-listed and nothing else", () => {
  it("walks all routes: the routes that declare csrf 'signed-request' are exactly CSRF_EXEMPT_ROUTES", async () => {
    const ctx = await openTestContext("sqlite");
    const app = await buildApp(ctx, { logger: false });
    await app.ready();
    const declared = (registeredRoutes.get(app) ?? [])
      .filter((r) => (r.config as { csrf?: unknown } | undefined)?.csrf !== undefined)
      .flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url}`));
    expect(declared.sort()).toEqual([...CSRF_EXEMPT_ROUTES].sort());
    await app.close();
    await ctx.close();
  });

  it("a route that declares the exemption but is not allow-listed is still checked (403 without a token)", async () => {
    const ctx = await openTestContext("sqlite");
    const app = await buildApp(ctx, { logger: false });
    app.post("/test-signed-but-not-listed", { config: { permission: "public", csrf: "signed-request" } }, async () => ({ done: true }));
    const res = await app.inject({ method: "POST", url: "/test-signed-but-not-listed", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "a=1" });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain("done");
    await app.close();
    await ctx.close();
  });
});
