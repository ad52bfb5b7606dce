import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { openCaseFromScreening } from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { rescheduleFingerprint } from "./replan";
import { scheduleMeeting } from "./service";
import * as store from "./store";

/** The re-planning pages over HTTP (decision 0043) and the paged meeting list. */
describeEachDialect("meetings: re-planning routes and the paged list", (ctx) => {
  let app: FastifyInstance;
  let coord: LoginSession;
  let partner: LoginSession;
  let livc: string;
  let clb: string;
  let meetingId: string;
  const caseIds: string[] = [];
  const today = todayInBrussels();

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx(), "ROUTES");
    await addFramework(ctx().database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    clb = await makeOrganisation(ctx(), "CLB Route", "clb");
    await partners.addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId: clb, fromOn: "2020-01-01" });
    const actor = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    for (let i = 0; i < 2; i++) caseIds.push((await openCaseFromScreening(ctx(), { actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Fictief", dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" })).id);
    const at = (d: number, items = [{ caseId: caseIds[0], organisationIds: [] as string[] }]) => scheduleMeeting(ctx(), { actor }, { livcId: livc, heldOn: addDays(today, d), startsAt: null, place: "Zaal", videoUrl: null, items });
    meetingId = await at(3, [{ caseId: caseIds[0], organisationIds: [clb] }]);
    // 54 more: 30 upcoming, 24 past; 55 in all over two pages.
    for (let d = 4; d < 34; d++) await at(d);
    for (let d = 1; d <= 24; d++) await at(-d);
    coord = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] }));
    partner = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "partner_member", organisationId: clb }] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (s: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const dates = (html: string) => [...html.matchAll(/<a href="\/meetings\/([0-9a-f-]{36})">/g)].map((m) => m[1]);

  it("lists 50 a page, upcoming first (soonest first) then past ones, with a status filter", async () => {
    const first = await app.inject({ method: "GET", url: "/meetings", headers: coord.headers() });
    expect(first.statusCode).toBe(200);
    const ids = dates(first.body);
    expect(ids).toHaveLength(50);
    const rows = await store.meetingsByIds(ctx().database.db, ids);
    const heldOn = new Map(rows.map((r) => [r.id, r.held_on]));
    const order = ids.map((id) => heldOn.get(id)!);
    expect(order.slice(0, 31)).toEqual([...order.slice(0, 31)].sort());
    expect(order[0]).toBe(addDays(today, 3));
    expect(order[31]).toBe(addDays(today, -1));
    expect(first.body).toContain('href="/meetings?page=2"');
    const second = await app.inject({ method: "GET", url: "/meetings?page=2", headers: coord.headers() });
    expect(dates(second.body)).toHaveLength(5);
    expect(second.body).toContain("Pagina 2 van 2");
    const held = await app.inject({ method: "GET", url: "/meetings?status=held", headers: coord.headers() });
    expect(dates(held.body)).toEqual([]);
  });

  it("a partner member may not re-plan (403); without the CSRF token nothing changes (403)", async () => {
    for (const path of ["reschedule", "cancel", "agenda"]) expect((await app.inject({ method: "GET", url: `/meetings/${meetingId}/${path}`, headers: partner.headers() })).statusCode).toBe(403);
    expect((await post(partner, `/meetings/${meetingId}/cancel`, { reason: "other" })).statusCode).toBe(403);
    const noCsrf = await app.inject({ method: "POST", url: `/meetings/${meetingId}/cancel`, headers: coord.headers({ form: true }), payload: "reason=other" });
    expect(noCsrf.statusCode).toBe(403);
    expect((await store.meetingById(ctx().database.db, meetingId))?.status).toBe("planned");
  });

  it("reschedule: a refused date keeps the input with a linked error; a good one redirects with a notice", async () => {
    const page = await app.inject({ method: "GET", url: `/meetings/${meetingId}`, headers: coord.headers() });
    expect(page.body).toContain(`href="/meetings/${meetingId}/reschedule"`);
    const form = await app.inject({ method: "GET", url: `/meetings/${meetingId}/reschedule`, headers: coord.headers() });
    const loadedAt = (body: string) => /name="loaded" value="([^"]*)"/.exec(body)![1].replaceAll("&quot;", '"');
    const bad = await post(coord, `/meetings/${meetingId}/reschedule`, { held_on: addDays(today, -2), starts_at: "09:00", place: "Raadzaal", video_url: "", loaded: loadedAt(form.body) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#held_on"');
    expect(bad.body).toContain('value="Raadzaal"');
    expect(bad.body).toContain('value="09:00"');
    // Decision 0058: the form carries the meeting as it was loaded; the bad post kept it.
    const loaded = loadedAt(bad.body);
    expect(loaded).toBe(rescheduleFingerprint((await store.meetingById(ctx().database.db, meetingId))!));
    // Someone else moves the meeting meanwhile: this form's save is refused, typed values kept, the new state shown.
    const before = (await store.meetingById(ctx().database.db, meetingId))!;
    await store.setMeetingColumns(ctx().database.db, meetingId, { place: "Zaal van de collega" });
    const clash = await post(coord, `/meetings/${meetingId}/reschedule`, { held_on: addDays(today, 40), starts_at: "09:00", place: "Raadzaal", video_url: "", loaded });
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toContain("Iemand anders heeft dit overleg intussen gewijzigd");
    expect(clash.body).toContain('href="#held_on"');
    expect(clash.body).toContain('value="Raadzaal"');
    expect(clash.body).toMatch(/id="current-meeting"[\s\S]*Zaal van de collega/);
    expect(await store.meetingById(ctx().database.db, meetingId)).toMatchObject({ held_on: before.held_on, place: "Zaal van de collega" });
    // A form without `loaded` (an older page) is refused the same way.
    expect((await post(coord, `/meetings/${meetingId}/reschedule`, { held_on: addDays(today, 40), starts_at: "09:00", place: "Raadzaal", video_url: "" })).statusCode).toBe(409);
    const current = loadedAt(clash.body);
    const ok = await post(coord, `/meetings/${meetingId}/reschedule`, { held_on: addDays(today, 40), starts_at: "09:00", place: "Raadzaal", video_url: "", loaded: current });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/meetings/${meetingId}?done=rescheduled`);
    expect(await store.meetingById(ctx().database.db, meetingId)).toMatchObject({ held_on: addDays(today, 40), place: "Raadzaal" });
  });

  it("agenda: picking no case or an unoffered service is refused with the input kept; a case is added and taken off", async () => {
    const none = await app.inject({ method: "GET", url: `/meetings/${meetingId}/agenda/add`, headers: coord.headers() });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('href="#case"');
    const pick = await app.inject({ method: "GET", url: `/meetings/${meetingId}/agenda/add?case=${caseIds[1]}`, headers: coord.headers() });
    expect(pick.statusCode).toBe(200);
    expect(pick.body).toContain(`value="${clb}"`);
    const other = await makeOrganisation(ctx(), "Niet Aangeboden", "school_primary");
    const bad = await post(coord, `/meetings/${meetingId}/agenda/add`, { case: caseIds[1], services: other });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#services"');
    const ok = await post(coord, `/meetings/${meetingId}/agenda/add`, { case: caseIds[1], services: clb });
    expect(ok.statusCode).toBe(303);
    expect((await store.agendaOf(ctx().database.db, meetingId)).map((a) => a.case_id)).toEqual(caseIds);
    const off = await post(coord, `/meetings/${meetingId}/agenda/remove`, { case: caseIds[0] });
    expect(off.statusCode).toBe(303);
    const last = await post(coord, `/meetings/${meetingId}/agenda/remove`, { case: caseIds[1] });
    expect(last.statusCode).toBe(400);
    expect(last.body).toContain('href="#remove"');
  });

  it("cancel: a reason code only (no note field, a posted note not stored); no reason gets a linked error; then cancelled, the page says so, re-planning pages refuse", async () => {
    const form = await app.inject({ method: "GET", url: `/meetings/${meetingId}/cancel`, headers: coord.headers() });
    expect(form.body).not.toContain('name="note"');
    const bad = await post(coord, `/meetings/${meetingId}/cancel`, { reason: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#reason"');
    const ok = await post(coord, `/meetings/${meetingId}/cancel`, { reason: "merged", note: "Zaal bezet" });
    expect(ok.statusCode).toBe(303);
    expect(await store.meetingById(ctx().database.db, meetingId)).toMatchObject({ cancel_reason: "merged", cancel_note: null });
    const page = await app.inject({ method: "GET", url: `/meetings/${meetingId}?done=cancelled`, headers: coord.headers() });
    expect(page.body).toContain("Dit overleg werd geannuleerd");
    expect(page.body).toContain("Samengevoegd met een ander overleg");
    expect(page.body).not.toContain(`/meetings/${meetingId}/reschedule`);
    // Decision 0058: the re-planning pages answer with their message, not a bare "Ongeldige aanvraag".
    for (const path of ["reschedule", "cancel", "agenda"]) {
      const refused = await app.inject({ method: "GET", url: `/meetings/${meetingId}/${path}`, headers: coord.headers() });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain("Alleen een gepland overleg kan gewijzigd worden");
      expect(refused.body).toContain(`href="/meetings/${meetingId}"`);
      expect(refused.body).not.toContain("Ongeldige aanvraag");
    }
    const posted = await post(coord, `/meetings/${meetingId}/reschedule`, { held_on: "2099-01-01", place: "Zaal" });
    expect(posted.statusCode).toBe(409);
    expect(posted.body).toContain("Dit overleg kan niet meer gewijzigd worden");
    const cancelled = await app.inject({ method: "GET", url: "/meetings?status=cancelled", headers: coord.headers() });
    expect(dates(cancelled.body)).toEqual([meetingId]);
  });
});
