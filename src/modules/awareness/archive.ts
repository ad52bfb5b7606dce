/**
 * One PDF per municipality plus one ZIP of them all. Used by the CLI (progress bar) and by the
 * background job of the UI (progress in awareness_job).
 */
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { todayInBrussels } from "../../platform/db/values";
import type { Locale } from "../../platform/i18n";
import { advicePdf } from "./pdf";
import type { ParticipationSource } from "./participation";
import { campaignAdvice, campaignById } from "./service";
import * as store from "./store";

const slug = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

export const adviceFileName = (position: number, nis: string, name: string) => `advies-${String(position).padStart(3, "0")}-${nis}-${slug(name)}.pdf`;

export interface ArchiveResult { dir: string | null; files: string[]; zipPath: string | null; zip: Buffer | null }

/**
 * Builds every municipality's advice PDF and one ZIP of them all. With `dir` (the CLI) the PDFs and the ZIP
 * are written there; without it (the background job) nothing touches the disk and the ZIP comes back in
 * memory, refused past `maxBytes`.
 */
export async function writeAdviceArchive(
  ctx: AppContext,
  campaignId: string,
  opts: { dir?: string; date?: string; locale?: Locale; source?: ParticipationSource; maxBytes?: number; onStart?: (total: number) => void; onProgress?: (done: number, total: number) => void | Promise<void> },
): Promise<ArchiveResult> {
  const campaign = await campaignById(ctx.database.db, campaignId);
  if (!campaign) throw new Error(`Unknown campaign ${campaignId}`);
  const date = opts.date ?? todayInBrussels();
  const all = await campaignAdvice(ctx, campaignId, date, opts.source);
  opts.onStart?.(all.length);
  const dir = opts.dir ?? null;
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const { default: yazl } = await import("yazl"); // on first use: not part of every start-up (issue 9)
  const zip = new yazl.ZipFile();
  const zipPath = dir ? path.join(dir, `advies-${slug(campaign.name)}-${date}.zip`) : null;
  const chunks: Buffer[] = [];
  let bytes = 0;
  const written = new Promise<void>((resolve, reject) => {
    if (zipPath) {
      const out = fs.createWriteStream(zipPath);
      out.on("close", () => resolve());
      out.on("error", reject);
      zip.outputStream.pipe(out);
      return;
    }
    zip.outputStream.on("data", (c: Buffer) => {
      bytes += c.length;
      if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
        (zip.outputStream as unknown as Readable).destroy(new ArchiveTooLarge());
        return;
      }
      chunks.push(c);
    });
    zip.outputStream.on("end", () => resolve());
    zip.outputStream.on("error", reject);
  });
  written.catch(() => {}); // observed below; a refused size must not be an unhandled rejection meanwhile
  const files: string[] = [];
  for (const [i, advice] of all.entries()) {
    const pdf = await advicePdf({ advice, of: all.length, campaignName: campaign.name, date, locale: opts.locale ?? "nl" });
    const name = adviceFileName(advice.position, advice.government.nis, advice.government.name);
    if (dir) fs.writeFileSync(path.join(dir, name), pdf);
    zip.addBuffer(pdf, name);
    files.push(name);
    await opts.onProgress?.(i + 1, all.length);
    if (opts.maxBytes !== undefined && bytes > opts.maxBytes) break;
    // A PDF is ~100 ms of synchronous work and, on SQLite, every query resolves without I/O: without this
    // the loop held the event loop for the whole archive (~25 s for 285 municipalities) and every other
    // request waited (the stress fuzz timed out on it). Let waiting requests in after each document.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  zip.end();
  await written;
  return { dir, files, zipPath, zip: zipPath ? null : Buffer.concat(chunks) };
}

/** The ZIP passed ARCHIVE_MAX_BYTES. */
export class ArchiveTooLarge extends Error {
  constructor() {
    super("too_large");
  }
}

/**
 * Decision 0069: the finished archive is stored in the database (it holds aggregates only) so any instance
 * serves it, up to 64 MiB (all 285 municipalities measured 8.4 MB, 11.2 MB as base64), kept 7 days and at most the 5 newest per
 * campaign.
 */
export const ARCHIVE_MAX_BYTES = 64 * 1024 * 1024;
export const ARCHIVE_KEEP_DAYS = 7;
export const ARCHIVE_KEEP_PER_CAMPAIGN = 5;
/**
 * A running job writes its progress every 10 documents (about a second); one silent this long belongs to
 * a process that stopped (a restart, a crash), on this instance or another, and is marked interrupted.
 */
