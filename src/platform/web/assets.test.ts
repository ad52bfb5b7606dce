import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { expect, it } from "vitest";
import { buildApp } from "./app";
import { compressed } from "./assets";
import { openTestContext } from "../../../test/support/db";

// Brotli at its best ratio took ~75 ms of every start-up: the compressed forms are kept by content hash.
it("compresses an asset once, reads it back at the next start, and replaces another version of it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-assets-"));
  try {
    let calls = 0;
    const compress = () => {
      calls++;
      return zlib.gzipSync("body v1");
    };
    const first = compressed("site.css", "aaaaaaaaaaaa", "gz", compress, dir);
    expect(zlib.gunzipSync(first).toString()).toBe("body v1");
    expect(fs.readdirSync(dir)).toEqual(["site.css.aaaaaaaaaaaa.gz"]);
    // The next start reads the file: no compression.
    const again = compressed("site.css", "aaaaaaaaaaaa", "gz", () => { throw new Error("compressed again"); }, dir);
    expect(again.equals(first)).toBe(true);
    expect(calls).toBe(1);
    // A new version of the asset (another hash) is compressed and the old version's file goes; another kind stays.
    compressed("site.css", "aaaaaaaaaaaa", "br", () => zlib.brotliCompressSync("body v1"), dir);
    compressed("site.css", "bbbbbbbbbbbb", "gz", () => zlib.gzipSync("body v2"), dir);
    expect(fs.readdirSync(dir).sort()).toEqual(["site.css.aaaaaaaaaaaa.br", "site.css.bbbbbbbbbbbb.gz"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("still serves compressed assets where the cache cannot be written (a read-only install)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-assets-"));
  const file = path.join(dir, "not-a-folder");
  fs.writeFileSync(file, "");
  try {
    const out = compressed("site.css", "cccccccccccc", "gz", () => zlib.gzipSync("body v3"), file);
    expect(zlib.gunzipSync(out).toString()).toBe("body v3");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("serves the stylesheet compressed as cached, decompressing to the file itself", async () => {
  const ctx = await openTestContext("sqlite");
  const app = await buildApp(ctx, { logger: false });
  try {
    const css = fs.readFileSync(path.resolve(import.meta.dirname, "../../../public/schakel.css"));
    const page = await app.inject({ url: "/login" });
    const href = page.body.match(/\/assets\/schakel\.css\?v=([0-9a-f]{12})/);
    expect(href).not.toBeNull();
    for (const [encoding, decode] of [["br", zlib.brotliDecompressSync], ["gzip", zlib.gunzipSync]] as const) {
      const res = await app.inject({ url: href![0], headers: { "accept-encoding": encoding } });
      expect(res.headers["content-encoding"]).toBe(encoding);
      expect(decode(res.rawPayload).equals(css)).toBe(true);
    }
  } finally {
    await app.close();
    await ctx.close();
  }
});
