import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { labelsOf, openCaseFromScreening, transitionCase } from "../cases/service";
import { makeActor, makeLivc } from "../cases/testing";
import { addFramework } from "../registry/service";
import { rescheduleFingerprint } from "./replan";
import { scheduleMeeting } from "./service";
import * as store from "./store";

/**
 * Over HTTP (decision 0043): a case closed since the planning blocks rescheduling with a message
 * naming its label, linked from the error summary, the typed values kept; taken off the agenda,
 * the case page's timeline says so and the meeting moves; cancelling shows on the other case.
 */
describeEachDialect("meetings: closed case blocks rescheduling, timeline on the case page", (ctx) => {
  let app: FastifyInstance;
  let coord: LoginSession;
  let meetingId: string;
  let closed: string;
  let open: string;
  const today = todayInBrussels();

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const livc = await makeLivc(ctx(), "SLOT");
    await addFramework(ctx().database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
    const actor = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    const chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    const openOne = async () => (await openCaseFromScreening(ctx(), { actor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Fictief", dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" })).id;
    closed = await openOne();
    open = await openOne();
    meetingId = await scheduleMeeting(ctx(), { actor }, { livcId: livc, heldOn: addDays(today, 4), startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId: open, organisationIds: [] }, { caseId: closed, organisationIds: [] }] });
    await transitionCase(ctx(), { actor: chair }, closed, "close", { reason: "concern_addressed" });
    coord = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: coord.headers({ form: true }), payload: coord.form(fields) });

  it("refuses to reschedule while a closed case is on the agenda, then moves once it is taken off; the timelines show both changes", async () => {
    const label = (await labelsOf(ctx(), [closed])).get(closed)!.label;
    const fields = { held_on: addDays(today, 12), starts_at: "11:15", place: "Andere Zaal", video_url: "" };
    const refused = await post(`/meetings/${meetingId}/reschedule`, fields);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('href="#closed_case"');
    expect(refused.body).toContain('id="closed_case"');
    expect(refused.body).toContain(`Casus ${label} werd afgesloten sinds de planning`);
    expect(refused.body).toContain(`href="/meetings/${meetingId}/agenda"`);
    expect(refused.body).toContain('value="Andere Zaal"');
    expect(refused.body).toContain('value="11:15"');
    expect((await store.meetingById(ctx().database.db, meetingId))?.held_on).toBe(addDays(today, 4));

    expect((await post(`/meetings/${meetingId}/agenda/remove`, { case: closed })).statusCode).toBe(303);
    const casePage = await app.inject({ method: "GET", url: `/cases/${closed}`, headers: coord.headers() });
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain("Van de agenda van een overleg gehaald");

    // The form carries the meeting as it was loaded (decision 0058).
    const loaded = rescheduleFingerprint((await store.meetingById(ctx().database.db, meetingId))!);
    expect((await post(`/meetings/${meetingId}/reschedule`, { ...fields, loaded })).statusCode).toBe(303);
    expect(await store.meetingById(ctx().database.db, meetingId)).toMatchObject({ held_on: addDays(today, 12), place: "Andere Zaal" });

    expect((await post(`/meetings/${meetingId}/cancel`, { reason: "other", note: "" })).statusCode).toBe(303);
    const openPage = await app.inject({ method: "GET", url: `/cases/${open}`, headers: coord.headers() });
    expect(openPage.body).toContain("Overleg geannuleerd");
    expect(openPage.body).not.toContain("Van de agenda van een overleg gehaald");
  });
});
