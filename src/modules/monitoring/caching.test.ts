import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { importRegister, livcByCode } from "../registry/service";
import { coverageJsonCacheSize, coverageJsonSettled } from "./coverage-json";
import { crc32Combine, deflatePart, gzipAround, gzipParts, notModified, pickEncoding } from "../../platform/web/encoding";
import { pageCacheSize } from "./page";

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "../registry/testdata", name), "utf8");
const paths = (svg: string) => (svg.match(/<path d=/g) ?? []).length;

describe("encoding helpers", () => {
  it("negotiates Accept-Encoding in our order and honours q=0", () => {
    expect(pickEncoding("gzip, deflate, br", ["br", "gzip"])).toBe("br");
    expect(pickEncoding("gzip, deflate, br", ["gzip"])).toBe("gzip");
    expect(pickEncoding("br;q=0, gzip;q=0.5", ["br", "gzip"])).toBe("gzip");
    expect(pickEncoding("identity", ["br", "gzip"])).toBe("identity");
    expect(pickEncoding(undefined, ["br"])).toBe("identity");
    expect(pickEncoding("*", ["gzip"])).toBe("gzip");
  });

  it("matches If-None-Match lists, weak tags and *", () => {
    expect(notModified('"a", W/"b"', '"b"')).toBe(true);
    expect(notModified("*", '"b"')).toBe(true);
    expect(notModified('"a"', '"b"')).toBe(false);
    expect(notModified(undefined, '"b"')).toBe(false);
  });

  it("joins a per-request head and tail around a deflated middle into one valid gzip", () => {
    for (let i = 0; i < 40; i++) {
      // Multi-byte text; a head over 65,535 bytes takes several stored blocks.
      const head = `<head>${"é".repeat(i === 39 ? 40_000 : i * 37)}${Math.random()}`;
      const middle = Buffer.from(`<tr><td>${i}</td></tr>`.repeat(i * 500 + 1));
      const tail = i % 5 === 0 ? "" : `</main>${"ë".repeat(i)}`;
      const whole = Buffer.concat([Buffer.from(head), middle, Buffer.from(tail)]);
      expect(crc32Combine(zlib.crc32(head), zlib.crc32(middle), middle.length)).toBe(zlib.crc32(Buffer.concat([Buffer.from(head), middle])));
      expect(zlib.gunzipSync(gzipAround(head, deflatePart(middle), tail)).equals(whole)).toBe(true);
    }
  });

  it("joins any order of per-request texts and deflated parts into one valid gzip (a token between two shared pieces)", () => {
    for (let i = 0; i < 30; i++) {
      const texts = [`<head>${"é".repeat(i * 11)}`, `tok-${Math.random()}`, i === 29 ? "ü".repeat(70_000) : "", `</main>${i}`];
      const shared = [Buffer.from(`<tr><td>${i}</td></tr>`.repeat(i * 300 + 1)), Buffer.from(i % 3 === 0 ? "" : `<form>${"ø".repeat(i)}`)];
      // head, piece, token, piece, text, text (the last one the final block)
      const parts = [texts[0], deflatePart(shared[0]), texts[1], deflatePart(shared[1]), texts[2], texts[3]];
      const whole = Buffer.concat([Buffer.from(texts[0]), shared[0], Buffer.from(texts[1]), shared[1], Buffer.from(texts[2]), Buffer.from(texts[3])]);
      expect(zlib.gunzipSync(gzipParts(parts)).equals(whole)).toBe(true);
    }
    expect(() => gzipParts(["a", deflatePart(Buffer.from("b"))])).toThrow(/last part must be a text/);
  });
});

