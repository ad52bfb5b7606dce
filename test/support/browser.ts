import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { describe, expect } from "vitest";
import { seedDemo } from "../../src/platform/demo";
import { buildApp } from "../../src/platform/web/app";
import { openTestContext, type TestContext } from "./db";

export const CHROMIUM = process.env.SCHAKEL_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts");
const browserAvailable = !process.env.SCHAKEL_SKIP_BROWSER && fs.existsSync(CHROMIUM);

/** A browser suite; skipped only when the test runner said Chromium is unavailable (strict CI forbids that). */
export const describeBrowser = (title: string, body: () => void) => describe.skipIf(!browserAvailable)(title, body);

export interface TestServer {
  baseUrl: string;
  ctx: TestContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The real app on a loopback port with a fresh SQLite database, optionally with the demo data set. */
export async function startTestServer(opts: { demo?: boolean; env?: Record<string, string> } = {}): Promise<TestServer> {
  const ctx = await openTestContext("sqlite", opts.env);
  if (opts.demo) await seedDemo(ctx);
  const app = await buildApp(ctx, { logger: false, demoMode: Boolean(opts.demo) });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A fresh context (cookies isolated); axe needs pages from browser.newContext(). */
export async function newPage(browser: Browser, baseUrl: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: "nl-BE", acceptDownloads: true });
  const page = await context.newPage();
  return { context, page };
}

/** Zero axe violations at WCAG 2.2 AA on the current page; keeps a screenshot as a test artifact. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${label}.png`), fullPage: true });
  // Only violations are reported in full: the passes and incomplete results of a large page (the
  // participation matrix) were a third of axe's time and are never read. `options` first: it replaces the
  // options object, so after `withTags` it would drop the tag filter. Legacy mode runs axe.run() in the page
  // itself (same-origin frames included; Schakel's CSP allows no other frames): the default mode opens a blank
  // page per check to merge per-frame results, injects axe there too, and took 1.1-1.3 s per small page
  // against 0.5-0.7 s (browser project 634 -> 510 s, same checks).
  const result = await new AxeBuilder({ page }).setLegacyMode().options({ resultTypes: ["violations"] }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const summary = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(summary, `axe violations on ${label} (${page.url()})`).toEqual([]);
  // WCAG 1.4.10 Reflow (axe does not check it): at 320 CSS px nothing but a data table's own scrolling
  // region may be wider than the screen. The page is measured at that width and put back.
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const out = [`page ${document.documentElement.scrollWidth} px wide`];
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      if (el.parentElement?.closest(".table-scroll")) continue;
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !Array.from(el.children).some((c) => c.getBoundingClientRect().right > width + 1)) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} ${(el.textContent ?? "").trim().slice(0, 40)}`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement?.closest(".table-scroll, .visually-hidden")) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      if (range.getBoundingClientRect().right > width + 1) out.push(`text "${(n.textContent ?? "").trim().slice(0, 40)}"`);
    }
    return out.slice(0, 8);
  });
  if (size) await page.setViewportSize(size);
  expect(wide, `wider than 320 CSS px (WCAG 1.4.10) on ${label} (${page.url()})`).toEqual([]);
}

/** Fails the test when the page ran into a CSP violation or a script error. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return errors;
}
