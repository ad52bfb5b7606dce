/**
 * One PDF per municipality plus one ZIP of them all. Used by the CLI (progress bar) and by the
 * background job of the UI (progress in awareness_job).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import yazl from "yazl";
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

export interface ArchiveResult { dir: string; files: string[]; zipPath: string }

export async function writeAdviceArchive(
  ctx: AppContext,
  campaignId: string,
  opts: { dir: string; date?: string; locale?: Locale; source?: ParticipationSource; onStart?: (total: number) => void; onProgress?: (done: number, total: number) => void | Promise<void> },
): Promise<ArchiveResult> {
  const campaign = await campaignById(ctx.database.db, campaignId);
  if (!campaign) throw new Error(`Unknown campaign ${campaignId}`);
  const date = opts.date ?? todayInBrussels();
  const all = await campaignAdvice(ctx, campaignId, date, opts.source);
  opts.onStart?.(all.length);
  fs.mkdirSync(opts.dir, { recursive: true });
  const zip = new yazl.ZipFile();
  const zipPath = path.join(opts.dir, `advies-${slug(campaign.name)}-${date}.zip`);
  const written = new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(zipPath);
    out.on("close", () => resolve());
    out.on("error", reject);
    zip.outputStream.pipe(out);
  });
  const files: string[] = [];
  for (const [i, advice] of all.entries()) {
    const pdf = await advicePdf({ advice, of: all.length, campaignName: campaign.name, date, locale: opts.locale ?? "nl" });
    const name = adviceFileName(advice.position, advice.government.nis, advice.government.name);
    fs.writeFileSync(path.join(opts.dir, name), pdf);
    zip.addBuffer(pdf, name);
    files.push(name);
    await opts.onProgress?.(i + 1, all.length);
    // A PDF is ~100 ms of synchronous work and, on SQLite, every query resolves without I/O: without this
    // the loop held the event loop for the whole archive (~25 s for 285 municipalities) and every other
    // request waited (the stress fuzz timed out on it). Let waiting requests in after each document.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  zip.end();
  await written;
  return { dir: opts.dir, files, zipPath };
}

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
  const dir = path.join(os.tmpdir(), "schakel-advice", jobId);
  void (async () => {
    try {
      let last = 0;
      const result = await writeAdviceArchive(ctx, campaignId, {
        dir,
        locale,
        source,
        onStart: (total) => void store.updateJob(ctx.database.db, jobId, { total }),
        onProgress: async (done, total) => {
          // Write progress every 10 documents (and the last) to keep the database quiet.
          if (done - last >= 10 || done === total) {
            last = done;
            await store.updateJob(ctx.database.db, jobId, { done, total });
          }
        },
      });
      await store.updateJob(ctx.database.db, jobId, { status: "done", file_path: result.zipPath });
    } catch (e) {
      await store.updateJob(ctx.database.db, jobId, { status: "failed", error: (e as Error).message.slice(0, 500) }).catch(() => {});
    } finally {
      finished();
    }
  })();
  return jobId;
}

export const jobById = (ctx: AppContext, id: string) => store.jobById(ctx.database.db, id);
