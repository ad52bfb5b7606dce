import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { newId } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { makeActor } from "../cases/testing";
import { addMembership, createLivc } from "../registry/service";
import { emptyForm } from "./schema";
import { addContactPoint } from "./contacts";
import { fileReport, livcQueue, QUEUE_PAGE_SIZE, regionalQueueFor } from "./service";
import * as store from "./store";
import type { ReportStatus } from "./workflow";

const livc = (code: string, name: string) => ({
  code, name, founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null,
});
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** Deterministic shuffle, so the insertion order never matches the expected order. */
const shuffled = <T,>(xs: T[]) => xs.map((x, i) => ({ x, k: (i * 7919) % 97 })).sort((a, b) => a.k - b.k).map((p) => p.x);
const links = (html: string) => [...html.matchAll(/aria-label="Open (M-[^"]+)"/g)].map((m) => m[1]);
const hrefOf = (html: string, rel: "prev" | "next") => new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(html)?.[1]?.replaceAll("&amp;", "&");

/**
 * The screening queue in pages: open reports by deadline, decided ones behind a filter, totals and
 * previous/next links that work without JavaScript, one LIVC at a time, the regional queue alike,
 * and nothing decrypted for a list.
 */
describeEachDialect("intake: the screening queue in pages", (ctx) => {
  let app: FastifyInstance;
  let a: string; // "LIVC Aalst": 120 open, 7 decided, 1 draft
  let b: string; // "LIVC Brugge": 3 open (one filed for real)
  let users: Record<"coordA" | "coordAB" | "regional", TestUser>;
  const s: Partial<Record<keyof typeof users, LoginSession>> = {};
  let reporterId: string;
  let realReportId: string;
  const openA: string[] = [];
  const decidedA: { reference: string; decidedAt: string }[] = [];

  async function put(ref: string, o: { livcId: string | null; status: ReportStatus; submitted: string; due?: string; decided?: string; province?: string; subject?: string }) {
    const at = `${o.submitted}T09:00:00.000Z`;
    await store.insertReport(ctx().database.db, {
      id: newId(), reference: ref, status: o.status, reporter_user_id: reporterId, reporter_organisation_id: null,
      livc_id: o.livcId, regional_queue: o.province ?? null, municipality_nis: o.livcId ? "41002" : "24062", routed_on: o.submitted,
      identity_known: 1, minor: 0, danger_now: 0, notify_status: 0, subject_index: o.subject ?? null,
      // Never decrypted by the queue: a list shows facts and dates only.
      content_enc: "not-ciphertext", created_at: at, updated_at: at, submitted_at: o.status === "draft" ? null : at,
      screening_due_on: o.status === "draft" ? null : (o.due ?? addDays(o.submitted, 14)), retention_until: null,
      decided_at: o.decided ? `${o.decided}T10:00:00.000Z` : null, case_id: null,
    });
  }

  beforeAll(async () => {
    const db = ctx().database;
    a = await createLivc(db, { actor: null }, livc("QA", "LIVC Aalst"));
    b = await createLivc(db, { actor: null }, livc("QB", "LIVC Brugge"));
    await addMembership(db, { actor: null }, a, { nis: "41002", joined_on: "2019-01-01", left_on: null });
    await addMembership(db, { actor: null }, b, { nis: "31005", joined_on: "2019-01-01", left_on: null });
    users = {
      coordA: await createUser(ctx(), { roles: [{ livcId: a, role: "coordinator" }] }),
      coordAB: await createUser(ctx(), { roles: [{ livcId: a, role: "information_officer" }, { livcId: b, role: "coordinator" }] }),
      regional: await createUser(ctx(), {}),
    };
    reporterId = (await createUser(ctx(), { roles: [{ livcId: b, role: "reporter" }] })).id;
    expect(await addContactPoint(ctx(), {}, { email: users.regional.email, province: "Vlaams-Brabant" })).toMatchObject({ ok: true });
    expect(await addContactPoint(ctx(), {}, { email: users.coordAB.email, province: null })).toMatchObject({ ok: true });

    // LIVC A: 119 open reports, one day apart, plus one submitted last but due first (deadline wins).
    const days = shuffled(Array.from({ length: 119 }, (_, i) => i));
    for (const i of days) await put(`M-QA${String(i).padStart(3, "0")}`, { livcId: a, status: i % 2 ? "received" : "in_screening", submitted: addDays("2026-01-01", i), subject: i < 2 ? "same-person" : undefined });
    await put("M-QAURGENT", { livcId: a, status: "received", submitted: "2026-06-30", due: "2025-12-01" });
    openA.push("M-QAURGENT", ...Array.from({ length: 119 }, (_, i) => `M-QA${String(i).padStart(3, "0")}`));
    const statuses: ReportStatus[] = ["taken_up", "referred", "no_action", "passed_to_police", "closed", "referred", "no_action"];
    for (const [i, status] of shuffled(statuses.map((st, i) => [i, st] as const))) {
      const decidedAt = addDays("2025-06-01", i * 3);
      await put(`M-QD${i}`, { livcId: a, status, submitted: addDays("2025-05-01", i), decided: decidedAt });
      decidedA.push({ reference: `M-QD${i}`, decidedAt });
    }
    decidedA.sort((x, y) => y.decidedAt.localeCompare(x.decidedAt));
    await put("M-QDRAFT", { livcId: a, status: "draft", submitted: "2026-01-01" });
    // LIVC B: two inserted, one filed through the service (real ciphertext).
    await put("M-QB1", { livcId: b, status: "received", submitted: "2026-02-01" });
    await put("M-QB2", { livcId: b, status: "received", submitted: "2026-02-02" });
    const reporter = await makeActor(ctx(), [{ livcId: b, role: "reporter" }]);
    const filed = await fileReport(ctx(), { actor: reporter }, { ...emptyForm(), identity_known: "known", subject_name: "Queue Person", subject_birth_date: "2001-01-01", municipality_nis: "31005", signals: ["supports_violence"], observation: "x", since: "weeks", person_knows: "no", reporter_contact: "0470" }, "submit");
    if (filed.kind !== "submitted") throw new Error("not filed");
    realReportId = (await ctx().database.db.selectFrom("report").select("id").where("reference", "=", filed.reference).executeTakeFirstOrThrow()).id;
    // Regional: 55 open in Vlaams-Brabant, 1 in Limburg (outside the contact's province), 2 decided.
    for (let i = 0; i < 55; i++) await put(`M-QR${String(i).padStart(2, "0")}`, { livcId: null, province: "Vlaams-Brabant", status: "received", submitted: addDays("2026-03-01", i) });
    await put("M-QRLIM", { livcId: null, province: "Limburg", status: "received", submitted: "2026-03-01" });
    for (let i = 0; i < 2; i++) await put(`M-QRD${i}`, { livcId: null, province: "Vlaams-Brabant", status: "referred", submitted: "2026-01-01", decided: addDays("2026-02-01", i) });

    app = await buildApp(ctx(), { logger: false });
    for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (as: keyof typeof users, url: string) => app.inject({ method: "GET", url, headers: s[as]!.headers() });

  it("orders the open queue by deadline, then submission, and its pages together hold every open report once", async () => {
    const actor = await makeActor(ctx(), [{ livcId: a, role: "coordinator" }]);
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const q = await livcQueue(ctx(), actor, { filter: "open", page }, "2026-07-01");
      if (!q || q === "not_found") throw new Error("no queue");
      expect(q.list).toMatchObject({ page, pages: 3, total: 120, counts: { open: 120, decided: 7 }, from: (page - 1) * QUEUE_PAGE_SIZE + 1 });
      expect(q.list.items.length).toBe(page < 3 ? 50 : 20);
      seen.push(...q.list.items.map((i) => i.reference));
      if (page === 1) expect(q.list.items.filter((i) => i.possibleDuplicate).map((i) => i.reference).sort()).toEqual(["M-QA000", "M-QA001"]);
    }
    expect(seen).toEqual(openA);
    // A page past the end shows the last page, not an empty one.
    const past = await livcQueue(ctx(), actor, { filter: "open", page: 99 }, "2026-07-01");
    expect(past !== null && past !== "not_found" && past.list.page).toBe(3);
  });

  it("shows one page of 50 with the total and previous/next links that keep working without JavaScript", async () => {
    const first = await get("coordA", "/screening");
    expect(first.statusCode).toBe(200);
    expect(links(first.body)).toEqual(openA.slice(0, 50));
    expect(first.body).toContain("Meldingen 1 tot 50 van 120");
    expect(first.body).toContain("Pagina 1 van 3");
    expect(hrefOf(first.body, "prev")).toBeUndefined();
    expect(hrefOf(first.body, "next")).toBe("/screening?page=2");
    expect(first.body).not.toContain("M-QDRAFT");
    expect(first.body).not.toContain("M-QD0");

    const second = await get("coordA", hrefOf(first.body, "next")!);
    expect(links(second.body)).toEqual(openA.slice(50, 100));
    expect(hrefOf(second.body, "prev")).toBe("/screening");
    const third = await get("coordA", hrefOf(second.body, "next")!);
    expect(links(third.body)).toEqual(openA.slice(100));
    expect(third.body).toContain("Meldingen 101 tot 120 van 120");
    expect(hrefOf(third.body, "next")).toBeUndefined();
    // Odd parameters fall back to the first page of open reports.
    expect(links((await get("coordA", "/screening?page=abc&status=nonsense")).body)).toEqual(openA.slice(0, 50));
  });

  it("keeps decided reports reachable behind a filter, most recently decided first", async () => {
    const open = await get("coordA", "/screening");
    expect(open.body).toContain('<a href="/screening" aria-current="page">Te screenen (120)</a>');
    expect(open.body).toContain('<a href="/screening?status=decided">Beslist (7)</a>');
    const decided = await get("coordA", "/screening?status=decided");
    expect(decided.statusCode).toBe(200);
    expect(links(decided.body)).toEqual(decidedA.map((d) => d.reference));
    expect(decided.body).toContain('<a href="/screening?status=decided" aria-current="page">Beslist (7)</a>');
    expect(decided.body).toContain("Beslist op");
    expect(decided.body).not.toContain("M-QAURGENT");
    // Paging keeps the filter.
    const actor = await makeActor(ctx(), [{ livcId: a, role: "coordinator" }]);
    for (let i = 0; i < 50; i++) await put(`M-QDX${String(i).padStart(2, "0")}`, { livcId: a, status: "no_action", submitted: "2025-01-01", decided: "2025-01-02" });
    const many = await get("coordA", "/screening?status=decided");
    expect(hrefOf(many.body, "next")).toBe("/screening?status=decided&page=2");
    const page2 = await get("coordA", "/screening?status=decided&page=2");
    expect(links(page2.body).length).toBe(7);
    const q = await livcQueue(ctx(), actor, { filter: "decided", page: 2 });
    expect(q !== null && q !== "not_found" && q.list.counts).toEqual({ open: 120, decided: 57 });
    await ctx().database.db.deleteFrom("report").where("reference", "like", "M-QDX%").execute();
  });

  it("shows one LIVC at a time to someone who screens in several, with the open count of each", async () => {
    const page = await get("coordAB", "/screening");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<a href="/screening?livc=${a}" aria-current="page">LIVC Aalst (120 te screenen)</a>`);
    expect(page.body).toContain(`<a href="/screening?livc=${b}">LIVC Brugge (3 te screenen)</a>`);
    expect(links(page.body)).toEqual(openA.slice(0, 50));
    expect(hrefOf(page.body, "next")).toBe(`/screening?livc=${a}&page=2`);
    const other = await get("coordAB", `/screening?livc=${b}`);
    expect(links(other.body).slice(0, 2)).toEqual(["M-QB1", "M-QB2"]);
    expect(links(other.body).length).toBe(3);
    // An LIVC the person does not screen in: not found (never another LIVC's queue).
    const stranger = await createLivc(ctx().database, { actor: null }, livc("QC", "LIVC Elders"));
    expect((await get("coordAB", `/screening?livc=${stranger}`)).statusCode).toBe(404);
    expect((await get("coordA", `/screening?livc=${b}`)).statusCode).toBe(404);
  });

  it("decrypts nothing for the list: the only personal-data read is opening one report", async () => {
    const reads = async () =>
      (await ctx().database.db.selectFrom("audit_entry").select("seq").where("actor_id", "=", users.coordAB.id).where("action", "=", "personal_data.read").execute()).length;
    const before = await reads();
    expect((await get("coordAB", `/screening?livc=${b}`)).statusCode).toBe(200);
    expect((await get("coordAB", "/screening?status=decided")).statusCode).toBe(200);
    expect(await reads()).toBe(before);
    expect((await get("coordAB", `/screening/${realReportId}`)).body).toContain("Queue Person");
    expect(await reads()).toBeGreaterThan(before);
  });

  it("pages the regional queue the same way, within the contact's province, and links to it from the LIVC queue", async () => {
    const page = await get("regional", "/screening/regional");
    expect(page.statusCode).toBe(200);
    const expected = Array.from({ length: 55 }, (_, i) => `M-QR${String(i).padStart(2, "0")}`);
    expect(links(page.body)).toEqual(expected.slice(0, 50));
    expect(page.body).toContain("Meldingen 1 tot 50 van 55");
    expect(page.body).not.toContain("M-QRLIM");
    expect(hrefOf(page.body, "next")).toBe("/screening/regional?page=2");
    expect(links((await get("regional", "/screening/regional?page=2")).body)).toEqual(expected.slice(50));
    expect(links((await get("regional", "/screening/regional?status=decided")).body)).toEqual(["M-QRD1", "M-QRD0"]);
    const actor = await makeActor(ctx(), []);
    expect(await regionalQueueFor(ctx(), actor, { filter: "open", page: 1 })).toBeNull();
    // A screener who is also the contact for all of Flanders sees the regional total (56) as a link, not the list.
    const both = await get("coordAB", "/screening");
    expect(both.body).toContain('<a href="/screening/regional">Naar de regionale wachtrij (56 te screenen)</a>');
    expect(links(both.body)).not.toContain("M-QR00");
    expect((await get("coordA", "/screening")).body).not.toContain("/screening/regional");
  });

  it("shows the newest 20 unread alerts and says how many more there are", async () => {
    const report = await ctx().database.db.selectFrom("report").select("id").where("reference", "=", "M-QA005").executeTakeFirstOrThrow();
    for (let i = 0; i < 23; i++) await store.insertAlert(ctx().database.db, { user_id: users.coordA.id, report_id: report.id, kind: "danger_now" });
    const page = await get("coordA", "/screening");
    expect(page.body.match(/Acuut gevaar gemeld: M-QA005/g)?.length).toBe(20);
    expect(page.body).toContain("Nog 3 dringende meldingen staan in de wachtrij.");
  });
});
