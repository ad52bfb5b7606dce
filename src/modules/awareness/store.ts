import type { Kysely, Transaction } from "kysely";
import type { DB } from "../../platform/db/schema";
import { newId, nowIso, toCount } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import type { JobStatus, LinkKind, QuestionKind } from "./migrations";
import type { Objection } from "./objections";
import { extend } from "../../platform/objects";

// ---------------------------------------------------------------------------------------------
// The revision of the advice's awareness inputs (decision 0037): a token replaced in the same
// transaction as every write of a question (with its options), a response (with its answers) or a
// session. Campaigns, links, advice-sent records and jobs are not inputs and leave it alone.

/** Read on every advice request, before the rows (decision 0023). */
export async function revision(db: Kysely<DB>): Promise<string> {
  const row = await db.selectFrom("awareness_revision").select("token").where("id", "=", "current").executeTakeFirst();
  return row?.token ?? "none";
}

/** One statement (an upsert), so concurrent writers on PostgreSQL each leave a new token behind. */
export async function bumpRevision(db: Kysely<DB>): Promise<void> {
  const token = newId();
  const at = nowIso();
  await db
    .insertInto("awareness_revision")
    .values({ id: "current", token, changed_at: at })
    .onConflict((oc) => oc.column("id").doUpdateSet({ token, changed_at: at }))
    .execute();
}

/** Runs a write and the revision bump in one transaction (the caller's, when it passes one). */
function changing<T>(db: Kysely<DB>, write: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const run = async (trx: Kysely<DB>) => {
    const out = await write(trx);
    await bumpRevision(trx);
    return out;
  };
  return db.isTransaction ? run(db) : db.transaction().execute((trx: Transaction<DB>) => run(trx));
}

// ---------------------------------------------------------------------------------------------
// Campaigns and sessions

export const listCampaigns = (db: Kysely<DB>) => db.selectFrom("awareness_campaign").selectAll().orderBy("year", "desc").orderBy("name").execute();
export const campaignById = (db: Kysely<DB>, id: string) => db.selectFrom("awareness_campaign").selectAll().where("id", "=", id).executeTakeFirst();

export async function insertCampaign(db: Kysely<DB>, c: { name: string; year: number; description: string }): Promise<string> {
  const id = newId();
  await db.insertInto("awareness_campaign").values({ id, ...c, created_at: nowIso() }).execute();
  return id;
}

export interface SessionRow {
  id: string;
  campaign_id: string;
  held_on: string;
  sectors: Sector[];
  province: string | null;
  municipalities: string[];
  participants: number;
  materials: string;
}

export async function listSessions(db: Kysely<DB>, campaignId: string): Promise<SessionRow[]> {
  const rows = await db.selectFrom("awareness_session").selectAll().where("campaign_id", "=", campaignId).orderBy("held_on").orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    campaign_id: r.campaign_id,
    held_on: r.held_on,
    sectors: JSON.parse(r.sectors) as Sector[],
    province: r.province,
    municipalities: JSON.parse(r.municipalities) as string[],
    participants: Number(r.participants),
    materials: r.materials,
  }));
}

export async function insertSession(db: Kysely<DB>, s: Omit<SessionRow, "id">): Promise<string> {
  const id = newId();
  await changing(db, (trx) =>
    trx
      .insertInto("awareness_session")
      .values({
        id,
        campaign_id: s.campaign_id,
        held_on: s.held_on,
        sectors: JSON.stringify(s.sectors),
        province: s.province,
        municipalities: JSON.stringify(s.municipalities),
        participants: s.participants,
        materials: s.materials,
        created_at: nowIso(),
      })
      .execute(),
  );
  return id;
}

// ---------------------------------------------------------------------------------------------
// Questionnaire

export interface OptionRow { id: string; question_id: string; position: number; text_nl: string; text_fr: string; objection: Objection | null }
export interface QuestionRow { id: string; campaign_id: string; position: number; kind: QuestionKind; text_nl: string; text_fr: string; required: boolean; options: OptionRow[] }