describeEachDialect("coverage caches: map image, dashboard content and JSON follow the register", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let partner: LoginSession;

  beforeAll(async () => {
    await importRegister(ctx().database, { actor: null }, fixture("register.csv"));
    const gent = (await livcByCode(ctx().database.db, "GENT"))!.id;
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    partner = await login(app, await createUser(ctx(), { roles: [{ livcId: gent, role: "partner_member" }] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("serves the map as an SVG image with an ETag, 304 on revalidation and compressed forms", async () => {
    const url = "/monitoring/map.svg?date=2020-03-10";
    const res = await app.inject({ url, headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("private, no-cache");
    expect(res.headers.etag).toMatch(/^"map-[\w-]{22}"$/);
    expect(res.body.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(paths(res.body)).toBe(300);
    // Shapes and colours only: no names, no links.
    expect(res.body).not.toMatch(/Gent|<a |<title/);
    const cached = await app.inject({ url, headers: { ...analyst.headers(), "if-none-match": res.headers.etag as string } });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe("");
    const br = await app.inject({ url, headers: { ...analyst.headers(), "accept-encoding": "gzip, deflate, br" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(zlib.brotliDecompressSync(br.rawPayload).toString("utf8")).toBe(res.body);
    expect(br.rawPayload.length).toBeLessThan(res.rawPayload.length / 4);
    const gz = await app.inject({ url, headers: { ...analyst.headers(), "accept-encoding": "gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(gz.rawPayload).toString("utf8")).toBe(res.body);
    const bad = await app.inject({ url: "/monitoring/map.svg?date=2018-01-01", headers: analyst.headers() });
    expect(bad.statusCode).toBe(400);
  });

  it("refuses the map to an anonymous visitor and to a partner member (no monitoring rights)", async () => {
    const anonymous = await app.inject({ url: "/monitoring/map.svg?date=2020-03-10" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
    expect(anonymous.body).not.toContain("<svg");
    const denied = await app.inject({ url: "/monitoring/map.svg?date=2020-03-10", headers: partner.headers() });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).not.toContain("<path");
  });

  it("renders the dashboard content once per revision, date and language; gzip is the same page", async () => {
    const url = "/monitoring?date=2021-06-01";
    const first = await app.inject({ url, headers: analyst.headers() });
    expect(first.statusCode).toBe(200);
    expect(first.headers["x-page-cache"]).toBe("miss");
    const again = await app.inject({ url, headers: { ...analyst.headers(), "accept-encoding": "gzip, deflate, br" } });
    expect(again.headers["x-page-cache"]).toBe("hit");
    expect(again.headers["content-encoding"]).toBe("gzip");
    expect(again.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(zlib.gunzipSync(again.rawPayload).toString("utf8")).toBe(first.body);
    // A br-only client gets the page compressed by the platform.
    const br = await app.inject({ url, headers: { ...analyst.headers(), "accept-encoding": "br" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(br.rawPayload).toString("utf8")).toBe(first.body);
    // The layout stays per person: another analyst gets their own name and CSRF token around the cached content.
    const other = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"], displayName: "Andere Analist" }));
    const theirs = await app.inject({ url, headers: other.headers() });
    expect(theirs.headers["x-page-cache"]).toBe("hit");
    expect(theirs.body).toContain("(Andere Analist)");
    expect(theirs.body).toContain(`value="${other.csrfToken}"`);
    expect(theirs.body).not.toContain(analyst.csrfToken);
    expect(theirs.body.slice(theirs.body.indexOf("<main"))).toBe(first.body.slice(first.body.indexOf("<main")));
    const fr = await app.inject({ url: `${url}&lang=fr`, headers: analyst.headers() });
    expect(fr.headers["x-page-cache"]).toBe("miss");
    expect(fr.body).toContain("Carte de la Flandre au");
    expect(pageCacheSize(ctx().database.db)).toBeGreaterThanOrEqual(2);
  });

  it("serves the coverage JSON from cache with an ETag, 304 and compressed forms", async () => {
    const url = "/api/v1/monitoring/coverage?date=2021-06-01";
    const first = await app.inject({ url, headers: analyst.headers() });
    expect(first.statusCode).toBe(200);
    expect(first.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(first.headers["x-coverage-cache"]).toBe("miss");
    expect(first.json()).toMatchObject({ date: "2021-06-01", municipalities: 300 });
    const br = await app.inject({ url, headers: { ...analyst.headers(), "accept-encoding": "br, gzip" } });
    expect(br.headers["x-coverage-cache"]).toBe("hit");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(br.rawPayload).toString("utf8")).toBe(first.body);
    const cached = await app.inject({ url, headers: { ...analyst.headers(), "if-none-match": first.headers.etag as string } });
    expect(cached.statusCode).toBe(304);
    expect(coverageJsonCacheSize(ctx().database.db)).toBeGreaterThanOrEqual(1);
  });

  it("answers a new date at once with a fast compression, then serves the best ratio of the same JSON", async () => {
    const url = "/api/v1/monitoring/coverage?date=2022-02-02";
    const headers = { ...analyst.headers(), "accept-encoding": "br" };
    const first = await app.inject({ url, headers });
    expect(first.headers["x-coverage-cache"]).toBe("miss");
    await coverageJsonSettled(ctx().database.db);
    const later = await app.inject({ url, headers });
    expect(later.headers["x-coverage-cache"]).toBe("hit");
    const text = zlib.brotliDecompressSync(first.rawPayload).toString("utf8");
    expect(zlib.brotliDecompressSync(later.rawPayload).toString("utf8")).toBe(text);
    expect(later.headers.etag).toBe(first.headers.etag);
    // Brotli 11 instead of 5: strictly smaller on this JSON.
    expect(later.rawPayload.length).toBeLessThan(first.rawPayload.length);
  });

  it("shows a new LIVC on the next request: JSON, dashboard content and map are recomputed", async () => {
    const date = "2021-06-01";
    const headers = analyst.headers();
    const json = async () => await app.inject({ url: `/api/v1/monitoring/coverage?date=${date}`, headers });
    const before = await json();
    const pageBefore = await app.inject({ url: `/monitoring?date=${date}`, headers });
    const mapBefore = await app.inject({ url: `/monitoring/map.svg?date=${date}`, headers });
    expect((await json()).headers["x-coverage-cache"]).toBe("hit");
    expect(before.json().without.some((w: { nis: string }) => w.nis === "11013")).toBe(true);
    expect(pageBefore.body).not.toContain("LIVC Edegem");

    await importRegister(ctx().database, { actor: null }, "livc_code,livc_name,nis,joined_on,left_on\nEDEGEM,LIVC Edegem,11013,2021-01-01,\n");

    const after = await json();
    expect(after.headers["x-coverage-cache"]).toBe("miss");
    expect(after.json().covered).toBe(before.json().covered + 1);
    expect(after.json().without.some((w: { nis: string }) => w.nis === "11013")).toBe(false);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    // The browser's old copy is not confirmed any more.
    const revalidated = await app.inject({ url: `/api/v1/monitoring/coverage?date=${date}`, headers: { ...headers, "if-none-match": before.headers.etag as string } });
    expect(revalidated.statusCode).toBe(200);
    const page = await app.inject({ url: `/monitoring?date=${date}`, headers });
    expect(page.headers["x-page-cache"]).toBe("miss");
    expect(page.body).toContain("LIVC Edegem");
    const map = await app.inject({ url: `/monitoring/map.svg?date=${date}`, headers: { ...headers, "if-none-match": mapBefore.headers.etag as string } });
    expect(map.statusCode).toBe(200);
    expect(map.headers["x-map-cache"]).toBe("miss");
    expect(map.headers.etag).not.toBe(mapBefore.headers.etag);
    expect(paths(map.body)).toBe(300);
  });
});