export const STALE_JOB_MINUTES = 5;

const staleBefore = (now = Date.now()) => new Date(now - STALE_JOB_MINUTES * 60_000).toISOString();

/** At start (the awareness routes' registration): jobs left `running` by a stopped process become failed, "interrupted". */
export const failInterruptedJobs = (ctx: AppContext, now = Date.now()) => store.failStaleJobs(ctx.database.db, staleBefore(now));

/** The archive jobs this process is running, by campaign and language (a repeated start joins the running one). */
const running = new Map<string, Promise<string>>();

/**
 * Starts the archive as a background job; progress and the result are in awareness_job. While a job of
 * the same campaign and language runs in this process, a new start joins it (its id; `record` is still
 * called, in a transaction of its own, so every request is audited) instead of starting another: a job is
 * minutes of PDF work, and repeated posts (a double click, a script, the stress fuzz) piled them up.
 */
export async function startAdviceJob(
  ctx: AppContext,
  campaignId: string,
  userId: string | null,
  locale: Locale,
  source?: ParticipationSource,
  /** Runs in the job row's transaction (its audit entry, with { db: trx }); the work starts after the commit. */
  record?: (trx: Kysely<DB>, jobId: string) => Promise<unknown>,
): Promise<string> {
  const key = `${campaignId}|${locale}`;
  const current = running.get(key);
  if (current) {
    const jobId = await current;
    if (record) await ctx.database.db.transaction().execute((trx) => record(trx, jobId));
    return jobId;
  }
  const started = runAdviceJob(ctx, campaignId, userId, locale, source, record, () => {
    if (running.get(key) === started) running.delete(key);
  });
  running.set(key, started);
  return started;
}

async function runAdviceJob(
  ctx: AppContext,
  campaignId: string,
  userId: string | null,
  locale: Locale,
  source: ParticipationSource | undefined,
  record: ((trx: Kysely<DB>, jobId: string) => Promise<unknown>) | undefined,
  finished: () => void,
): Promise<string> {
  let jobId: string;
  try {
    jobId = await ctx.database.db.transaction().execute(async (trx) => {
      const id = await store.insertJob(trx, { campaign_id: campaignId, total: 0, created_by: userId });
      if (record) await record(trx, id);
      return id;
    });
  } catch (e) {
    finished(); // no job: the next start tries again
    throw e;
  }
  void (async () => {
    try {
      let last = 0;
      const result = await writeAdviceArchive(ctx, campaignId, {
        locale,
        source,
        maxBytes: ARCHIVE_MAX_BYTES,
        onStart: (total) => void store.updateJob(ctx.database.db, jobId, { total }),
        onProgress: async (done, total) => {
          // Write progress every 10 documents (and the last) to keep the database quiet; it is also the job's sign of life.
          if (done - last >= 10 || done === total) {
            last = done;
            await store.updateJob(ctx.database.db, jobId, { done, total });
          }
        },
      });
      await store.storeJobArchive(ctx.database.db, { job_id: jobId, campaign_id: campaignId, zip: result.zip! }, ARCHIVE_KEEP_PER_CAMPAIGN, new Date(Date.now() - ARCHIVE_KEEP_DAYS * 86_400_000).toISOString());
      await store.updateJob(ctx.database.db, jobId, { status: "done" });
    } catch (e) {
      await store.updateJob(ctx.database.db, jobId, { status: "failed", error: e instanceof ArchiveTooLarge ? "too_large" : (e as Error).message.slice(0, 500) }).catch(() => {});
    } finally {
      finished();
    }
  })();
  return jobId;
}

/**
 * A job with its archive's size (null: none stored). A `running` job silent for STALE_JOB_MINUTES is
 * marked interrupted when read, so its progress page stops polling even when no instance restarts again.
 */
export async function jobById(ctx: AppContext, id: string) {
  const job = await store.jobById(ctx.database.db, id);
  if (job?.status !== "running" || (job.updated_at ?? job.created_at) >= staleBefore()) return job;
  await store.failStaleJobs(ctx.database.db, staleBefore(), id);
  return store.jobById(ctx.database.db, id);
}

/** The stored ZIP of a finished job. */
export const jobArchive = (ctx: AppContext, id: string) => store.jobArchive(ctx.database.db, id);
