import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect, openTestContext } from "../../../test/support/db";
import { claimDailyRun } from "../../platform/daily-runs";
import { addDays, newId, nowIso, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { newReference } from "../intake/reference-number";
import { purgeLogLines } from "./retention-cli";
import { runRetentionPurge } from "./index";
import { openCaseFromScreening, setLegalHold, transitionCase } from "./service";
import { makeActor, makeLivc } from "./testing";
import { removedText } from "./views/retention";
import { translator } from "../../platform/i18n";

const root = path.resolve(import.meta.dirname, "../../..");

it("names every kind a purge removes in words, also the reports' supplements; an unknown kind by its code", () => {
  const t = translator("nl");
  expect(removedText(t, { supplements: 2, report_content: 1, identity: 0, later_kind: 3 })).toBe("aanvullingen: 2, inhoud van de melding: 1, later_kind: 3");
});

/** A decided report past (or near) its term, without a case; the purge never decrypts, so any document will do. */
async function putReport(ctx: Parameters<typeof makeLivc>[0], livcId: string, reporterId: string, retentionUntil: string) {
  const at = nowIso();
  const reference = newReference();
  await ctx.database.db.insertInto("report").values({
    id: newId(), reference, status: "no_action", reporter_user_id: reporterId, reporter_organisation_id: null, livc_id: livcId, regional_queue: null, municipality_nis: "44021",
    routed_on: "2019-01-01", identity_known: 1, minor: 0, danger_now: 0, notify_status: 0, subject_index: "idx", content_enc: "sealed-document", created_at: at, updated_at: at,
    submitted_at: at, screening_due_on: null, retention_until: retentionUntil, decided_at: at, case_id: null,
  }).execute();
  return reference;
}

/** The DPO's retention page (decision 0046): purge logs newest first and paged, counts per LIVC, nothing about a person. */
describeEachDialect("retention and purge page", (ctx) => {
  let app: FastifyInstance;
  let dpo: LoginSession;
  let analyst: LoginSession;
  let chairSession: LoginSession;
  let livc: string;
  let purgedLabel: string;
  let purgedReference: string;
  const today = todayInBrussels();

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx(), `RET${Date.now() % 100000}`);
    const chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    const open = async (closedOn: string) => {
      const c = await openCaseFromScreening(ctx(), { actor: chair }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Greta Verzonnen", dateOfBirth: "1980-01-01" }, screeningDecision: "take_up", openedOn: "2015-01-01" });
      await transitionCase(ctx(), { actor: chair }, c.id, "close", { reason: "concern_addressed", today: closedOn });
      return c;
    };
    // One case purged (retention long past), two due within 30 and 90 days, one under legal hold.
    const old = await open("2010-01-01");
    purgedLabel = old.label;
    for (const [c, until] of [[await open("2020-01-01"), addDays(today, 10)], [await open("2020-01-01"), addDays(today, 60)], [await open("2020-01-01"), addDays(today, 400)]] as const) {
      await ctx().database.db.updateTable("case_file").set({ retention_until: until }).where("id", "=", c.id).execute();
    }
    const held = await open("2020-01-01");
    await ctx().database.db.updateTable("case_file").set({ retention_until: addDays(today, 5) }).where("id", "=", held.id).execute();
    await setLegalHold(ctx(), { actor: chair }, held.id, "Gerechtelijk onderzoek");
    purgedReference = await putReport(ctx(), livc, chair.userId, "2012-01-01");
    await putReport(ctx(), livc, chair.userId, addDays(today, 20));
    await runRetentionPurge(ctx(), { today });
    dpo = await login(app, await createUser(ctx(), { platformRoles: ["dpo"] }));
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    chairSession = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("shows the purge proof (label, reference, kinds and counts) and the counts per LIVC by name, nothing about the person; the view is logged", async () => {
    const page = await app.inject({ method: "GET", url: "/retention", headers: dpo.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(purgedLabel);
    expect(page.body).toContain(purgedReference);
    expect(page.body).toContain("identiteit: 1");
    expect(page.body).toContain("inhoud van de melding: 1");
    expect(page.body).toContain("Einde bewaartermijn");
    expect(page.body).not.toContain("Greta");
    expect(page.body).not.toContain("Gerechtelijk onderzoek");
    // The LIVC's row: cases due in 30 days 1 (the held one is not counted), in 90 days 2, held 1, reports 1 and 1.
    const row = /<th scope="row">LIVC RET[^<]*<\/th><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/.exec(page.body);
    expect(row?.slice(1)).toEqual(["1", "2", "1", "1", "1"]);
    const views = await ctx().database.db.selectFrom("audit_entry").select("action").where("action", "=", "retention.view").execute();
    expect(views.length).toBeGreaterThanOrEqual(1);
  });

  it("says when the daily jobs (the purge among them) last ran, warns when one failed, and says when none ran", async () => {
    const db = ctx().database.db;
    const page = async () => (await app.inject({ method: "GET", url: "/retention", headers: dpo.headers() })).body;
    /** The one run on record: its day, start and end, the modules that failed. */
    const recorded = async (day: string, started: string, finished: string, failed: string[] = []) => {
      await db.deleteFrom("daily_job_run").execute();
      await db.insertInto("daily_job_run").values({ day, instance: "test", status: "done", started_at: started, heartbeat_at: finished, finished_at: finished, failed: failed.join(",") || null }).execute();
    };
    await db.deleteFrom("daily_job_run").execute();
    expect(await page()).toContain("De dagelijkse taken, waaronder het wissen, liepen op deze installatie nog niet. Ze lopen elke dag om 02:30 (Brusselse tijd).");
    // 01:31 UTC on 30 November is 02:31 in Brussels (winter time).
    await recorded("2026-11-30", "2026-11-30T01:30:00.000Z", "2026-11-30T01:31:10.000Z");
    const ok = await page();
    expect(ok).toContain("liepen het laatst op 30 november 2026 om 02:31.");
    expect(ok).not.toContain("notice warning");
    await recorded("2026-07-01", "2026-07-01T00:30:00.000Z", "2026-07-01T00:30:05.000Z", ["cases"]);
    const failed = await page();
    expect(failed).toContain("liepen het laatst op 1 juli 2026 om 02:30."); // summer time: UTC+2
    expect(failed).toMatch(/class="notice warning"[^>]*>\s*<p>[^<]*Niet alle taken slaagden: cases\./);
    // The next day's run, begun and not (yet) finished, is not the last run.
    await claimDailyRun(db, "2026-07-02", new Date("2026-07-02T00:30:00Z"), "test");
    expect(await page()).toContain("liepen het laatst op 1 juli 2026 om 02:30.");
  });

  it("pages each log newest first (50 a page), and is the DPO's only", async () => {
    const db = ctx().database.db;
    for (let i = 0; i < 55; i++) {
      await db.insertInto("case_purge_log").values({ id: newId(), case_id: newId(), label: `LIVC-PAGE-2020-${String(i).padStart(3, "0")}`, livc_id: livc, purged_at: `2021-01-01T00:00:${String(i).padStart(2, "0")}.000Z`, retention_until: "2020-12-31", removed: JSON.stringify({ identity: 1 }) }).execute();
    }
    const first = await app.inject({ method: "GET", url: "/retention", headers: dpo.headers() });
    expect(first.body).toContain(purgedLabel); // newest first: today's purge leads
    expect(first.body).toContain("LIVC-PAGE-2020-054");
    expect(first.body).not.toContain("LIVC-PAGE-2020-005");
    expect(first.body).toContain('href="/retention?cp=2&amp;rp=1#cases"');
    const second = await app.inject({ method: "GET", url: "/retention?cp=2&rp=1", headers: dpo.headers() });
    expect(second.body).toContain("LIVC-PAGE-2020-000");
    expect(second.body).not.toContain("LIVC-PAGE-2020-054");
    expect((await app.inject({ method: "GET", url: "/retention?cp=999", headers: dpo.headers() })).body).toContain("LIVC-PAGE-2020-000");
    for (const s of [analyst, chairSession]) expect((await app.inject({ method: "GET", url: "/retention", headers: s.headers() })).statusCode).toBe(403);
  });

  it("purgeLogLines gives both logs newest first, --since narrows them", async () => {
    const lines = await purgeLogLines(ctx());
    expect(lines.map((l) => l.purgedAt)).toEqual([...lines.map((l) => l.purgedAt)].sort().reverse());
    expect(lines).toContainEqual(expect.objectContaining({ kind: "case", name: purgedLabel }));
    expect(lines).toContainEqual(expect.objectContaining({ kind: "report", name: purgedReference, cause: "retention_end" }));
    const since = await purgeLogLines(ctx(), today);
    expect(since.some((l) => l.name.startsWith("LIVC-PAGE-"))).toBe(false);
    expect(since.map((l) => l.name)).toEqual(expect.arrayContaining([purgedLabel, purgedReference]));
  });
});

describe("schakel purge log (real process, SQLite)", () => {
  it("prints the logged purges as lines or JSON, --since narrows, a bad date is refused", async () => {
    const key = randomBytes(32).toString("base64");
    const ctx = await openTestContext("sqlite", { SCHAKEL_MASTER_KEY: key });
    const livc = await makeLivc(ctx, "PLOG");
    const chair = await makeActor(ctx, [{ livcId: livc, role: "chair" }]);
    const c = await openCaseFromScreening(ctx, { actor: chair }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Greta Verzonnen", dateOfBirth: "1980-01-01" }, screeningDecision: "take_up", openedOn: "2010-01-01" });
    await transitionCase(ctx, { actor: chair }, c.id, "close", { reason: "concern_addressed", today: "2010-06-01" });
    const reference = await putReport(ctx, livc, chair.userId, "2012-01-01");
    await runRetentionPurge(ctx, { today: "2026-01-01" });
    const url = ctx.database.url;
    await ctx.close();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [path.join(root, "bin/schakel.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: url, SCHAKEL_MASTER_KEY: key } });

    const text = run(["purge", "log"]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`case ${c.label}`);
    expect(text.stdout).toContain("identity 1");
    expect(text.stdout).toContain(`report ${reference}`);
    expect(text.stdout).toContain("2 purge(s).");
    expect(text.stdout).not.toContain("Greta");
    const json = run(["purge", "log", "--json", "--since", "2000-01-01"]);
    expect(json.status, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as { kind: string; name: string; removed: Record<string, number> }[];
    expect(rows.map((r) => r.kind).sort()).toEqual(["case", "report"]);
    expect(rows.find((r) => r.kind === "report")?.removed).toMatchObject({ report_content: 1 });
    expect(JSON.parse(run(["purge", "log", "--json", "--since", "2999-01-01"]).stdout)).toEqual([]);
    const bad = run(["purge", "log", "--since", "1-1-2026"]);
    expect(bad.status).toBe(2);
  }, 60_000);
});