export async function questionnaire(db: Kysely<DB>, campaignId: string): Promise<QuestionRow[]> {
  const questions = await db.selectFrom("awareness_question").selectAll().where("campaign_id", "=", campaignId).orderBy("position").execute();
  if (questions.length === 0) return [];
  const options = await db
    .selectFrom("awareness_option")
    .selectAll()
    .where(
      "question_id",
      "in",
      questions.map((q) => q.id),
    )
    .orderBy("position")
    .execute();
  return questions.map((q) => extend(q, {
    position: Number(q.position),
    required: Number(q.required) === 1,
    options: options.filter((o) => o.question_id === q.id).map((o) => extend(o, { position: Number(o.position) })),
  }));
}

export async function insertQuestion(
  db: Kysely<DB>,
  q: { campaign_id: string; kind: QuestionKind; text_nl: string; text_fr: string; required: boolean; options: { text_nl: string; text_fr: string; objection: Objection | null }[] },
): Promise<string> {
  const id = newId();
  await changing(db, async (trx) => {
    const last = await trx
      .selectFrom("awareness_question")
      .select((e) => e.fn.max("position").as("max"))
      .where("campaign_id", "=", q.campaign_id)
      .executeTakeFirst();
    const position = toCount(last?.max ?? 0) + 1;
    await trx
      .insertInto("awareness_question")
      .values({ id, campaign_id: q.campaign_id, position, kind: q.kind, text_nl: q.text_nl, text_fr: q.text_fr, required: q.required ? 1 : 0 })
      .execute();
    for (const [i, o] of q.options.entries()) {
      await trx.insertInto("awareness_option").values({ id: newId(), question_id: id, position: i + 1, ...o }).execute();
    }
  });
  return id;
}

// ---------------------------------------------------------------------------------------------
// Links and responses

export async function insertLink(
  db: Kysely<DB>,
  l: { campaign_id: string; token_hash: string; kind: LinkKind; organisation_id: string | null; sector: Sector; province: string; created_on: string },
): Promise<string> {
  const id = newId();
  await db.insertInto("awareness_link").values({ id, ...l, used: 0 }).execute();
  return id;
}

export const linkByTokenHash = (db: Kysely<DB>, tokenHash: string) =>
  db.selectFrom("awareness_link").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();

/** Claims a link for one response; false when another request claimed it first. */
export async function claimLink(db: Kysely<DB>, linkId: string): Promise<boolean> {
  const r = await db.updateTable("awareness_link").set({ used: 1 }).where("id", "=", linkId).where("used", "=", 0).executeTakeFirst();
  return toCount(r.numUpdatedRows) === 1;
}

export async function linkCounts(db: Kysely<DB>, campaignId: string) {
  const rows = await db
    .selectFrom("awareness_link")
    .select(["kind", "used", (e) => e.fn.countAll().as("n")])
    .where("campaign_id", "=", campaignId)
    .groupBy(["kind", "used"])
    .execute();
  return rows.map((r) => ({ kind: r.kind, used: Number(r.used) === 1, n: toCount(r.n) }));
}

export async function insertResponse(
  db: Kysely<DB>,
  r: { campaign_id: string; anonymous: boolean; organisation_id: string | null; sector: Sector; province: string; submitted_on: string },
  answers: { question_id: string; option_id: string | null; scale_value: number | null; text_value: string | null }[],
): Promise<string> {
  const id = newId();
  await changing(db, async (trx) => {
    await trx.insertInto("awareness_response").values({ id, ...r, anonymous: r.anonymous ? 1 : 0 }).execute();
    for (const a of answers) await trx.insertInto("awareness_answer").values({ id: newId(), response_id: id, ...a }).execute();
  });
  return id;
}

export interface ResponseRow { id: string; sector: Sector; province: string; anonymous: boolean }
export interface AnswerRow { response_id: string; question_id: string; option_id: string | null; scale_value: number | null; text_value: string | null }

