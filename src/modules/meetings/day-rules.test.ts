import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import * as cases from "../cases/service";
import { makeOrganisation } from "../cases/testing";
import * as partners from "../partners/service";
import { addFramework, createLivc } from "../registry/service";
import { livcInput } from "../../../test/support/livc";
import { rescheduleFingerprint, rescheduleMeeting } from "./replan";
import { acknowledgeConfidentiality, minutesOfCase, recordMeetingAttendance, saveCaseMinutes, scheduleMeeting } from "./service";
import * as store from "./store";

/**
 * Decision 0058: attendance and minutes from the meeting's day on (a consultation next week cannot be
 * locked as "held"), a register with nobody present asks for confirmation and leaves the meeting
 * planned, and the minutes are compare-and-set on their revision (two editors never lose each other's
 * text). Service rules first, then the same over HTTP (typed input kept, linked error summary).
 */
describeEachDialect("meetings: attendance on the day, minutes revision (decision 0058)", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let clb: string;
  let town: string;
  let users: Record<"chair" | "coordinator" | "officer", TestUser>;
  const actors = {} as Record<keyof typeof users, Actor>;
  const s = {} as Record<keyof typeof users, LoginSession>;
  const today = todayInBrussels();
  const caseIds: string[] = [];

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await createLivc(ctx().database, { actor: null }, livcInput("DAGREGEL", "LIVC Dagregel"));
    await addFramework(ctx().database, {}, livc, { participants: "Vaste leden", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2020-01-01" });
    clb = await makeOrganisation(ctx(), "CLB Dag", "clb");
    await partners.addSeat(ctx(), {}, { livcId: livc, seat: "partner", organisationId: clb, fromOn: "2020-01-01" });
    // The information officer works at the town's prevention service: a core service that may own actions (decision 0061).
    town = await makeOrganisation(ctx(), "Stad Dag", "prevention_service");
    users = {
      chair: await createUser(ctx(), { displayName: "Voorzitter Dag", roles: [{ livcId: livc, role: "chair" }] }),
      coordinator: await createUser(ctx(), { displayName: "Coördinator Dag", roles: [{ livcId: livc, role: "coordinator" }] }),
      officer: await createUser(ctx(), { displayName: "Informatieambtenaar Dag", roles: [{ livcId: livc, role: "information_officer", organisationId: town }] }),
    };
    for (const k of Object.keys(users) as (keyof typeof users)[]) {
      const role = k === "officer" ? "information_officer" : k;
      actors[k] = { userId: users[k].id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role, organisationId: k === "officer" ? town : null }] };
      s[k] = await login(app, users[k]);
    }
    for (let i = 0; i < 4; i++) {
      const c = await cases.openCaseFromScreening(ctx(), { actor: actors.coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Fictief Persoon", dateOfBirth: "2000-02-02" }, screeningDecision: "take_up" });
      caseIds.push(c.id);
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const who = (k: keyof typeof users) => ({ actor: actors[k] });
  /** A meeting on `heldOn` with one case, acknowledged by the chair and the coordinator. */
  const plan = async (heldOn: string, caseId = caseIds[0]) => {
    const id = await scheduleMeeting(ctx(), who("coordinator"), { livcId: livc, heldOn, startsAt: "10:00", place: "Zaal", videoUrl: null, items: [{ caseId, organisationIds: [] }] });
    for (const k of ["chair", "coordinator"] as const) await acknowledgeConfidentiality(ctx(), who(k), id);
    return id;
  };
  const status = async (id: string) => (await store.meetingById(ctx().database.db, id))?.status;
  const lines = async (id: string) => (await partners.attendanceFor(ctx(), id)).length;
  const audits = async (id: string, action: string) =>
    (await ctx().database.db.selectFrom("audit_entry").select("action").where("action", "=", action).where("resource_id", "=", id).execute()).length;

  describe("the service", () => {
    it("refuses attendance and minutes before the meeting's day; nothing recorded, the meeting stays planned and re-plannable", async () => {
      const id = await plan(addDays(today, 7));
      await expect(recordMeetingAttendance(ctx(), who("coordinator"), id, [users.coordinator.id])).rejects.toMatchObject({ code: "before_day", field: "present" });
      await expect(recordMeetingAttendance(ctx(), who("coordinator"), id, [], { confirmNobody: true })).rejects.toMatchObject({ code: "before_day" });
      await expect(saveCaseMinutes(ctx(), who("coordinator"), id, caseIds[0], { decisions: "Te vroeg", nextReviewOn: null, actions: [], revision: 0 })).rejects.toMatchObject({ code: "before_day", field: "decisions" });
      expect(await status(id)).toBe("planned");
      expect(await lines(id)).toBe(0);
      expect(await store.minutesOf(ctx().database.db, id, caseIds[0])).toBeUndefined();
      // On the day (Brussels date) both are accepted.
      await recordMeetingAttendance(ctx(), who("coordinator"), id, [users.coordinator.id], { today: addDays(today, 7) });
      expect(await status(id)).toBe("held");
    });

    it("a register with nobody present asks for confirmation, and then leaves the meeting planned: not in the figures, still re-plannable", async () => {
      const id = await plan(addDays(today, -1));
      await expect(recordMeetingAttendance(ctx(), who("coordinator"), id, [])).rejects.toMatchObject({ code: "nobody_present" });
      // An id that is not on the register counts as nobody.
      await expect(recordMeetingAttendance(ctx(), who("coordinator"), id, ["someone-else"])).rejects.toMatchObject({ code: "nobody_present" });
      expect(await lines(id)).toBe(0);
      expect(await recordMeetingAttendance(ctx(), who("coordinator"), id, [], { confirmNobody: true })).toEqual({ held: false });
      expect(await status(id)).toBe("planned");
      expect((await partners.attendanceFor(ctx(), id)).every((l) => !l.attended)).toBe(true);
      expect(await lines(id)).toBeGreaterThan(0);
      expect((await store.heldBetween(ctx().database.db, addDays(today, -1), addDays(today, -1))).map((m) => m.id)).not.toContain(id);
      await rescheduleMeeting(ctx(), who("coordinator"), id, { heldOn: addDays(today, 3), startsAt: null, place: "Zaal", videoUrl: null });
      expect(await store.meetingById(ctx().database.db, id)).toMatchObject({ status: "planned", held_on: addDays(today, 3) });
    });

    it("a held meeting whose register is corrected to nobody is planned again", async () => {
      const id = await plan(today, caseIds[1]);
      await recordMeetingAttendance(ctx(), who("coordinator"), id, [users.chair.id]);
      expect(await status(id)).toBe("held");
      expect((await store.heldBetween(ctx().database.db, today, today)).map((m) => m.id)).toContain(id);
      await recordMeetingAttendance(ctx(), who("coordinator"), id, [], { confirmNobody: true });
      expect(await status(id)).toBe("planned");
      expect((await store.heldBetween(ctx().database.db, today, today)).map((m) => m.id)).not.toContain(id);
    });

    it("minutes are compare-and-set: a save on a stale revision writes nothing (text, actions, audit) and the next one on the current revision does", async () => {
      const id = await plan(today, caseIds[2]);
      const input = (decisions: string, revision: number) => ({ decisions, nextReviewOn: null, actions: [{ description: "Huisbezoek", ownerOrganisationId: town, dueOn: addDays(today, 9) }], revision });
      // Both loaded the empty form (revision 0); the chair saves first.
      await saveCaseMinutes(ctx(), who("chair"), id, caseIds[2], input("Tekst van de voorzitter", 0));
      expect((await store.minutesOf(ctx().database.db, id, caseIds[2]))?.revision).toBe(1);
      const actionsBefore = (await cases.actionsOfCase(ctx(), who("coordinator"), caseIds[2])).length;
      const auditBefore = await audits(caseIds[2], "meeting.minutes.save");
      await expect(saveCaseMinutes(ctx(), who("coordinator"), id, caseIds[2], input("Tekst van de coördinator", 0))).rejects.toMatchObject({ code: "conflict" });
      expect((await store.minutesOf(ctx().database.db, id, caseIds[2]))?.revision).toBe(1);
      expect((await cases.actionsOfCase(ctx(), who("coordinator"), caseIds[2])).length).toBe(actionsBefore);
      expect(await audits(caseIds[2], "meeting.minutes.save")).toBe(auditBefore);
      const [minutes] = await minutesOfCase(ctx(), who("coordinator"), caseIds[2]);
      expect(minutes.decisions).toBe("Tekst van de voorzitter");
      // The meeting's day comes with the minutes (one read, the meeting joined).
      expect(minutes).toMatchObject({ consultationId: id, heldOn: today });
      // Having seen the chair's version (revision 1), the coordinator saves knowingly.
      await saveCaseMinutes(ctx(), who("coordinator"), id, caseIds[2], input("Samengevoegde tekst", 1));
      expect((await store.minutesOf(ctx().database.db, id, caseIds[2]))?.revision).toBe(2);
      await expect(saveCaseMinutes(ctx(), who("chair"), id, caseIds[2], input("Oud", 1))).rejects.toMatchObject({ code: "conflict" });
    });

    it("two saves on the same revision at once: exactly one wins, the other is a conflict", async () => {
      const id = await plan(today, caseIds[3]);
      const save = (k: "chair" | "coordinator") => saveCaseMinutes(ctx(), who(k), id, caseIds[3], { decisions: `Tekst ${k}`, nextReviewOn: null, actions: [], revision: 0 });
      const results = await Promise.allSettled([save("chair"), save("coordinator")]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toMatchObject({ code: "conflict" });
      expect((await store.minutesOf(ctx().database.db, id, caseIds[3]))?.revision).toBe(1);
    });
  });

  describe("rescheduling (the other meeting form loaded with what it overwrites)", () => {
    it("is compare-and-set on what the form showed: a stale form or a second save at once writes nothing", async () => {
      const id = await plan(addDays(today, 6));
      const loaded = rescheduleFingerprint((await store.meetingById(ctx().database.db, id))!);
      const move = (place: string, heldOn: string) => rescheduleMeeting(ctx(), who("coordinator"), id, { heldOn, startsAt: "10:00", place, videoUrl: null, loaded });
      const results = await Promise.allSettled([move("Zaal A", addDays(today, 8)), move("Zaal B", addDays(today, 9))]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(results.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason).toMatchObject({ code: "conflict" });
      const after = (await store.meetingById(ctx().database.db, id))!;
      expect([after.place, after.held_on]).toEqual(after.place === "Zaal A" ? ["Zaal A", addDays(today, 8)] : ["Zaal B", addDays(today, 9)]);
      expect(await audits(id, "meeting.reschedule")).toBe(1);
      // The same stale form later: still refused.
      await expect(move("Zaal C", addDays(today, 10))).rejects.toMatchObject({ code: "conflict" });
      await rescheduleMeeting(ctx(), who("coordinator"), id, { heldOn: addDays(today, 10), startsAt: "10:00", place: "Zaal C", videoUrl: null, loaded: rescheduleFingerprint(after) });
      expect((await store.meetingById(ctx().database.db, id))?.place).toBe("Zaal C");
    });
  });

  describe("over HTTP", () => {
    const post = (who: LoginSession, url: string, fields: Record<string, string>, extra = "") => app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: who.form(fields) + extra });
    const get = (who: LoginSession, url: string) => app.inject({ method: "GET", url, headers: who.headers() });

    it("the meeting list's table scrolls inside a focusable region (a 360 px screen is not pushed sideways)", async () => {
      await plan(addDays(today, 2));
      const list = await get(s.coordinator, "/meetings");
      expect(list.body).toMatch(/<section class="table-scroll" tabindex="0" aria-label="Casusoverleg"><table class="table">/);
    });

    it("attendance before the day: 400, the error summary linked to the register, the ticks as posted, nothing saved", async () => {
      const id = await plan(addDays(today, 5));
      const page = await get(s.coordinator, `/meetings/${id}`);
      expect(page.body).toContain("U kunt de aanwezigheden opslaan vanaf de dag van het overleg");
      const r = await post(s.coordinator, `/meetings/${id}/attendance`, {}, `&present=${users.chair.id}`);
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('class="error-summary"');
      expect(r.body).toMatch(/href="#present-[0-9a-f-]{36}"/);
      expect(r.body).toContain("De aanwezigheden kunnen pas vanaf de dag van het overleg");
      expect(r.body).toMatch(new RegExp(`id="present-${users.chair.id}"[^>]*checked`));
      expect(r.body).not.toMatch(new RegExp(`id="present-${users.coordinator.id}"[^>]*checked`));
      expect(await status(id)).toBe("planned");
      expect(await lines(id)).toBe(0);
      // The re-planning links are still there.
      expect((await get(s.coordinator, `/meetings/${id}`)).body).toContain(`/meetings/${id}/reschedule`);
    });

    it("nobody ticked: a confirmation page (no JavaScript: a second POST), then saved with the meeting still planned", async () => {
      const id = await plan(addDays(today, -2));
      const ask = await post(s.coordinator, `/meetings/${id}/attendance`, {});
      expect(ask.statusCode).toBe(200);
      expect(ask.body).toContain("Niemand aangeduid als aanwezig");
      expect(ask.body).toContain('name="confirm" value="nobody"');
      expect(ask.body).toContain(`href="/meetings/${id}#att-title"`);
      expect(await lines(id)).toBe(0);
      const done = await post(s.coordinator, `/meetings/${id}/attendance`, { confirm: "nobody" });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`/meetings/${id}?done=nobody`);
      const page = await get(s.coordinator, `/meetings/${id}?done=nobody`);
      expect(page.body).toContain("Niemand werd als aanwezig geregistreerd");
      expect(page.body).toContain(`/meetings/${id}/cancel`);
      expect(await status(id)).toBe("planned");
      // With someone ticked it is held, straight away.
      expect((await post(s.coordinator, `/meetings/${id}/attendance`, {}, `&present=${users.officer.id}`)).headers.location).toBe(`/meetings/${id}?done=attendance`);
      expect(await status(id)).toBe("held");
    });

    it("minutes before the day: 400, linked error, typed text kept", async () => {
      const id = await plan(addDays(today, 5), caseIds[1]);
      const form = await get(s.coordinator, `/meetings/${id}/cases/${caseIds[1]}/minutes`);
      expect(form.body).toContain("U kunt dit verslag opslaan vanaf de dag van het overleg");
      const r = await post(s.coordinator, `/meetings/${id}/cases/${caseIds[1]}/minutes`, { decisions: "Getypte tekst blijft", revision: "0" });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('href="#decisions"');
      expect(r.body).toContain("Het verslag kan pas vanaf de dag van het overleg");
      expect(r.body).toContain("Getypte tekst blijft</textarea>");
      expect(await store.minutesOf(ctx().database.db, id, caseIds[1])).toBeUndefined();
    });

    it("a minutes conflict: 409, the posted text and actions kept, the saved version shown, nothing overwritten; saving again replaces it", async () => {
      const id = await plan(today, caseIds[0]);
      const url = `/meetings/${id}/cases/${caseIds[0]}/minutes`;
      for (const who of [s.chair, s.coordinator]) expect((await get(who, url)).body).toContain('name="revision" value="0"');
      expect((await post(s.chair, url, { decisions: "Versie van de voorzitter", revision: "0" })).statusCode).toBe(303);
      const r = await post(s.coordinator, url, { decisions: "Versie van de coördinator", revision: "0", next_review_on: addDays(today, 30), action1_description: "Gesprek school" });
      // An action without an owner is a field error first (typed input kept); with the action left out, the conflict.
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('value="Gesprek school"');
      const c = await post(s.coordinator, url, { decisions: "Versie van de coördinator", revision: "0", next_review_on: addDays(today, 30) });
      expect(c.statusCode).toBe(409);
      expect(c.body).toContain("Iemand anders heeft dit verslag intussen opgeslagen");
      expect(c.body).toContain('href="#decisions"');
      expect(c.body).toContain("Versie van de coördinator</textarea>");
      expect(c.body).toContain(`value="${addDays(today, 30)}"`);
      expect(c.body).toMatch(/id="saved-version"[\s\S]*Versie van de voorzitter/);
      expect(c.body).toContain('name="revision" value="1"');
      const [stored] = await minutesOfCase(ctx(), who("coordinator"), caseIds[0]);
      expect(stored.decisions).toBe("Versie van de voorzitter");
      expect((await store.minutesOf(ctx().database.db, id, caseIds[0]))?.next_review_on).toBeNull();
      // The form now carries revision 1: saving again replaces the chair's version knowingly.
      expect((await post(s.coordinator, url, { decisions: "Samengevoegd", revision: "1" })).statusCode).toBe(303);
      const [after] = await minutesOfCase(ctx(), who("coordinator"), caseIds[0]);
      expect(after.decisions).toBe("Samengevoegd");
      // A form without a revision (an old page) counts as "no minutes yet": refused, not overwritten.
      expect((await post(s.chair, url, { decisions: "Zonder revisie" })).statusCode).toBe(409);
    });
  });
});
