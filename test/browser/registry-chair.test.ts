import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addObstacle } from "../../src/modules/registry/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput, makeTestLivc } from "../support/livc";

describeBrowser("journey: the chair records a framework version, the analyst ends an obstacle (decision 0044)", () => {
  let server: TestServer;
  let browser: Browser;
  let livcId: string;
  let chair: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    livcId = await makeTestLivc(server.ctx.database, {}, livcInput("LIVC-PAD", "LIVC Kaderpad"), ["24062"]);
    chair = await createUser(server.ctx, { roles: [{ livcId, role: "chair" }], displayName: "Vera Voorzitter" });
    analyst = await createUser(server.ctx, { platformRoles: ["regional_analyst"], displayName: "Ann Analist" });
    await addObstacle(server.ctx.database, {}, { nis: "11001", recorded_on: "2023-02-01", reason: "capacity", note: "" });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the chair records a new framework version after a refused empty field, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, chair, `/registry/${livcId}`);
    await page.waitForURL(new RegExp(`/registry/${livcId}$`));
    await expectAccessible(page, "registry-chair-livc");
    await page.getByRole("link", { name: "Nieuwe versie van het kader" }).click();
    await page.waitForURL(/\/frameworks\/new$/);
    await expectAccessible(page, "registry-chair-framework-form");

    await page.getByLabel("Doel van het overleg").fill("Casusoverleg over radicalisering");
    await page.getByLabel("Werkafspraken").fill("Maandelijks, dossiers vooraf");
    await page.getByLabel("Vastgesteld op").fill("2024-01-15");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#participants"]);
    expect(await page.getByLabel("Doel van het overleg").inputValue()).toBe("Casusoverleg over radicalisering");
    expect(await page.getByLabel("Vastgesteld op").inputValue()).toBe("2024-01-15");
    await expectAccessible(page, "registry-chair-framework-error");

    await page.getByLabel("Wie neemt deel").fill("Burgemeester, coördinator, CLB, politie");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await page.waitForURL(/\?saved=1$/);
    expect(await page.locator("#fw-1").textContent()).toContain("Versie 1");
    expect(await page.locator("main").textContent()).toContain("Burgemeester, coördinator, CLB, politie");
    await expectAccessible(page, "registry-chair-framework-saved");
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 120_000);

  it("the analyst finds a municipality's obstacles and ends one after a refused date, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, analyst, "/registry");
    await page.waitForURL(/\/registry$/);
    await page.getByRole("link", { name: "Belemmeringen per gemeente" }).click();
    await page.waitForURL(/\/registry\/obstacles$/);
    await expectAccessible(page, "registry-obstacles-find");
    await page.getByLabel("NIS-code van de gemeente").fill("11001");
    await page.getByRole("button", { name: "Tonen" }).click();
    await page.waitForURL(/nis=11001/);
    expect(await page.locator("tbody").textContent()).toContain("geldt nog");
    await expectAccessible(page, "registry-obstacles-list");

    await page.getByRole("link", { name: /^Beëindigen/ }).click();
    await page.waitForURL(/\/end$/);
    await expectAccessible(page, "registry-obstacle-end-form");
    await page.getByLabel("Geldt niet meer vanaf").fill("2022-01-01");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").getAttribute("href")).toBe("#ended_on");
    expect(await page.getByLabel("Geldt niet meer vanaf").inputValue()).toBe("2022-01-01");
    await expectAccessible(page, "registry-obstacle-end-error");

    await page.getByLabel("Geldt niet meer vanaf").fill("2024-01-01");
    await page.getByRole("button", { name: "Opslaan" }).click();
    await page.waitForURL(/saved=1/);
    const row = await page.locator("tbody").textContent();
    expect(row).toContain("niet meer vanaf");
    expect(row).toContain("einddatum gewijzigd op");
    await expectAccessible(page, "registry-obstacles-ended");
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 120_000);
});
