import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeActor, makeLivc } from "../../src/modules/cases/testing";
import { emptyForm } from "../../src/modules/intake/schema";
import { decide, fileReport } from "../../src/modules/intake/service";
import { addMembership } from "../../src/modules/registry/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/** Decision 0062: a second report about the person of an open case is added to that case from the screening page. */
describeBrowser("journey: a coordinator adds a second report to the person's open case", () => {
  let server: TestServer;
  let browser: Browser;
  let coordinator: TestUser;
  let caseId: string;
  let caseLabel: string;
  let secondId: string;
  let otherLivc: string;
  let thirdId: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const livc = await makeLivc(server.ctx, "JOIN");
    coordinator = await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] });
    await addMembership(server.ctx.database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const reporter = await makeActor(server.ctx, [{ livcId: livc, role: "reporter" }]);
    const lead = await makeActor(server.ctx, [{ livcId: livc, role: "coordinator" }]);
    const form = { ...emptyForm(), identity_known: "known", subject_name: "Joris Tweemaal", subject_birth_date: "2004-03-27", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "Waarneming", reporter_contact: "09 123 45 67" };
    const idOf = async (reference: string) => (await server.ctx.database.db.selectFrom("report").select("id").where("reference", "=", reference).executeTakeFirstOrThrow()).id;
    const first = await fileReport(server.ctx, { actor: reporter }, form, "submit");
    if (first.kind !== "submitted") throw new Error(first.kind);
    const taken = await decide(server.ctx, { actor: lead }, await idOf(first.reference), { transition: "take_up", reason: "Partners nodig.", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error(taken.kind);
    caseId = taken.caseId;
    caseLabel = (await server.ctx.database.db.selectFrom("case_file").select("label").where("id", "=", caseId).executeTakeFirstOrThrow()).label!;
    const second = await fileReport(server.ctx, { actor: reporter }, { ...form, observation: "Nieuwe waarneming" }, "submit");
    if (second.kind !== "submitted") throw new Error(second.kind);
    secondId = await idOf(second.reference);
    // Another LIVC to hand a misrouted report to (decision 0062).
    otherLivc = await makeLivc(server.ctx, "ANDER");
    const third = await fileReport(server.ctx, { actor: reporter }, { ...form, subject_name: "Ander Adres", observation: "Verkeerde gemeente" }, "submit");
    if (third.kind !== "submitted") throw new Error(third.kind);
    thirdId = await idOf(third.reference);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("offers the open case, refuses the choice without a case (summary linked to the case field, reason kept), then adds the report; the case timeline says so; no axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, coordinator, `/screening/${secondId}`);
    await page.waitForURL(new RegExp(`/screening/${secondId}$`));
    await expectAccessible(page, "screening-joinable");
    const choice = page.getByLabel("Toevoegen aan een lopende casus");
    expect(await choice.count()).toBe(1);
    expect(await page.locator("#case_id option").allTextContents()).toEqual(["Kies een casus", expect.stringContaining(caseLabel)]);

    await choice.check();
    await page.getByLabel("Reden", { exact: true }).fill("Zelfde persoon, lopende casus.");
    await page.getByRole("button", { name: "Bewaar beslissing" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#case_id"]);
    expect(await page.getByLabel("Reden", { exact: true }).inputValue()).toBe("Zelfde persoon, lopende casus.");
    expect(await page.getByLabel("Toevoegen aan een lopende casus").isChecked()).toBe(true);
    await expectAccessible(page, "screening-join-error");

    await page.getByLabel("Aan welke lopende casus?").selectOption(caseId);
    await page.getByRole("button", { name: "Bewaar beslissing" }).click();
    await page.waitForURL(new RegExp(`/screening/${secondId}\\?done=1$`));
    expect(await page.locator("#current-status").textContent()).toBe("Opgenomen in casusoverleg");
    expect(await page.locator("main").textContent()).toContain("Toevoegen aan een lopende casus");
    await expectAccessible(page, "screening-joined");

    await page.goto(`${server.baseUrl}/cases/${caseId}`);
    expect(await page.locator("#timeline-title + ol").textContent()).toContain("Nieuwe melding toegevoegd na screening");
    await expectAccessible(page, "case-with-joined-report");
    // The refused decision answered 400 (the page with its error summary); nothing else failed.
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  });

  it("hands a misrouted report to another LIVC: refused without a reason (summary linked, LIVC kept), then passed on, back to the queue; no axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, coordinator, `/screening/${thirdId}`);
    await page.waitForURL(new RegExp(`/screening/${thirdId}$`));
    await page.getByLabel("Aan welke LIVC?").selectOption(otherLivc);
    await page.getByRole("button", { name: "Doorgeven" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#handover_reason"]);
    expect(await page.getByLabel("Aan welke LIVC?").inputValue()).toBe(otherLivc);
    await expectAccessible(page, "handover-error");
    await page.getByLabel("Waarom?").selectOption("wrong_municipality");
    await page.getByRole("button", { name: "Doorgeven" }).click();
    await page.waitForURL(/\/screening\?passed_to=[0-9a-f-]+$/);
    expect(await page.getByRole("status").textContent()).toContain("De melding is doorgegeven aan");
    await expectAccessible(page, "queue-after-handover");
    const gone = await page.goto(`${server.baseUrl}/screening/${thirdId}`);
    expect(gone?.status()).toBe(403);
    expect(errors.filter((e) => e.includes("status of 400") || e.includes("status of 403"))).toHaveLength(2);
    expect(errors.filter((e) => !e.includes("status of 400") && !e.includes("status of 403"))).toEqual([]);
    await context.close();
  });
});
