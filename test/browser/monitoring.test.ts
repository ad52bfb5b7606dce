import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { todayInBrussels } from "../../src/platform/db/values";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

// The PDF is read back with pdftotext (Debian package poppler-utils).
const pdfText = (file: string) => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });

/** Whether the map image has loaded, and how many municipality shapes its SVG holds (fetched like the page fetched it). */
const mapPaths = (page: Page) =>
  page.evaluate(async () => {
    const img = document.querySelector<HTMLImageElement>("img.coverage-map")!;
    const svg = await (await fetch(img.src)).text();
    return { loaded: img.complete && img.naturalWidth > 0, paths: (svg.match(/<path d=/g) ?? []).length };
  });

describeBrowser("journey: a regional analyst answers the parliamentary question", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("opens the dashboard on 2020-03-10, moves to 2025-03-10 (new municipality set) and downloads the PDF, all accessible", async () => {
    const analyst = await createUser(server.ctx, { platformRoles: ["regional_analyst"] });
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, analyst, "/monitoring?date=2020-03-10");
    expect(page.url()).toContain("/monitoring?date=2020-03-10");
    await expect.poll(() => page.locator("#report-set").getAttribute("data-set")).toBe("2019");
    // The map is an image of its own (gzip page, br image), loaded and described by its alt text.
    expect(await page.locator("img.coverage-map").getAttribute("data-set")).toBe("2019");
    expect(await page.locator("img.coverage-map").getAttribute("alt")).toMatch(/^Kaart van Vlaanderen op 10 maart 2020: \d+ van de 300 gemeenten hebben een LIVC/);
    await expect.poll(() => mapPaths(page)).toEqual({ loaded: true, paths: 300 });
    expect(await page.locator("#report-date").textContent()).toBe("Op 10 maart 2020");
    await expectAccessible(page, "monitoring-2020-03-10");

    await page.getByLabel("Datum").fill("2025-03-10");
    await page.getByRole("button", { name: "Toon" }).click();
    await expect.poll(() => page.locator("#report-set").getAttribute("data-set")).toBe("2025");
    expect(await page.locator("img.coverage-map").getAttribute("data-set")).toBe("2025");
    await expect.poll(() => mapPaths(page)).toEqual({ loaded: true, paths: 285 });
    expect(await page.locator("#map-table tbody tr").count()).toBe(285);
    expect(await page.locator("#without-table").textContent()).toContain("Hasselt");
    await expectAccessible(page, "monitoring-2025-03-10");
    // On a phone-sized screen the wide tables scroll sideways: each scrolling region must be reachable by keyboard.
    await page.setViewportSize({ width: 320, height: 800 });
    await expectAccessible(page, "monitoring-2025-03-10-narrow");
    await page.setViewportSize({ width: 1280, height: 800 });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Rapport als PDF" }).click()]);
    expect(download.suggestedFilename()).toBe("livc-coverage-2025-03-10.pdf");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdf-")), "report.pdf");
    await download.saveAs(file);
    const text = pdfText(file);
    expect(text).toContain("LIVC-dekking op 10 maart 2025");
    expect(text).toMatch(/Op 10 maart 2025 hebben \d+ van de 285 gemeenten geen LIVC/);
    expect(text).toContain("Hasselt (71072)");
    // The quarterly case figures of the page are in the PDF too (decision 0052).
    expect(text).toContain("Casusoverleg per kwartaal");
    expect(text).toContain("Kwartaal 4 van 2024");
    expect(text).toContain("Vlaanderen (totaal)");

    // A date after today (next year: a short trend): the page says the figures are the register as recorded today.
    const next = Number(todayInBrussels().slice(0, 4)) + 1;
    await page.getByLabel("Datum").fill(`${next}-06-01`);
    await page.getByRole("button", { name: "Toon" }).click();
    await expect.poll(() => page.locator("#future-notice").textContent()).toContain(`1 juni ${next} ligt na vandaag`);
    expect(await page.locator("#trend-table tbody tr").first().locator("th").textContent()).toBe("1 januari 2019");
    await expectAccessible(page, "monitoring-future");

    // Partner participation: the page says which whole quarters it shows, also for a date after today.
    await page.getByRole("link", { name: "Deelname van partners" }).click();
    await expect.poll(() => page.locator("#window-notice").textContent()).toContain("ligt na vandaag");
    expect(await page.locator("#window-notice").textContent()).toContain("Het lopende kwartaal telt niet mee");
    await expectAccessible(page, "participation-future");
    await page.getByLabel("Datum").fill("2024-08-15");
    await page.getByRole("button", { name: "Toon" }).click();
    await expect.poll(() => page.locator("#window-notice").textContent()).toContain("vóór 15 augustus 2024 afgelopen zijn: 1 juli 2023 tot en met 30 juni 2024");
    expect(await page.locator("#window-notice").textContent()).not.toContain("ligt na vandaag");
    await expectAccessible(page, "participation-2024-08-15");
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
