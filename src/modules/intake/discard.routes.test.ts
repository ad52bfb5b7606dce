import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { makeLivc } from "../cases/testing";
import { addMembership } from "../registry/service";

/** HTTP of the draft discard (decision 0053): a confirmation page, a CSRF form, 404 for anyone else's draft. */
describeEachDialect("draft discard: routes", (ctx) => {
  let app: FastifyInstance;
  const s: Record<"reporter" | "other" | "dpo", LoginSession> = {} as never;
  const FORM = "application/x-www-form-urlencoded";

  beforeAll(async () => {
    const livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    app = await buildApp(ctx(), { logger: false });
    s.reporter = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "reporter" }] }));
    s.other = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "reporter" }] }));
    s.dpo = await login(app, await createUser(ctx(), { platformRoles: ["dpo"] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (as: LoginSession, url: string, body: string) => app.inject({ method: "POST", url, headers: { ...as.headers(), "content-type": FORM }, payload: `${body}&_csrf=${encodeURIComponent(as.csrfToken)}` });
  const get = (as: LoginSession, url: string) => app.inject({ method: "GET", url, headers: as.headers() });
  const row = (reference: string) => ctx().database.db.selectFrom("report").select(["id", "status"]).where("reference", "=", reference).executeTakeFirst();

  it("the edit page links to a confirmation page; only a confirmed, CSRF-checked POST deletes; then /reports says so", async () => {
    const saved = await post(s.reporter, "/reports", new URLSearchParams({ identity_known: "known", subject_name: "Fictief Concept", observation: "Nog niet af", action: "draft" }).toString());
    expect(saved.statusCode).toBe(303);
    const ref = /\/reports\/(M-[^/]+)\/edit/.exec(String(saved.headers.location))![1];

    const edit = await get(s.reporter, `/reports/${ref}/edit`);
    expect(edit.body).toContain(`href="/reports/${ref}/discard"`);
    expect(edit.body).toContain("30 dagen");
    const confirm = await get(s.reporter, `/reports/${ref}/discard`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/reports/${ref}/discard"`);
    expect(confirm.body).toContain('name="confirm" value="yes"');
    expect(confirm.body).not.toContain("Fictief Concept");

    // Someone else: 404 on both; without CSRF: 403; without the confirmation field: back to the page. Nothing deleted.
    expect((await get(s.other, `/reports/${ref}/discard`)).statusCode).toBe(404);
    expect((await post(s.other, `/reports/${ref}/discard`, "confirm=yes")).statusCode).toBe(404);
    // Unconfirmed too: someone else is not sent on to the confirmation page (found by the IDOR suite).
    expect((await post(s.other, `/reports/${ref}/discard`, "confirm=")).statusCode).toBe(404);
    const noCsrf = await app.inject({ method: "POST", url: `/reports/${ref}/discard`, headers: { ...s.reporter.headers(), "content-type": FORM }, payload: "confirm=yes" });
    expect(noCsrf.statusCode).toBe(403);
    const unconfirmed = await post(s.reporter, `/reports/${ref}/discard`, "confirm=");
    expect(unconfirmed.statusCode).toBe(303);
    expect(unconfirmed.headers.location).toBe(`/reports/${ref}/discard`);
    expect(await row(ref)).toMatchObject({ status: "draft" });

    const done = await post(s.reporter, `/reports/${ref}/discard`, "confirm=yes");
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/reports?done=discarded");
    expect(await row(ref)).toBeUndefined();
    const list = await get(s.reporter, "/reports?done=discarded");
    expect(list.body).toContain("Het concept is verwijderd.");
    expect(list.body).not.toContain(ref);
    expect((await get(s.reporter, `/reports/${ref}/edit`)).statusCode).toBe(404);
    expect((await post(s.reporter, `/reports/${ref}/discard`, "confirm=yes")).statusCode).toBe(404);

    // The DPO's retention page shows the proof: the reference, the cause in words, no LIVC (a draft is not routed).
    const retention = await get(s.dpo, "/retention");
    expect(retention.statusCode).toBe(200);
    const line = retention.body.slice(retention.body.indexOf(`<td>${ref}</td>`), retention.body.indexOf("</tr>", retention.body.indexOf(`<td>${ref}</td>`)));
    expect(line).toContain("Concept (niet doorgestuurd)");
    expect(line).toContain("Concept verwijderd door de melder");
    expect(retention.body).not.toContain("Fictief Concept");
  });
});
