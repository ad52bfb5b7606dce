import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { jobById, startAdviceJob, writeAdviceArchive } from "./archive";
import type { ParticipationSource } from "./participation";
import { createCampaign } from "./service";
import * as store from "./store";

const source: ParticipationSource = {
  localGovernmentsOn: async () => [
    { nis: "90001", name: "Actiefdorp", province: "Limburg", livcId: "l1", livcName: "LIVC Actiefdorp" },
    { nis: "90002", name: "Stilgem", province: "Limburg", livcId: null, livcName: null },
    { nis: "90003", name: "Middenveld", province: "Limburg", livcId: "l3", livcName: "LIVC Middenveld" },
  ],
  sectorsPresentIn: async () => ["clb", "caw"],
  sectorsTakingPartIn: async (livcId) => (livcId === "l1" ? ["clb", "caw"] : ["caw"]),
  activityOf: async (nis) =>
    nis === "90001"
      ? { hasLivc: true, consultations: 8, partnerSectors: 2, readinessDone: 6, readinessTotal: 6 }
      : nis === "90003"
        ? { hasLivc: true, consultations: 1, partnerSectors: 1, readinessDone: 3, readinessTotal: 6 }
        : { hasLivc: false, consultations: 0, partnerSectors: 0, readinessDone: 0, readinessTotal: 0 },
};

describeEachDialect("awareness advice archive and job pages", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let campaignId: string;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    campaignId = await createCampaign(ctx().database.db, { name: "Ronde archief", year: 2025, description: "" });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("writes one PDF per municipality, least active first, and a ZIP with all of them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-archive-"));
    const progress: number[] = [];
    const result = await writeAdviceArchive(ctx(), campaignId, { dir, date: "2025-06-01", source, onProgress: (done) => void progress.push(done) });
    expect(result.files).toEqual(["advies-001-90002-stilgem.pdf", "advies-002-90003-middenveld.pdf", "advies-003-90001-actiefdorp.pdf"]);
    expect(progress).toEqual([1, 2, 3]);
    const listing = execFileSync("unzip", ["-Z1", result.zipPath!], { encoding: "utf8" }).trim().split("\n");
    expect(listing).toEqual(result.files);
    const text = execFileSync("pdftotext", [path.join(dir, result.files[1]), "-"], { encoding: "utf8" });
    expect(text).toContain("Middenveld");
    expect(text).toContain("CLB");
  }, 60_000);

  it("shows a running job with htmx polling and a plain refresh link, then the download", async () => {
    const db = ctx().database.db;
    const jobId = await store.insertJob(db, { campaign_id: campaignId, total: 285, created_by: null });
    await store.updateJob(db, jobId, { done: 40 });
    const running = await app.inject({ method: "GET", url: `/awareness/jobs/${jobId}`, headers: analyst.headers() });
    expect(running.statusCode).toBe(200);
    expect(running.body).toContain("Bezig: 40 van 285 adviezen aangemaakt.");
    expect(running.body).toContain(`hx-get="/awareness/jobs/${jobId}/status"`);
    expect(running.body).toContain(`href="/awareness/jobs/${jobId}"`);
    const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schakel-job-")), "a.zip");
    fs.writeFileSync(zip, "PK-test");
    await store.updateJob(db, jobId, { status: "done", done: 285, file_path: zip });
    const fragment = await app.inject({ method: "GET", url: `/awareness/jobs/${jobId}/status`, headers: analyst.headers() });
    expect(fragment.body).not.toContain("hx-get");
    expect(fragment.body).toContain(`/awareness/jobs/${jobId}/download`);
    const download = await app.inject({ method: "GET", url: `/awareness/jobs/${jobId}/download`, headers: analyst.headers() });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toBe("application/zip");
    expect(download.body).toBe("PK-test");
  });

  it("runs the archive as a background job and records its progress until done", async () => {
    const jobId = await startAdviceJob(ctx(), campaignId, null, "fr", source);
    await expect.poll(async () => (await jobById(ctx(), jobId))?.status, { timeout: 30_000, interval: 200 }).toBe("done");
    const job = (await jobById(ctx(), jobId))!;
    expect([job.done, job.total]).toEqual([3, 3]);
    // Decision 0069: the ZIP is in the database, not on this process's disk.
    expect(job.file_path).toBeNull();
    expect(job.archive_bytes).toBeGreaterThan(1000);
    const download = await app.inject({ method: "GET", url: `/awareness/jobs/${jobId}/download`, headers: analyst.headers() });
    expect(download.rawPayload.subarray(0, 2).toString()).toBe("PK");
    expect(download.rawPayload.length).toBe(job.archive_bytes);
    const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schakel-job-")), "a.zip");
    fs.writeFileSync(zip, download.rawPayload);
    expect(execFileSync("unzip", ["-Z1", zip], { encoding: "utf8" }).trim().split("\n")).toHaveLength(3);
  }, 40_000);

  it("lets other work run between two documents instead of holding the event loop for the whole archive", async () => {
    // A PDF is synchronous work and SQLite answers without I/O: the stress fuzz found the server deaf for ~25 s a job.
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-archive-"));
      await writeAdviceArchive(ctx(), campaignId, { dir, date: "2025-06-01", source, onProgress: () => void seen.push(ticks) });
    } finally {
      ticking = false;
    }
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[2]).toBeGreaterThan(seen[1]);
  });

  it("joins a running job of the same campaign and language instead of starting another; each start is recorded", async () => {
    const db = ctx().database.db;
    const campaign = await createCampaign(db, { name: "Ronde dubbel", year: 2025, description: "" });
    const jobsOf = async () => (await db.selectFrom("awareness_job").select("id").where("campaign_id", "=", campaign).execute()).map((r) => r.id);
    const recorded: string[] = [];
    const record = async (_trx: unknown, id: string) => void recorded.push(id);
    const first = await startAdviceJob(ctx(), campaign, null, "nl", source, record);
    const again = await Promise.all([startAdviceJob(ctx(), campaign, null, "nl", source, record), startAdviceJob(ctx(), campaign, null, "nl", source, record)]);
    expect(again).toEqual([first, first]);
    const french = await startAdviceJob(ctx(), campaign, null, "fr", source, record);
    expect(french).not.toBe(first);
    expect((await jobsOf()).sort()).toEqual([first, french].sort());
    expect(recorded).toEqual([first, first, first, french]);
    for (const id of [first, french]) await expect.poll(async () => (await jobById(ctx(), id))?.status, { timeout: 30_000, interval: 100 }).toBe("done");
    // Once it is done, a start makes a new job (with the data of that moment).
    const later = await startAdviceJob(ctx(), campaign, null, "nl", source, record);
    expect([first, french]).not.toContain(later);
    await expect.poll(async () => (await jobById(ctx(), later))?.status, { timeout: 30_000, interval: 100 }).toBe("done");
    expect(await jobsOf()).toHaveLength(3);
  }, 60_000);
});
