import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { STALE_JOB_MINUTES } from "../../src/modules/awareness/archive";
import { createCampaign } from "../../src/modules/awareness/service";
import * as store from "../../src/modules/awareness/store";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/** Decision 0069: an archive job cut off by a restart ends on its progress page (no endless polling), accessibly. */
describeBrowser("awareness archive job interrupted by a restart", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the progress page of a job whose process stopped says it was interrupted, stops polling and links back", async () => {
    const db = server.ctx.database.db;
    const campaign = await createCampaign(db, { name: "Ronde onderbroken", year: 2026, description: "" });
    const job = await store.insertJob(db, { campaign_id: campaign, total: 285, created_by: null });
    await store.updateJob(db, job, { done: 40 });
    const { page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, await createUser(server.ctx, { platformRoles: ["admin"] }), `/awareness/jobs/${job}`);
    expect(await page.locator("#job-status").getAttribute("hx-get")).toBe(`/awareness/jobs/${job}/status`);
    // Its process stops: no progress any more. The next poll (every 2 s) ends the page's polling.
    const silent = new Date(Date.now() - (STALE_JOB_MINUTES + 1) * 60_000).toISOString();
    await db.updateTable("awareness_job").set({ updated_at: silent }).where("id", "=", job).execute();
    await expect.poll(() => page.locator("#job-status").textContent(), { timeout: 10_000 }).toContain("Het aanmaken werd onderbroken doordat de server herstartte.");
    expect(await page.locator("#job-status").getAttribute("hx-get")).toBeNull();
    await expectAccessible(page, "awareness-job-interrupted");
    await page.getByRole("link", { name: "Naar de adviezen van deze ronde" }).click();
    await expect.poll(() => page.url()).toContain(`/awareness/campaigns/${campaign}/advice`);
    expect(errors).toEqual([]);
  }, 60_000);
});
