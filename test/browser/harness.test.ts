import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ARTIFACTS, describeBrowser, expectAccessible, launchBrowser } from "../support/browser";

/** Width and height of a baseline JPEG, from its start-of-frame segment. */
function jpegSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  for (let i = 2; i < b.length; ) {
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xc3) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error(`${file}: no start-of-frame segment`);
}

/**
 * The accessibility check every journey relies on must itself fail on a bad page: an image without a
 * text alternative, text below 4.5:1 contrast, and a line wider than 320 CSS px. A best-practice rule
 * outside WCAG (content outside landmarks) is not a failure.
 */
describeBrowser("the journeys' accessibility check", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const pageWith = async (body: string) => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.setContent(`<!doctype html><html lang="nl"><head><title>Proef</title></head><body>${body}</body></html>`);
    return page;
  };

  it("reports WCAG violations by rule, and passes a clean page with content outside landmarks", async () => {
    const bad = await pageWith(`<main><h1>Proef</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20"><p style="color:#bbb;background:#fff">Te licht</p></main>`);
    const failure = await expectAccessible(bad, "harness-bad").then(
      () => null,
      // The rules found are in the assertion's actual value (the message names the page only).
      (e: Error & { actual?: unknown }) => `${e.message} ${JSON.stringify(e.actual)}`,
    );
    expect(failure).toMatch(/image-alt/);
    expect(failure).toMatch(/color-contrast/);
    const clean = await pageWith(`<div>Buiten een landmark</div><main><h1>Proef</h1><p>Leesbaar.</p></main>`);
    await expectAccessible(clean, "harness-clean");
  });

  it("reports a page wider than 320 CSS px", async () => {
    const wide = await pageWith(`<main><h1>Proef</h1><p style="white-space:nowrap">${"breed ".repeat(80)}</p></main>`);
    await expect(expectAccessible(wide, "harness-wide")).rejects.toThrow(/WCAG 1\.4\.10/);
  });

  it("keeps the viewport as the screenshot of a page that passes, and the whole page of one that fails", async () => {
    const tall = '<div style="height:2000px">Lang</div>';
    const clean = await pageWith(`<main><h1>Proef</h1>${tall}<p>Leesbaar.</p></main>`);
    await expectAccessible(clean, "harness-tall-clean");
    expect(jpegSize(path.join(ARTIFACTS, "harness-tall-clean.jpeg"))).toEqual({ width: 1024, height: 768 });
    const bad = await pageWith(`<main><h1>Proef</h1>${tall}<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20"></main>`);
    await expect(expectAccessible(bad, "harness-tall-bad")).rejects.toThrow(/axe violations/);
    expect(jpegSize(path.join(ARTIFACTS, "harness-tall-bad.jpeg")).height).toBeGreaterThan(2000);
  });
});
