import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import type { AxeResults } from "axe-core";
import { describe, expect } from "vitest";
import { seedDemo } from "../../src/platform/demo";
import { buildApp } from "../../src/platform/web/app";
import { openTestContext, type TestContext } from "./db";

/** Chromium's headless shell when installed (npm test installs it; decision 0074), else the full browser. */
export const CHROMIUM =
  process.env.SCHAKEL_CHROMIUM ?? ["/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium"].find((f) => fs.existsSync(f)) ?? "/usr/bin/chromium";
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

// No signal handlers of Playwright's: its SIGTERM handler closes the browsers but leaves the process running, and
// vitest stops a worker with SIGTERM, so a worker holding the shared browser below waited for vitest's SIGKILL
// ("Timeout terminating forks worker", 10 s at the end of a run). Chromium ends itself when its pipe closes.
const launch = () =>
  chromium.launch({
    handleSIGTERM: false,
    handleSIGINT: false,
    handleSIGHUP: false,
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
let shared: Promise<Browser> | undefined;

/**
 * A browser for one test file. The Chromium process is the test worker's, shared by the files it runs one after
 * the other (launching one cost ~0.85 s of CPU, 30 times a run); what a file sees is its own: every context it
 * opens through this handle, and `close()` closes those contexts, not the process. Cookies, storage and caches
 * belong to a context, so files share nothing through it.
 */
export async function launchBrowser(): Promise<Browser> {
  shared ??= launch();
  let real = await shared;
  if (!real.isConnected()) {
    shared = launch();
    real = await shared;
  }
  const mine = new Set<BrowserContext>();
  const track = (context: BrowserContext) => {
    mine.add(context);
    context.once("close", () => mine.delete(context));
    return context;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "newContext") return async (options?: BrowserContextOptions) => track(await target.newContext(options));
      if (prop === "newPage") return async (options?: BrowserContextOptions) => (await target.newContext(options).then(track)).newPage();
      if (prop === "contexts") return () => [...mine];
      if (prop === "close") return async () => void (await Promise.all([...mine].map((c) => c.close())));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A fresh context (cookies isolated); axe needs pages from browser.newContext(). */
export async function newPage(browser: Browser, baseUrl: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: "nl-BE", acceptDownloads: true });
  const page = await context.newPage();
  return { context, page };
}

// axe-core itself, run in the page (what `@axe-core/playwright` did in its legacy mode, without its bookkeeping).
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_OPTIONS = {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  // Only violations are reported in full: the passes and incomplete results of a large page (the
  // participation matrix) were a third of axe's time and are never read.
  resultTypes: ["violations"],
  // axe fetches and parses every stylesheet again ("cssom") for one rule only, css-orientation-lock, which is
  // experimental and so never runs under these tags: 50-100 ms a check for nothing. Media stays preloaded
  // (no-autoplay-audio reads it).
  preload: { assets: ["media"] },
};
const contextsWithAxe = new WeakSet<BrowserContext>();

/**
 * axe in the page. Sending its 550 KB source over the DevTools protocol at every check cost ~150 ms; a context's
 * init script sends it once per page and Chromium evaluates it in each new document. A page opened before
 * (or one whose document came from `setContent`) gets it once, directly.
 */
async function withAxe(page: Page): Promise<void> {
  const context = page.context();
  if (!contextsWithAxe.has(context)) {
    contextsWithAxe.add(context);
    await context.addInitScript({ content: AXE_SOURCE });
  }
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
}

/** Zero axe violations at WCAG 2.2 AA on the current page, nothing wider than 320 CSS px; keeps a screenshot as a test artifact. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // The page as it opens (the viewport); a check that fails keeps the whole page instead. A full-page capture
  // lays out and rasterises the whole page: taken at every check it was 79-88 s of the browser project, against
  // ~0.1 s a check for the viewport. JPEG: smaller files, and 10% less time than PNG for the whole page.
  const take = (fullPage: boolean) => page.screenshot({ path: path.join(ARTIFACTS, `${label}.jpeg`), fullPage, type: "jpeg", quality: 80 });
  // Chromium now and then refuses a capture ("Unable to capture screenshot", most often the first after a cold
  // start: session 13's CI, the harness test; robotframework-browser#5237) and takes the same picture when asked
  // again; session 18's CI saw it refuse twice in a row (partners journey). Asked again for that error only, after
  // the page has drawn a frame, up to three more times; any other error, or a fourth refusal, fails the check.
  const screenshot = async (fullPage: boolean) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await take(fullPage);
      } catch (e) {
        if (!String(e).includes("Unable to capture screenshot") || attempt === 4) throw e;
        await page.evaluate((ms) => new Promise((drawn) => requestAnimationFrame(() => setTimeout(drawn, ms))), 50 * attempt);
      }
    }
  };
  await screenshot(false);
  await withAxe(page);
  // axe.run() in the page itself, main frame and same-origin frames (Schakel's CSP allows no other frames).
  // `@axe-core/playwright` (session 11: in its legacy mode) added 100-400 ms of its own a check.
  const result = await page.evaluate((options) => (window as unknown as { axe: { run(c: Document, o: unknown): Promise<AxeResults> } }).axe.run(document, options), AXE_OPTIONS);
  const summary = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  if (summary.length > 0) await screenshot(true);
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
  if (wide.length > 0) await screenshot(true);
  expect(wide, `wider than 320 CSS px (WCAG 1.4.10) on ${label} (${page.url()})`).toEqual([]);
}

/** A journey run with and without JavaScript checks its pages the way each was seen (without: a scripted copy, below). */
export const expectAccessibleAsSeen = (page: Page, label: string, javaScriptEnabled: boolean): Promise<void> =>
  javaScriptEnabled ? expectAccessible(page, label) : expectAccessibleWithoutJs(page, label);

const checkers = new WeakMap<Browser, Promise<Page>>();

/**
 * A page seen without JavaScript: axe is a script, so the HTML the server sent is checked in a scripted page on
 * the same origin (same markup, same CSS), in a fresh document each time. One checking context per browser process.
 */
export async function expectAccessibleWithoutJs(page: Page, label: string): Promise<void> {
  const html = await page.content();
  const browser = page.context().browser();
  if (!browser) throw new Error("expectAccessibleWithoutJs needs a page of a launched browser");
  let checker = checkers.get(browser);
  if (!checker) {
    checker = browser.newContext({ locale: "nl-BE" }).then((c) => c.newPage());
    checkers.set(browser, checker);
  }
  const copy = await checker;
  // The page's own origin (the browser serves the test files of a worker one after the other, each its own server).
  await copy.goto(new URL("/healthz", page.url()).href);
  await copy.setContent(html, { waitUntil: "load" });
  await expectAccessible(copy, label);
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