export async function responsesOf(db: Kysely<DB>, campaignId: string): Promise<{ responses: ResponseRow[]; answers: AnswerRow[] }> {
  const responses = await db
    .selectFrom("awareness_response")
    .select(["id", "sector", "province", "anonymous"])
    .where("campaign_id", "=", campaignId)
    .orderBy("id")
    .execute();
  const answers = await db
    .selectFrom("awareness_answer")
    .innerJoin("awareness_response", "awareness_response.id", "awareness_answer.response_id")
    .select(["awareness_answer.response_id", "awareness_answer.question_id", "awareness_answer.option_id", "awareness_answer.scale_value", "awareness_answer.text_value"])
    .where("awareness_response.campaign_id", "=", campaignId)
    .execute();
  return {
    responses: responses.map((r) => extend(r, { anonymous: Number(r.anonymous) === 1 })),
    answers: answers.map((a) => extend(a, { scale_value: a.scale_value === null ? null : Number(a.scale_value) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Advice sent, jobs

export async function insertAdviceSent(db: Kysely<DB>, s: { campaign_id: string; nis: string; sent_on: string; recorded_by: string | null }) {
  await db.insertInto("awareness_advice_sent").values({ id: newId(), ...s, recorded_at: nowIso() }).execute();
}

export const adviceSentOf = (db: Kysely<DB>, campaignId: string) =>
  db.selectFrom("awareness_advice_sent").select(["nis", "sent_on", "recorded_at"]).where("campaign_id", "=", campaignId).orderBy("sent_on").orderBy("recorded_at").execute();

export async function insertJob(db: Kysely<DB>, j: { campaign_id: string; total: number; created_by: string | null }): Promise<string> {
  const id = newId();
  await db.insertInto("awareness_job").values({ id, ...j, status: "running", done: 0, file_path: null, error: null, created_at: nowIso(), finished_at: null }).execute();
  return id;
}

export async function updateJob(db: Kysely<DB>, id: string, j: { status?: JobStatus; done?: number; total?: number; file_path?: string; error?: string }) {
  const at = nowIso();
  const finished = j.status && j.status !== "running" ? { finished_at: at } : {};
  await db.updateTable("awareness_job").set(extend(j, extend(finished, { updated_at: at }))).where("id", "=", id).execute();
}

/**
 * Jobs still `running` without progress since `before` (their process stopped: a restart) become `failed`
 * with the reason "interrupted"; `id` limits it to one job. Returns how many.
 */
export async function failStaleJobs(db: Kysely<DB>, before: string, id?: string): Promise<number> {
  let q = db
    .updateTable("awareness_job")
    .set({ status: "failed", error: "interrupted", finished_at: nowIso() })
    .where("status", "=", "running")
    .where((eb) => eb(eb.fn.coalesce("updated_at", "created_at"), "<", before));
  if (id) q = q.where("id", "=", id);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** Stores a finished job's ZIP and drops archives past their keep (older than `dropBefore`, or beyond the campaign's newest `keep`). */
export async function storeJobArchive(db: Kysely<DB>, a: { job_id: string; campaign_id: string; zip: Buffer }, keep: number, dropBefore: string) {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("awareness_job_archive").values({ job_id: a.job_id, campaign_id: a.campaign_id, zip: a.zip.toString("base64"), bytes: a.zip.length, created_at: nowIso() }).execute();
    await trx.deleteFrom("awareness_job_archive").where("created_at", "<", dropBefore).execute();
    const newest = await trx.selectFrom("awareness_job_archive").select("job_id").where("campaign_id", "=", a.campaign_id).orderBy("created_at", "desc").orderBy("job_id").limit(keep).execute();
    await trx.deleteFrom("awareness_job_archive").where("campaign_id", "=", a.campaign_id).where("job_id", "not in", newest.map((r) => r.job_id)).execute();
  });
}

export async function jobArchive(db: Kysely<DB>, jobId: string): Promise<Buffer | undefined> {
  const r = await db.selectFrom("awareness_job_archive").select("zip").where("job_id", "=", jobId).executeTakeFirst();
  return r ? Buffer.from(r.zip, "base64") : undefined;
}

export async function jobById(db: Kysely<DB>, id: string) {
  const j = await db
    .selectFrom("awareness_job")
    .leftJoin("awareness_job_archive", "awareness_job_archive.job_id", "awareness_job.id")
    .selectAll("awareness_job")
    .select("awareness_job_archive.bytes as archive_bytes")
    .where("awareness_job.id", "=", id)
    .executeTakeFirst();
  return j ? extend(j, { done: Number(j.done), total: Number(j.total), archive_bytes: j.archive_bytes === null ? null : Number(j.archive_bytes) }) : undefined;
}
