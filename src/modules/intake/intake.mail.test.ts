import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { openTestContext, type TestContext } from "../../../test/support/db";
import { readMail } from "../../../test/support/mail";
import { type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { buildApp } from "../../platform/web/app";
import { addMembership, createLivc } from "../registry/service";
import { bornYearsBefore, todayInBrussels } from "../../platform/db/values";

/** Mails go to a real SMTP receiver; they must name no person, no place and no content. */
describe("intake: danger-now and status mails (real SMTP receiver)", () => {
  let smtp: SmtpReceiver;
  let inbox: ReceivedMail[] = [];
  let ctx: TestContext;
  let app: FastifyInstance;
  let reporter: TestUser;
  let io: TestUser;
  let coordinator: TestUser;
  let rs: LoginSession;
  let cs: LoginSession;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    inbox = smtp.inbox;
    ctx = await openTestContext("sqlite", { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
    const livc = await createLivc(ctx.database, { actor: null }, {
      code: "MAIL", name: "LIVC Mailstad", founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null,
    });
    await addMembership(ctx.database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await createUser(ctx, { roles: [{ livcId: livc, role: "reporter" }] });
    io = await createUser(ctx, { roles: [{ livcId: livc, role: "information_officer" }] });
    coordinator = await createUser(ctx, { roles: [{ livcId: livc, role: "coordinator" }] });
    app = await buildApp(ctx, { logger: false });
    rs = await login(app, reporter);
    cs = await login(app, coordinator);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await smtp?.stop();
  });

  it("alerts the information officer at once, in the app and by mail without personal data; the reporter hears of status changes", async () => {
    // Born fifteen years before this year: 14 or 15 whenever the test runs, so a minor (derived from the birth date).
    const birthDate = bornYearsBefore(todayInBrussels(), 15, "06-07");
    const born = birthDate.slice(0, 4);
    const p = new URLSearchParams({
      identity_known: "known", subject_name: "Mehdi Vermeulen", subject_birth_date: birthDate, municipality_nis: "44021", signals: "threatens_people",
      observation: "Named two classmates he would hurt tomorrow.", since: "days", person_knows: "no", parent_knows: "unknown", reporter_contact: "0470 11 22 33",
      danger_now: "1", notify_status: "1", action: "submit", _csrf: rs.csrfToken,
    });
    const res = await app.inject({ method: "POST", url: "/reports", headers: { ...rs.headers(), "content-type": "application/x-www-form-urlencoded" }, payload: p.toString() });
    expect(res.statusCode).toBe(303);
    const reference = /M-[0-9A-Z-]+/.exec(res.headers.location as string)![0];
    const received = await app.inject({ method: "GET", url: res.headers.location as string, headers: rs.headers() });
    expect(received.body).toContain("112");
    expect(received.body).toContain("minderjarige");

    const toIo = inbox.find((m) => m.to.includes(io.email));
    expect(toIo).toBeTruthy();
    // Read as decoded text (a quoted-printable soft line break can split the link on the wire).
    const ioText = readMail(toIo!).text;
    for (const secret of ["Mehdi", "Vermeulen", "Gent", "classmates", "0470", born]) expect(ioText).not.toContain(secret);
    expect(ioText).toContain("https://schakel.example/screening");
    const ios = await login(app, io);
    const queue = await app.inject({ method: "GET", url: "/screening", headers: ios.headers() });
    expect(queue.body).toContain(`Acuut gevaar gemeld: ${reference}`);

    const row = await ctx.database.db.selectFrom("report").select(["id", "minor", "retention_until"]).where("reference", "=", reference).executeTakeFirstOrThrow();
    expect(row.minor).toBe(1);
    // Minors: SCHAKEL_RETENTION_MINOR_YEARS (default 3) instead of 6.
    expect(Number(row.retention_until!.slice(0, 4)) - new Date().getUTCFullYear()).toBeLessThanOrEqual(3);

    const before = inbox.length;
    const decided = await app.inject({
      method: "POST", url: `/screening/${row.id}/decision`, headers: { ...cs.headers(), "content-type": "application/x-www-form-urlencoded" },
      payload: cs.form({ transition: "take_up", reason: "Acute threat; consultation tomorrow." }),
    });
    expect(decided.statusCode).toBe(303);
    const toReporter = inbox.slice(before).find((m) => m.to.includes(reporter.email));
    const reporterText = readMail(toReporter!).text;
    expect(reporterText).toContain(reference);
    for (const secret of ["Mehdi", "consultation", "Acute", "take_up", "casus"]) expect(reporterText).not.toContain(secret);
  });
});
