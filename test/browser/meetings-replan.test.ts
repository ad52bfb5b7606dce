import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openCaseFromScreening } from "../../src/modules/cases/service";
import { ensureOrganisation } from "../../src/modules/identity/service";
import { scheduleMeeting } from "../../src/modules/meetings/service";
import { addSeat } from "../../src/modules/partners/service";
import { addFramework, createLivc } from "../../src/modules/registry/service";
import { addDays, todayInBrussels } from "../../src/platform/db/values";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput } from "../support/livc";

/**
 * Re-planning a consultation (decision 0043): the coordinator opens the list, reschedules (a date in
 * the past is refused first, the typed values kept), looks at the agenda page, then cancels with a
 * reason; the meeting page says it was cancelled. Decision 0058: attendance refused before the
 * meeting's day (linked error, tick kept), a reschedule conflict and a minutes conflict between two
 * tabs (both versions shown), the confirmation when nobody is ticked, and the re-planning page of a
 * held meeting. Zero axe violations on every page visited.
 */
describeBrowser("journey: rescheduling and cancelling a consultation", () => {
  let server: TestServer;
  let browser: Browser;
  let coordinator: TestUser;
  let meetingId: string;
  /** Decision 0058: a meeting in four days (attendance refused) and one today (nobody present, minutes conflict, then held). */
  let futureId: string;
  let todayId: string;
  let caseId: string;
  const today = todayInBrussels();
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const ctx = server.ctx;
    const livc = await createLivc(ctx.database, { actor: null }, livcInput("BRUGGE", "LIVC Brugge"));
    await addFramework(ctx.database, {}, livc, { participants: "Vaste leden", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2024-01-01" });
    const clb = await ensureOrganisation(ctx, { name: "CLB Brugge", sector: "clb" });
    await addSeat(ctx, {}, { livcId: livc, seat: "partner", organisationId: clb, fromOn: "2024-01-01" });
    coordinator = await createUser(ctx, { displayName: "Yusuf Coördinator", roles: [{ livcId: livc, role: "coordinator" }] });
    const actor = { userId: coordinator.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role: "coordinator" as const }] };
    const open = (name: string) => openCaseFromScreening(ctx, { actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: name, dateOfBirth: "2000-04-04" }, screeningDecision: "take_up" });
    const a = await open("Noah Fictief");
    await open("Sami Verzonnen");
    meetingId = await scheduleMeeting(ctx, { actor }, { livcId: livc, heldOn: addDays(today, 3), startsAt: "14:00", place: "Stadhuis", videoUrl: null, items: [{ caseId: a.id, organisationIds: [clb] }] });
    futureId = await scheduleMeeting(ctx, { actor }, { livcId: livc, heldOn: addDays(today, 4), startsAt: "10:00", place: "Raadzaal", videoUrl: null, items: [{ caseId: a.id, organisationIds: [] }] });
    todayId = await scheduleMeeting(ctx, { actor }, { livcId: livc, heldOn: today, startsAt: "09:00", place: "Raadzaal", videoUrl: null, items: [{ caseId: a.id, organisationIds: [] }] });
    caseId = a.id;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("reschedules after a refused date, then cancels with a reason, accessible at every step", async () => {
    const { page } = await newPage(browser, server.baseUrl);
    errors.push(...watchPageErrors(page));
    await loginInBrowser(page, coordinator, "/meetings");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Casusoverleg");
    await expectAccessible(page, "meetings-list");
    await page.locator(`a[href="/meetings/${meetingId}"]`).click();
    await page.waitForURL(new RegExp(`/meetings/${meetingId}$`));
    await expectAccessible(page, "meetings-replan-meeting");

    // Reschedule: a past date is refused, the typed place kept; then a good date.
    await page.getByRole("link", { name: "Datum, uur of plaats wijzigen" }).click();
    await page.locator("#held_on").fill(addDays(today, -1));
    await page.locator("#place").fill("Raadzaal");
    await page.getByRole("button", { name: "Wijziging opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary a[href='#held_on']").count()).toBe(1);
    expect(await page.locator("#place").inputValue()).toBe("Raadzaal");
    await expectAccessible(page, "meetings-reschedule-error");
    await page.locator("#held_on").fill(addDays(today, 10));
    await page.getByRole("button", { name: "Wijziging opslaan" }).click();
    await page.waitForURL(/done=rescheduled/);
    expect(await page.locator(".notice").first().textContent()).toContain("Het overleg werd gewijzigd");
    expect(await page.content()).toContain("Raadzaal");
    await expectAccessible(page, "meetings-rescheduled");

    // The agenda page (take off / add a case).
    await page.getByRole("link", { name: "Agenda aanpassen" }).click();
    await expect.poll(() => page.locator("h2").first().textContent()).toBe("Nu op de agenda");
    await expectAccessible(page, "meetings-agenda");
    await page.getByRole("link", { name: "Terug naar het overleg" }).click();

    // Cancel: a reason code only (decision 0053: no note field); no reason is refused; then with a reason.
    await page.getByRole("link", { name: "Overleg annuleren" }).click();
    expect(await page.locator("#note").count()).toBe(0);
    await page.getByRole("button", { name: "Overleg annuleren" }).click();
    await expect.poll(() => page.locator(".error-summary a[href='#reason']").count()).toBe(1);
    await expectAccessible(page, "meetings-cancel-error");
    await page.getByLabel("Overmacht").check();
    await page.getByRole("button", { name: "Overleg annuleren" }).click();
    await page.waitForURL(/done=cancelled/);
    expect(await page.content()).toContain("Dit overleg werd geannuleerd");
    expect(await page.getByRole("link", { name: "Overleg annuleren" }).count()).toBe(0);
    await expectAccessible(page, "meetings-cancelled");
    expect(errors).toEqual([]);
  });

  it("refuses attendance before the day, asks before saving nobody present, keeps both texts on a minutes conflict, and says a held meeting cannot be changed; accessible at every step", async () => {
    const { page } = await newPage(browser, server.baseUrl);
    errors.push(...watchPageErrors(page));
    const confirm = "Ik bevestig de vertrouwelijkheid voor dit overleg";
    await loginInBrowser(page, coordinator, `/meetings/${futureId}`);
    await page.getByRole("button", { name: confirm }).click();
    await expect.poll(() => page.locator("#att-title").count()).toBe(1);
    expect(await page.locator("#att-hint").textContent()).toContain("vanaf de dag van het overleg");

    // Before the day: refused with a linked error, the tick kept, the meeting still re-plannable.
    await page.getByLabel("Yusuf Coördinator").check();
    await page.getByRole("button", { name: "Aanwezigheden opslaan" }).click();
    await expect.poll(() => page.locator(`.error-summary a[href='#present-${coordinator.id}']`).count()).toBe(1);
    expect(await page.getByLabel("Yusuf Coördinator").isChecked()).toBe(true);
    expect(await page.getByRole("link", { name: "Overleg annuleren" }).count()).toBe(1);
    await expectAccessible(page, "meetings-attendance-before-day");

    // Two tabs open the reschedule form; the first moves the place, the second is told and keeps its input.
    const second = await page.context().newPage();
    errors.push(...watchPageErrors(second));
    await second.goto(`${server.baseUrl}/meetings/${futureId}/reschedule`);
    await page.goto(`/meetings/${futureId}/reschedule`);
    await page.locator("#place").fill("Zaal 2");
    await page.getByRole("button", { name: "Wijziging opslaan" }).click();
    await page.waitForURL(/done=rescheduled/);
    await second.locator("#starts_at").fill("11:30");
    await second.getByRole("button", { name: "Wijziging opslaan" }).click();
    await expect.poll(() => second.locator("#conflict-title").count()).toBe(1);
    expect(await second.locator("#starts_at").inputValue()).toBe("11:30");
    expect(await second.locator("#current-meeting").textContent()).toContain("Zaal 2");
    await expectAccessible(second, "meetings-reschedule-conflict");
    await second.close();

    // Today, nobody ticked: a confirmation page first; confirmed, the meeting stays planned.
    await page.goto(`/meetings/${todayId}`);
    await page.getByRole("button", { name: confirm }).click();
    await expect.poll(() => page.locator("#att-title").count()).toBe(1);
    await page.getByRole("button", { name: "Aanwezigheden opslaan" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Niemand aangeduid als aanwezig");
    await expectAccessible(page, "meetings-attendance-nobody");
    await page.getByRole("button", { name: "Bevestigen: niemand was aanwezig" }).click();
    await page.waitForURL(/done=nobody/);
    expect(await page.locator(".notice").first().textContent()).toContain("Niemand werd als aanwezig geregistreerd");
    expect(await page.getByRole("link", { name: "Overleg annuleren" }).count()).toBe(1);

    // Two tabs load the same minutes; the first saves, the second is told and keeps its text.
    const minutes = `/meetings/${todayId}/cases/${caseId}/minutes`;
    const other = await page.context().newPage();
    errors.push(...watchPageErrors(other));
    await other.goto(`${server.baseUrl}${minutes}`);
    await page.goto(minutes);
    await page.locator("#decisions").fill("Eerste versie: CLB neemt contact op.");
    await page.getByRole("button", { name: "Verslag opslaan" }).click();
    await page.waitForURL(/done=minutes/);
    await other.locator("#decisions").fill("Tweede versie: school wordt betrokken.");
    await other.getByRole("button", { name: "Verslag opslaan" }).click();
    await expect.poll(() => other.locator("#conflict-title").count()).toBe(1);
    expect(await other.locator("#decisions").inputValue()).toBe("Tweede versie: school wordt betrokken.");
    expect(await other.locator("#saved-version").textContent()).toContain("Eerste versie: CLB neemt contact op.");
    expect(await other.locator(".error-summary a[href='#decisions']").count()).toBe(1);
    await expectAccessible(other, "meetings-minutes-conflict");
    await other.getByRole("button", { name: "Verslag opslaan" }).click();
    await other.waitForURL(/done=minutes/);
    expect(await other.content()).toContain("Tweede versie: school wordt betrokken.");
    await other.close();

    // Someone present: held; the re-planning pages then say so, with a way back.
    await page.goto(`/meetings/${todayId}`);
    await page.getByLabel("Yusuf Coördinator").check();
    await page.getByRole("button", { name: "Aanwezigheden opslaan" }).click();
    await page.waitForURL(/done=attendance/);
    expect(await page.getByRole("link", { name: "Overleg annuleren" }).count()).toBe(0);
    const refused = await page.goto(`/meetings/${todayId}/reschedule`);
    expect(refused?.status()).toBe(409);
    expect(await page.locator("main").textContent()).toContain("Alleen een gepland overleg kan gewijzigd worden");
    await expectAccessible(page, "meetings-not-planned");
    await page.getByRole("link", { name: "Terug naar het overleg" }).click();
    await page.waitForURL(new RegExp(`/meetings/${todayId}$`));
    expect(errors).toEqual([]);
  });
});
