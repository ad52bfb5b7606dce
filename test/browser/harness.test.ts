import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBrowser, expectAccessible, launchBrowser } from "../support/browser";

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
});
