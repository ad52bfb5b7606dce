import zlib from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "./app";

/** Rendered pages are compressed in one call with brotli (given the page's length as its size hint) or gzip. */
describeEachDialect("page compression", (ctx) => {
  let app: FastifyInstance;
  let user: TestUser;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    user = await createUser(ctx(), { displayName: "Compressie Test" });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("sends the same page in brotli, gzip and plain, brotli bytes equal to an unhinted encoder's", async () => {
    const s = await login(app, user);
    const get = (encoding: string) => app.inject({ method: "GET", url: "/account", headers: { ...s.headers(), "accept-encoding": encoding } });
    const plain = await get("identity");
    expect(plain.statusCode).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    const br = await get("br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    // The size hint changes the encoder's preparation, not its output.
    const unhinted = zlib.brotliCompressSync(Buffer.from(plain.body), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
    expect(br.rawPayload.equals(unhinted)).toBe(true);
    const gz = await get("gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
  });
});
