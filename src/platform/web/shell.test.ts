import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { buildApp } from "./app";

const bin = path.resolve(import.meta.dirname, "../../../bin/schakel.js");

describe("web shell", () => {
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
    app = await buildApp(ctx, { logger: false });
    // A route that fails, to see what the error handler shows to the person.
    app.get("/test-failure", { config: { permission: "public" } }, async () => {
      throw new Error("internal detail that must not leak at /srv/schakel/secret.ts:12");
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await ctx.close();
  });

  it("sends strict security headers and no-store on pages", async () => {
    const r = await app.inject({ url: "/municipalities" });
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["referrer-policy"]).toBe("no-referrer");
    expect(r.headers["x-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends the same security headers on error pages, JSON and assets (computed once, set on every reply)", async () => {
    const page = await app.inject({ url: "/municipalities" });
    for (const url of ["/no-such-page", "/api/v1/municipalities", "/healthz"]) {
      const r = await app.inject({ url });
      for (const h of ["content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options", "cross-origin-opener-policy", "permissions-policy"]) {
        expect(r.headers[h], `${h} on ${url}`).toBe(page.headers[h]);
      }
      expect(r.headers["permissions-policy"]).toMatch(/^accelerometer=\(\), camera=\(\), .*geolocation=\(\), .*microphone=\(\), payment=\(\)/);
      expect(r.headers["x-powered-by"]).toBeUndefined();
    }
  });

  it("caches fingerprinted assets and compresses pages", async () => {
    const page = await app.inject({ url: "/municipalities", headers: { "accept-encoding": "gzip" } });
    expect(page.headers["content-encoding"]).toBe("gzip");
    const css = (await app.inject({ url: "/municipalities" })).body.match(/\/assets\/schakel\.css\?v=[0-9a-f]+/)?.[0];
    expect(css).toBeDefined();
    const asset = await app.inject({ url: css! });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
  });

  it("shows a 404 page with a correlation id", async () => {
    const r = await app.inject({ url: "/no-such-page" });
    expect(r.statusCode).toBe(404);
    expect(r.body).toContain("Pagina niet gevonden");
    expect(r.body).toContain(String(r.headers["x-correlation-id"]));
  });

  it("shows a 500 page with a correlation id and never the error or a stack trace", async () => {
    const html = await app.inject({ url: "/test-failure" });
    expect(html.statusCode).toBe(500);
    expect(html.body).toContain(String(html.headers["x-correlation-id"]));
    expect(html.body).not.toMatch(/internal detail|secret\.ts|at .*:\d+/);
    const json = await app.inject({ url: "/test-failure", headers: { accept: "application/json" } });
    expect(json.json()).toEqual({ error: "Er ging iets mis", message: expect.any(String), correlation_id: json.headers["x-correlation-id"] });
  });

  it("answers health and readiness", async () => {
    expect((await app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready" });
  });

  it("speaks Dutch by default, French or English on request, and remembers the choice", async () => {
    expect((await app.inject({ url: "/" })).body).toContain('<html lang="nl"');
    expect((await app.inject({ url: "/", headers: { "accept-language": "fr-BE,fr;q=0.9" } })).body).toContain('<html lang="fr"');
    const switched = await app.inject({ url: "/?lang=en" });
    expect(switched.body).toContain('<html lang="en"');
    const cookie = String(switched.headers["set-cookie"]).split(";")[0];
    expect((await app.inject({ url: "/municipalities", headers: { cookie } })).body).toContain("Municipality register");
  });

  it("documents the municipality API in OpenAPI", async () => {
    const spec = (await app.inject({ url: "/api/docs/json" })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain("/api/v1/municipalities");
    const json = (await app.inject({ url: "/api/v1/municipalities?date=2025-01-01" })).json();
    expect(json.municipalities).toHaveLength(285);
    expect(json.municipalities[0]).toEqual({ nis: expect.any(String), name: expect.any(String), province: expect.any(String), arrondissement: expect.any(String), police_zone: expect.any(String) });
    const bad = await app.inject({ url: "/api/v1/municipalities?date=2018-01-01" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/2019-01-01/);
  });

  it("renders the API documentation page in the reader's language, the endpoints' English marked as such", async () => {
    const fr = (await app.inject({ url: "/api/docs", headers: { "accept-language": "fr-BE" } })).body;
    expect(fr).toContain("<h1>Documentation de l'API</h1>");
    expect(fr).toContain('<th scope="col">Méthode</th>');
    expect(fr).toContain("Les descriptions des points d'accès sont en anglais");
    expect(fr).toMatch(/<td lang="en">/);
    const nl = (await app.inject({ url: "/api/docs" })).body;
    expect(nl).toContain('<th scope="col">Pad</th>');
    const en = (await app.inject({ url: "/api/docs?lang=en" })).body;
    expect(en).toContain('<th scope="col">Path</th>');
    expect(en).not.toContain("are described in English");
  });
});

describe("server process", () => {
  const env = (extra: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-serve-"));
    // A readable key file: since decision 0066 serve refuses a missing one before it listens.
    fs.writeFileSync(path.join(dir, "master.key"), `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    return { ...process.env, NODE_ENV: "test", DATABASE_URL: `sqlite:${path.join(dir, "s.db")}`, SCHAKEL_KEY_FILE: path.join(dir, "master.key"), ...extra };
  };

  it("says in one line that the port is in use", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = (blocker.address() as net.AddressInfo).port;
    const serve = spawnSync(process.execPath, [bin, "serve"], { env: env({ PORT: String(port) }), encoding: "utf8", timeout: 60_000 });
    blocker.close();
    expect(serve.status).toBe(1);
    expect(serve.stderr.trim()).toBe(`Port ${port} is already in use (PORT): stop the other program or choose another port.`);
  });

  it("stops gracefully on SIGTERM", async () => {
    const probe = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => probe.once("listening", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const child = spawn(process.execPath, [bin, "serve"], { env: env({ PORT: String(port) }) });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    await expect.poll(() => out, { timeout: 30_000, interval: 100 }).toContain("Schakel listens on");
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(0);
    expect(out).toContain("SIGTERM received");
  });
});
