import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "./app";

/** JSON answers carry <, > and & escaped (\u003c...): text people typed stays inert even if parsed as HTML. */
describeEachDialect("JSON answers are HTML-safe", (ctx) => {
  let app: FastifyInstance;
  let user: TestUser;
  const name = `Ann <img data-xss src=x onerror=alert(1)> & "Co"`;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    user = await createUser(ctx(), { displayName: name });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("escapes markup characters in JSON strings, and the parsed value is unchanged", async () => {
    const s = await login(app, user);
    const res = await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).not.toMatch(/[<>&]/);
    expect(res.body).toContain("\\u003cimg data-xss");
    expect(JSON.stringify(res.json())).toContain(name.replaceAll('"', '\\"'));
    // HTML pages are left alone (escaped by the renderer).
    const page = await app.inject({ method: "GET", url: "/account", headers: s.headers() });
    expect(page.body).toContain("&lt;img data-xss");
  });
});
