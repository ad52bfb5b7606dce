import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { formatDate } from "../../platform/i18n";
import { verifyAuditChain } from "../../platform/audit/verify";
import { groupedStats } from "../../platform/db/grouped";
import { bornYearsBefore, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { casesOfSubject } from "../cases/service";
import { addMembership, createLivc } from "../registry/service";
import { addContactPoint } from "./contacts";
import { routeFor } from "./service";

const livc = (code: string, name: string) => ({
  code, name, founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null,
});

const FORM = "application/x-www-form-urlencoded";

/** A report body as the browser posts it (repeated "signals"), with the CSRF field. */
function reportBody(s: LoginSession, fields: Record<string, string | string[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ identity_known: "known", subject_birth_date: "1999-04-05", signals: ["supports_violence"], observation: "Said in the canteen on Monday that the attack was right.", since: "weeks", person_knows: "no", reporter_contact: "09 000 00 00", action: "submit", ...fields })) {
    for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  }
  p.append("_csrf", s.csrfToken);
  return p.toString();
}

describeEachDialect("intake: routing, reporting and screening", (ctx) => {
  let app: FastifyInstance;
  let gent: string; // LIVC covering Gent
  let th: string; // LIVC covering Tessenderlo and Ham (merged 2025 into Tessenderlo-Ham)
  let users: Record<"reporter" | "reporter2" | "coordGent" | "ioGent" | "partnerGent" | "coordTh" | "ioTh" | "regional" | "chairGent", TestUser>;
  const s: Partial<Record<keyof typeof users, LoginSession>> = {};
  const who = { actor: null };

  beforeAll(async () => {
    const db = ctx().database;
    gent = await createLivc(db, who, livc("GENT", "LIVC Gent"));
    th = await createLivc(db, who, livc("TH", "LIVC Tessenderlo-Ham"));
    const beveren = await createLivc(db, who, livc("BEV", "LIVC Beveren"));
    await addMembership(db, who, gent, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    await addMembership(db, who, th, { nis: "71057", joined_on: "2019-02-01", left_on: null });
    await addMembership(db, who, th, { nis: "71069", joined_on: "2019-02-01", left_on: null });
    await addMembership(db, who, beveren, { nis: "46003", joined_on: "2019-02-01", left_on: null });
    const u = (roles: { livcId: string; role: "reporter" | "coordinator" | "information_officer" | "partner_member" }[]) => createUser(ctx(), { roles });
    users = {
      reporter: await u([{ livcId: gent, role: "reporter" }]),
      reporter2: await u([{ livcId: gent, role: "partner_member" }]),
      coordGent: await u([{ livcId: gent, role: "coordinator" }]),
      ioGent: await u([{ livcId: gent, role: "information_officer" }]),
      partnerGent: await u([{ livcId: gent, role: "partner_member" }]),
      coordTh: await u([{ livcId: th, role: "coordinator" }]),
      ioTh: await u([{ livcId: th, role: "information_officer" }]),
      regional: await createUser(ctx(), {}),
      chairGent: await createUser(ctx(), { roles: [{ livcId: gent, role: "chair" }] }),
    };
    expect(await addContactPoint(ctx(), {}, { email: users.regional.email, province: "Vlaams-Brabant" })).toMatchObject({ ok: true });
    app = await buildApp(ctx(), { logger: false });
    for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const file = async (as: keyof typeof users, fields: Record<string, string | string[]>, url = "/reports") =>
    app.inject({ method: "POST", url, headers: { ...s[as]!.headers(), "content-type": FORM }, payload: reportBody(s[as]!, fields) });
  const get = (as: keyof typeof users, url: string) => app.inject({ method: "GET", url, headers: s[as]!.headers() });
  const refOf = (location: string | undefined) => /\/reports\/(M-[^/]+)/.exec(location ?? "")![1];
  const idOf = async (reference: string) => (await ctx().database.db.selectFrom("report").select("id").where("reference", "=", reference).executeTakeFirstOrThrow()).id;
  const decide = (as: keyof typeof users, id: string, fields: Record<string, string>, base = "/screening") =>
    app.inject({ method: "POST", url: `${base}/${id}/decision`, headers: { ...s[as]!.headers(), "content-type": FORM }, payload: s[as]!.form(fields) });

  it("routes by municipality and date, across the 2025 mergers, and to the region where no LIVC covers", async () => {
    expect(await routeFor(ctx(), "71069", "2024-06-01")).toMatchObject({ kind: "livc", livcId: th, municipality: "Ham" });
    expect(await routeFor(ctx(), "71069", "2025-03-01")).toBeNull(); // Ham no longer exists
    expect(await routeFor(ctx(), "71071", "2025-03-01")).toMatchObject({ kind: "livc", livcId: th, municipality: "Tessenderlo-Ham" });
    expect(await routeFor(ctx(), "46003", "2024-12-31")).toMatchObject({ kind: "livc" });
    // Beveren's LIVC did not cover Kruibeke or Zwijndrecht: the merged municipality awaits a decision, so no LIVC.
    expect(await routeFor(ctx(), "46030", "2025-01-01")).toMatchObject({ kind: "regional", province: "Oost-Vlaanderen" });
    expect(await routeFor(ctx(), "24062", "2026-01-05")).toMatchObject({ kind: "regional", province: "Vlaams-Brabant", municipality: "Leuven" });
  });

  it("files a report, shows the reference, and the status page reveals nothing beyond the status", async () => {
    const res = await file("reporter", { subject_name: "Jan Peeters", municipality_nis: "44021", observation: "UNIQUE-OBSERVATION-TEXT shouted threats." });
    expect(res.statusCode).toBe(303);
    const reference = refOf(res.headers.location as string);
    const received = await get("reporter", `/reports/${reference}/received`);
    expect(received.body).toContain(reference);
    expect(received.body).toContain("LIVC Gent");
    const status = await get("reporter", `/reports/${reference}`);
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain("Ontvangen");
    for (const secret of ["Jan Peeters", "UNIQUE-OBSERVATION-TEXT", "Gent", "09 000 00 00", "1999"]) expect(status.body).not.toContain(secret);
    const api = await app.inject({ method: "GET", url: `/api/v1/reports/${reference}/status`, headers: s.reporter!.headers({ json: true }) });
    expect(Object.keys(api.json()).sort()).toEqual(["reference", "status", "submitted_at"]);
    // Stored as ciphertext only; the blind index is not the name.
    const row = await ctx().database.db.selectFrom("report").selectAll().where("reference", "=", reference).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain("Peeters");
    expect(row.livc_id).toBe(gent);
  });

  it("lets a reporter see only their own reports", async () => {
    const res = await file("reporter", { subject_name: "Els Janssens", municipality_nis: "44021" });
    const reference = refOf(res.headers.location as string);
    expect((await get("reporter2", `/reports/${reference}`)).statusCode).toBe(404);
    expect((await get("reporter2", `/reports/${reference}/received`)).statusCode).toBe(404);
    expect((await get("reporter2", "/reports")).body).not.toContain(reference);
    expect((await get("reporter", "/reports")).body).toContain(reference);
    // A reporter or partner member has no screening at all.
    expect((await get("reporter", "/screening")).statusCode).toBe(403);
    expect((await get("partnerGent", `/screening/${await idOf(reference)}`)).statusCode).toBe(403);
  });

  it("keeps LIVC A's queue invisible to LIVC B", async () => {
    const res = await file("reporter", { subject_name: "Piet Claes", municipality_nis: "44021" });
    const reference = refOf(res.headers.location as string);
    const id = await idOf(reference);
    expect((await get("coordGent", "/screening")).body).toContain(reference);
    expect((await get("coordTh", "/screening")).body).not.toContain(reference);
    expect((await get("coordTh", `/screening/${id}`)).statusCode).toBe(403);
    expect((await decide("ioTh", id, { transition: "no_action", reason: "not ours" })).statusCode).toBe(403);
    const denied = await ctx().database.db.selectFrom("audit_entry").select("action").where("resource_id", "=", id).where("outcome", "=", "denied").execute();
    expect(denied.length).toBeGreaterThanOrEqual(1);
  });

  it("finds a duplicate through the blind index (case and accents do not matter), without a plaintext search", async () => {
    const first = refOf((await file("reporter", { subject_name: "Zoë De Smet", subject_birth_date: "2000-01-02", municipality_nis: "44021" })).headers.location as string);
    const second = refOf((await file("reporter2", { subject_name: "ZOE  de smet", subject_birth_date: "2000-01-02", municipality_nis: "44021" })).headers.location as string);
    const other = refOf((await file("reporter2", { subject_name: "Zoë De Smet", subject_birth_date: "2000-01-03", municipality_nis: "44021" })).headers.location as string);
    const page = await get("coordGent", `/screening/${await idOf(second)}`);
    expect(page.body).toContain("al gekend in deze LIVC");
    expect(page.body).toContain(first);
    expect((await get("coordGent", `/screening/${await idOf(other)}`)).body).not.toContain("al gekend in deze LIVC");
    // The queue flags both reports of the same person, and not the one with another birth date.
    const queue = (await get("coordGent", "/screening")).body;
    const rowOf = (ref: string) => queue.slice(queue.indexOf(`>${ref}<`), queue.indexOf("</tr>", queue.indexOf(`>${ref}<`)));
    expect(rowOf(first)).toContain("Mogelijk dubbel");
    expect(rowOf(second)).toContain("Mogelijk dubbel");
    expect(rowOf(other)).not.toContain("Mogelijk dubbel");
    const rows = await ctx().database.db.selectFrom("report").select(["subject_index", "content_enc"]).where("reference", "in", [first, second]).execute();
    expect(rows[0].subject_index).toBe(rows[1].subject_index);
    expect(rows.map((r) => `${r.subject_index}${r.content_enc}`).join()).not.toMatch(/smet/i);
  });

  it("audits every read of the content and every decision; the reporter's status follows", async () => {
    const reference = refOf((await file("reporter", { subject_name: "Karel Maes", municipality_nis: "44021" })).headers.location as string);
    const id = await idOf(reference);
    const page = await get("ioGent", `/screening/${id}`);
    expect(page.body).toContain("Karel Maes");
    expect((await decide("ioGent", id, { transition: "start_screening" })).statusCode).toBe(303);
    expect((await get("reporter", `/reports/${reference}`)).body).toContain("In screening");
    // Reason required; the coordinator may not pass to police; the information officer may.
    expect((await decide("ioGent", id, { transition: "pass_to_police", reason: "" })).statusCode).toBe(400);
    expect((await decide("coordGent", id, { transition: "pass_to_police", reason: "x" })).statusCode).toBe(409);
    expect((await decide("ioGent", id, { transition: "pass_to_police", reason: "Known to the local task force." })).statusCode).toBe(303);
    expect((await get("reporter", `/reports/${reference}`)).body).toContain("Afgesloten");
    expect((await get("reporter", `/reports/${reference}`)).body).not.toContain("olitie");
    // A final status: nothing more.
    expect((await decide("coordGent", id, { transition: "no_action", reason: "x" })).statusCode).toBe(409);
    const actions = (await ctx().database.db.selectFrom("audit_entry").select(["action", "outcome"]).where("resource_id", "=", id).execute()).map((a) => `${a.action}:${a.outcome}`);
    expect(actions).toContain("personal_data.read:allowed");
    expect(actions).toContain("intake.decision.start_screening:success");
    expect(actions).toContain("intake.decision.pass_to_police:success");
    expect(actions).toContain("intake.decision.pass_to_police:denied");
  });

  it("takes a report up as a case through the cases module, and refers with a service", async () => {
    const a = await idOf(refOf((await file("reporter", { subject_name: "Ann Wouters", municipality_nis: "44021" })).headers.location as string));
    expect((await decide("coordGent", a, { transition: "take_up", reason: "Several partners involved." })).statusCode).toBe(303);
    const row = await ctx().database.db.selectFrom("report").select(["status", "case_id"]).where("id", "=", a).executeTakeFirstOrThrow();
    expect(row.status).toBe("taken_up");
    const c = await ctx().database.db.selectFrom("case_file").select(["livc_id", "source_report_id"]).where("id", "=", row.case_id!).executeTakeFirstOrThrow();
    expect(c).toEqual({ livc_id: gent, source_report_id: a });
    // A later report about the same person points at that case (the screener may see it).
    const again = await idOf(refOf((await file("reporter2", { subject_name: "ann wouters", municipality_nis: "44021" })).headers.location as string));
    expect((await get("coordGent", `/screening/${again}`)).body).toContain(`href="/cases/${row.case_id}"`);
    const b = await idOf(refOf((await file("reporter", { subject_name: "Bart Wouters", municipality_nis: "44021" })).headers.location as string));
    expect((await decide("coordGent", b, { transition: "refer", reason: "Family support fits." })).statusCode).toBe(400);
    expect((await decide("coordGent", b, { transition: "refer", reason: "Family support fits.", referral_service: "family_support" })).statusCode).toBe(303);
  });

  it("a case taken up from a report carries the reported name and birth date (chair sees them), and the blind index still finds it", async () => {
    // 13 or 14 whenever the test runs: a minor.
    const born = bornYearsBefore(todayInBrussels(), 14, "03-14");
    const reference = refOf((await file("reporter", { subject_name: "Mira Vandamme", subject_birth_date: born, municipality_nis: "44021" })).headers.location as string);
    const id = await idOf(reference);
    expect((await decide("ioGent", id, { transition: "take_up", reason: "Partners needed." })).statusCode).toBe(303);
    const report = await ctx().database.db.selectFrom("report").select(["case_id", "subject_index"]).where("id", "=", id).executeTakeFirstOrThrow();
    const page = await get("chairGent", `/cases/${report.case_id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Mira Vandamme");
    expect(page.body).toContain(formatDate("nl", born));
    expect(page.body).not.toContain("Geen identiteit in dit dossier");
    // Encrypted in the case file (never plaintext), read through the audited path.
    const c = await ctx().database.db.selectFrom("case_file").select(["identity_enc", "subject_index", "minor"]).where("id", "=", report.case_id!).executeTakeFirstOrThrow();
    expect(c.identity_enc).toBeTruthy();
    expect(JSON.stringify(c)).not.toMatch(/vandamme/i);
    expect(c.minor).toBe(1);
    const reads = await ctx().database.db.selectFrom("audit_entry").select(["action", "resource_type"]).where("resource_id", "in", [id, report.case_id!]).execute();
    expect(reads).toContainEqual({ action: "personal_data.write", resource_type: "case_file" });
    expect(reads).toContainEqual({ action: "personal_data.read", resource_type: "case_file" });
    // The blind index of the case equals the report's: a later report of the same person finds the case.
    expect(c.subject_index).toBe(report.subject_index);
    expect((await casesOfSubject(ctx(), gent, report.subject_index!)).map((x) => x.id)).toEqual([report.case_id]);
    const again = await idOf(refOf((await file("reporter2", { subject_name: "MIRA vandamme", subject_birth_date: born, municipality_nis: "44021" })).headers.location as string));
    const screening = (await get("coordGent", `/screening/${again}`)).body;
    expect(screening).toContain("al gekend in deze LIVC");
    expect(screening).toContain(`href="/cases/${report.case_id}"`);
  });

  it("an identity-unknown report taken up opens a case without identity (its description stays in the report)", async () => {
    const reference = refOf((await file("reporter", { identity_known: "unknown", subject_name: "", subject_birth_date: "", subject_description: "Tall boy, red jacket, bus 3", municipality_nis: "44021" })).headers.location as string);
    const id = await idOf(reference);
    expect((await decide("coordGent", id, { transition: "take_up", reason: "Worrying." })).statusCode).toBe(303);
    const report = await ctx().database.db.selectFrom("report").select(["case_id"]).where("id", "=", id).executeTakeFirstOrThrow();
    const c = await ctx().database.db.selectFrom("case_file").select(["identity_enc", "subject_index"]).where("id", "=", report.case_id!).executeTakeFirstOrThrow();
    expect(c).toEqual({ identity_enc: null, subject_index: null });
    const page = await get("chairGent", `/cases/${report.case_id}`);
    expect(page.body).toContain("Geen identiteit in dit dossier");
    expect(page.body).not.toContain("red jacket");
  });

  it("sends a municipality without an LIVC to the regional contact point, never lost", async () => {
    const res = await file("reporter", { subject_name: "Lotte Leuven", municipality_nis: "24062" });
    const reference = refOf(res.headers.location as string);
    expect((await get("reporter", `/reports/${reference}/received`)).body).toContain("regionale aanspreekpunt");
    const queue = await get("regional", "/screening/regional");
    expect(queue.body).toContain(reference);
    expect((await get("coordGent", "/screening")).body).not.toContain(reference);
    expect((await get("coordGent", "/screening/regional")).statusCode).toBe(403);
    const id = await idOf(reference);
    expect((await get("regional", `/screening/regional/${id}`)).body).toContain("Lotte Leuven");
    expect((await decide("regional", id, { transition: "take_up", reason: "x" }, "/screening/regional")).statusCode).toBe(409);
    expect((await decide("regional", id, { transition: "refer", reason: "CAW Leuven", referral_service: "caw" }, "/screening/regional")).statusCode).toBe(303);
  });

  it("saves a draft, keeps it private, and submits it later", async () => {
    const res = await file("reporter", { subject_name: "Draft Person", municipality_nis: "", observation: "half written", action: "draft" });
    expect(res.statusCode).toBe(303);
    const reference = refOf(res.headers.location as string);
    expect((await get("reporter", `/reports/${reference}/edit`)).body).toContain("half written");
    expect((await get("reporter2", `/reports/${reference}/edit`)).statusCode).toBe(404);
    expect((await get("coordGent", "/screening")).body).not.toContain(reference);
    const sent = await file("reporter", { subject_name: "Draft Person", municipality_nis: "44021" }, `/reports/${reference}`);
    expect(sent.headers.location).toBe(`/reports/${reference}/received`);
    expect((await file("reporter", { subject_name: "Again", municipality_nis: "44021" }, `/reports/${reference}`)).statusCode).toBe(404);
  });

  it("handles bad input: too long, scripts and SQL are kept inert, huge bodies refused", async () => {
    const long = await file("reporter", { subject_name: "Long Text", municipality_nis: "44021", observation: `KEEP-ME ${"x".repeat(4100)}` });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('href="#observation"');
    expect(long.body).toContain("maximaal 4000 tekens");
    expect(long.body).toContain("KEEP-ME");
    expect(long.body).toContain('value="Long Text"');
    const hostile = "<script>alert(1)</script>'); DROP TABLE report; --";
    const res = await file("reporter", { subject_name: hostile, municipality_nis: "44021", observation: `<img src=x onerror=alert(1)> ${hostile}` });
    expect(res.statusCode).toBe(303);
    const id = await idOf(refOf(res.headers.location as string));
    const page = await get("coordGent", `/screening/${id}`);
    expect(page.body).not.toContain("<script>alert(1)");
    expect(page.body).not.toContain("<img src=x");
    expect(page.body).toContain("&lt;script>alert(1)&lt;/script>"); // Preact escapes "<": shown as text, never parsed as a tag
    expect(await ctx().database.db.selectFrom("report").select("id").where("id", "=", id).executeTakeFirst()).toBeTruthy();
    const huge = await app.inject({ method: "POST", url: "/reports", headers: { ...s.reporter!.headers(), "content-type": FORM }, payload: reportBody(s.reporter!, { observation: "y".repeat(300 * 1024), municipality_nis: "44021" }) });
    expect([400, 413]).toContain(huge.statusCode);
    const wrongSignal = await file("reporter", { subject_name: "X", municipality_nis: "44021", signals: ["risk_score"] });
    expect(wrongSignal.statusCode).toBe(400);
  });

  it("commits reports posted at the same moment each with its event, alerts and audit entry; one refused report leaves the others whole", async () => {
    const db = ctx().database.db;
    const before = groupedStats(ctx().database);
    const posts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        // The fifth names no municipality: refused with the form, nothing of it stored.
        file("reporter", { subject_name: `Samen Gemeld ${i}`, municipality_nis: i === 4 ? "" : "44021", observation: `Same moment ${i}.` }),
      ),
    );
    expect(posts.map((p) => p.statusCode)).toEqual(posts.map((_, i) => (i === 4 ? 400 : 303)));
    const ids = await Promise.all(posts.filter((_, i) => i !== 4).map((p) => idOf(refOf(p.headers.location))));
    expect(new Set(ids).size).toBe(9);
    for (const id of ids) {
      const r = await db.selectFrom("report").select(["status", "livc_id"]).where("id", "=", id).executeTakeFirstOrThrow();
      expect(r).toEqual({ status: "received", livc_id: gent });
      expect(await db.selectFrom("report_event").select("transition").where("report_id", "=", id).execute()).toEqual([{ transition: "submit" }]);
      const alerted = await db.selectFrom("intake_alert").select("user_id").where("report_id", "=", id).execute();
      expect(alerted.map((a) => a.user_id).sort()).toEqual([users.coordGent.id, users.ioGent.id].sort());
      const entries = await db.selectFrom("audit_entry").select("action").where("resource_id", "=", id).where("action", "=", "intake.report.submit").execute();
      expect(entries).toHaveLength(1);
    }
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true });
    const after = groupedStats(ctx().database);
    // The submissions that reached their write together shared commits.
    expect(after.transactions - before.transactions).toBeLessThan(after.works - before.works);
  });
});
