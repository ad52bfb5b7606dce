import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { openContext } from "../../platform/bootstrap";
import { buildApp } from "../../platform/web/app";
import { ARCHIVE_KEEP_PER_CAMPAIGN, failInterruptedJobs, jobById, STALE_JOB_MINUTES, startAdviceJob, writeAdviceArchive } from "./archive";
import type { ParticipationSource } from "./participation";
import { createCampaign } from "./service";
import * as store from "./store";

const source: ParticipationSource = {
  localGovernmentsOn: async () => [
    { nis: "90001", name: "Actiefdorp", province: "Limburg", livcId: "l1", livcName: "LIVC Actiefdorp" },
    { nis: "90002", name: "Stilgem", province: "Limburg", livcId: null, livcName: null },
  ],
  sectorsPresentIn: async () => ["clb", "caw"],
  sectorsTakingPartIn: async () => ["caw"],
  activityOf: async () => ({ hasLivc: true, consultations: 1, partnerSectors: 1, readinessDone: 3, readinessTotal: 6 }),
};

/** Decision 0069 (ops audit s8, finding 14): interrupted jobs end, and any instance serves the archive. */
describeEachDialect("awareness archive jobs across restarts and instances", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let campaignId: string;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    campaignId = await createCampaign(ctx().database.db, { name: "Ronde herstart", year: 2026, description: "" });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

  it("at start, a job a stopped process left running is marked interrupted; its page says so in nl, fr and en and stops polling", async () => {
    const db = ctx().database.db;
    const dead = await store.insertJob(db, { campaign_id: campaignId, total: 285, created_by: null });
    await store.updateJob(db, dead, { done: 40 });
    await db.updateTable("awareness_job").set({ updated_at: minutesAgo(STALE_JOB_MINUTES + 1), created_at: minutesAgo(STALE_JOB_MINUTES + 2) }).where("id", "=", dead).execute();
    const live = await store.insertJob(db, { campaign_id: campaignId, total: 285, created_by: null });
    await store.updateJob(db, live, { done: 10 });
    // A new server start (another buildApp on the same database) sweeps.
    const restarted = await buildApp(ctx(), { logger: false });
    await restarted.close();
    expect((await store.jobById(db, dead))).toMatchObject({ status: "failed", error: "interrupted" });
    expect((await store.jobById(db, live))?.status).toBe("running"); // progress a moment ago: another instance's job runs
    const texts = { nl: "onderbroken doordat de server herstartte", fr: "interrompue par un redémarrage du serveur", en: "interrupted by a server restart" };
    for (const [lang, text] of Object.entries(texts)) {
      const page = await app.inject({ method: "GET", url: `/awareness/jobs/${dead}?lang=${lang}`, headers: admin.headers() });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(text);
      expect(page.body).not.toContain("hx-get");
      expect(page.body).toContain(`href="/awareness/campaigns/${campaignId}/advice"`);
    }
    const fragment = await app.inject({ method: "GET", url: `/awareness/jobs/${dead}/status`, headers: admin.headers() });
    expect(fragment.body).not.toContain("hx-get");
    expect((await app.inject({ method: "GET", url: `/awareness/jobs/${dead}/download`, headers: admin.headers() })).statusCode).toBe(404);
    await store.failStaleJobs(db, new Date(Date.now() + 60_000).toISOString(), live);
  });

  it("a running job that goes silent is marked interrupted when its page polls, without any restart", async () => {
    const db = ctx().database.db;
    const id = await store.insertJob(db, { campaign_id: campaignId, total: 10, created_by: null });
    const poll = async () => (await app.inject({ method: "GET", url: `/awareness/jobs/${id}/status`, headers: admin.headers() })).body;
    expect(await poll()).toContain("hx-get");
    await db.updateTable("awareness_job").set({ created_at: minutesAgo(STALE_JOB_MINUTES + 1) }).where("id", "=", id).execute();
    const body = await poll();
    expect(body).not.toContain("hx-get");
    expect(body).toContain("onderbroken");
    expect(await failInterruptedJobs(ctx())).toBe(0);
  });

  it("an archive built on one instance downloads from another (it is in the database)", async () => {
    const other = await openContext({ config: ctx().config });
    const otherApp = await buildApp(other, { logger: false });
    try {
      const jobId = await startAdviceJob(ctx(), campaignId, null, "nl", source);
      await expect.poll(async () => (await jobById(ctx(), jobId))?.status, { timeout: 30_000, interval: 100 }).toBe("done");
      const session = await login(otherApp, await createUser(other, { platformRoles: ["admin"] }));
      const page = await otherApp.inject({ method: "GET", url: `/awareness/jobs/${jobId}`, headers: session.headers() });
      expect(page.body).toContain(`/awareness/jobs/${jobId}/download`);
      const download = await otherApp.inject({ method: "GET", url: `/awareness/jobs/${jobId}/download`, headers: session.headers() });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.subarray(0, 2).toString()).toBe("PK");
    } finally {
      await otherApp.close();
      await other.close();
    }
  }, 40_000);

  it("keeps the newest archives of a campaign only; a dropped one says so instead of offering a download", async () => {
    const db = ctx().database.db;
    const campaign = await createCampaign(db, { name: "Ronde bewaren", year: 2026, description: "" });
    const ids: string[] = [];
    for (let i = 0; i <= ARCHIVE_KEEP_PER_CAMPAIGN; i++) {
      const id = await store.insertJob(db, { campaign_id: campaign, total: 1, created_by: null });
      await store.storeJobArchive(db, { job_id: id, campaign_id: campaign, zip: Buffer.from(`PK-${i}`) }, ARCHIVE_KEEP_PER_CAMPAIGN, minutesAgo(7 * 24 * 60));
      await store.updateJob(db, id, { status: "done", done: 1 });
      ids.push(id);
      await new Promise((r) => setTimeout(r, 5)); // distinct created_at
    }
    expect((await store.jobById(db, ids[0]))?.archive_bytes).toBeNull();
    expect((await store.jobById(db, ids[ARCHIVE_KEEP_PER_CAMPAIGN]))?.archive_bytes).toBe(4);
    const page = await app.inject({ method: "GET", url: `/awareness/jobs/${ids[0]}`, headers: admin.headers() });
    expect(page.body).toContain("niet meer bewaard");
    expect(page.body).not.toContain("/download");
    const newest = await app.inject({ method: "GET", url: `/awareness/jobs/${ids[ARCHIVE_KEEP_PER_CAMPAIGN]}/download`, headers: admin.headers() });
    expect(newest.body).toBe(`PK-${ARCHIVE_KEEP_PER_CAMPAIGN}`);
  });

  it("an archive past its size bound is refused: the job fails with 'too large'", async () => {
    await expect(writeAdviceArchive(ctx(), campaignId, { source, maxBytes: 2000 })).rejects.toThrow("too_large");
    const small = await writeAdviceArchive(ctx(), campaignId, { source });
    expect(small.zip!.subarray(0, 2).toString()).toBe("PK");
    expect(small.zipPath).toBeNull();
  }, 30_000);
});
