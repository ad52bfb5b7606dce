/**
 * Awareness round use cases: campaigns, sessions, the questionnaire, survey links and responses,
 * analysis and the advice per local government.
 */
import { createHash } from "node:crypto";
import { randomBytesPooled } from "../../platform/crypto/random";
import type { Kysely } from "kysely";
import type { AppContext } from "../../platform/context";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { todayInBrussels } from "../../platform/db/values";
import type { Sector } from "../identity/sectors";
import { municipalitiesOn } from "../reference/service";
import { type Advice, adviceForAll, adviceForLivc, type SectorObjections } from "./advice";
import { cachedAdvice } from "./advice-cache";
import { type AnalysisFilter, analyse, objectionsBySector } from "./analysis";
import type { LinkKind } from "./migrations";
import { listOrganisations, type ParticipationSource, platformParticipationSource } from "./participation";
import type { CampaignInput, QuestionInput, SessionInput } from "./schema";
import * as store from "./store";

export { OBJECTIONS, type Objection } from "./objections";
export type { Advice } from "./advice";
export { adviceRevision } from "./advice-cache";
export { LINK_ORGANISATION_LIMIT, listOrganisations, organisationsForLinks, type ParticipationSource } from "./participation";

/** A request the user can correct; field names the form field, code picks the message. */
export class AwarenessInputError extends Error {
  constructor(
    readonly field: string,
    readonly code: string,
    readonly params: Record<string, string> = {},
  ) {
    super(`${field}: ${code}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Campaigns, sessions, questionnaire

export const listCampaigns = (db: Kysely<DB>) => store.listCampaigns(db);
export const campaignById = (db: Kysely<DB>, id: string) => store.campaignById(db, id);
export const createCampaign = (db: Kysely<DB>, c: CampaignInput) => store.insertCampaign(db, c);
export const listSessions = (db: Kysely<DB>, campaignId: string) => store.listSessions(db, campaignId);
export const questionnaire = (db: Kysely<DB>, campaignId: string) => store.questionnaire(db, campaignId);
export const addQuestion = (db: Kysely<DB>, campaignId: string, q: QuestionInput) => store.insertQuestion(db, { campaign_id: campaignId, ...q });

/** The provinces (names) of the municipalities in force on the date. */
export async function provincesOn(db: Kysely<DB>, date = todayInBrussels()): Promise<string[]> {
  return [...new Set((await municipalitiesOn(db, date)).map((m) => m.province))].sort((a, b) => a.localeCompare(b, "nl"));
}

/** Records a session; the NIS codes must be municipalities that existed on the session's date. */
export async function addSession(db: Kysely<DB>, campaignId: string, s: SessionInput): Promise<string> {
  const existing = await municipalitiesOn(db, s.held_on);
  if (s.province && !existing.some((m) => m.province === s.province)) throw new AwarenessInputError("province", "unknown_province");
  const known = new Set(existing.map((m) => m.nis));
  const unknown = s.municipalities.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new AwarenessInputError("municipalities", "unknown_nis", { nis: unknown.join(", "), date: s.held_on });
  return store.insertSession(db, { campaign_id: campaignId, ...s });
}

// ---------------------------------------------------------------------------------------------
// Survey links: random 256-bit tokens, only their SHA-256 is stored.

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");
const newToken = () => randomBytesPooled(32).toString("base64url");

export interface NewLink { token: string; kind: LinkKind; sector: Sector; province: string; organisationName: string | null }

export async function createOrganisationLink(ctx: AppContext, campaignId: string, organisationId: string, province: string): Promise<NewLink> {
  const db = ctx.database.db;
  const org = (await listOrganisations(ctx)).find((o) => o.id === organisationId);
  if (!org) throw new AwarenessInputError("organisation_id", "unknown_organisation");
  if (!(await provincesOn(db)).includes(province)) throw new AwarenessInputError("province", "unknown_province");
  const token = newToken();
  await store.insertLink(db, {
    campaign_id: campaignId,
    token_hash: hashToken(token),
    kind: "organisation",
    organisation_id: org.id,
    sector: org.sector,
    province,
    created_on: todayInBrussels(),
  });
  return { token, kind: "organisation", sector: org.sector, province, organisationName: org.name };
}

/** Anonymous links carry only the sector and province the analyst chose: no organisation. */
export async function createAnonymousLinks(db: Kysely<DB>, campaignId: string, sector: Sector, province: string, count: number): Promise<NewLink[]> {
  if (!(await provincesOn(db)).includes(province)) throw new AwarenessInputError("province", "unknown_province");
  const links: NewLink[] = [];
  for (let i = 0; i < count; i++) {
    const token = newToken();
    await store.insertLink(db, {
      campaign_id: campaignId,
      token_hash: hashToken(token),
      kind: "anonymous",
      organisation_id: null,
      sector,
      province,
      created_on: todayInBrussels(),
    });
    links.push({ token, kind: "anonymous", sector, province, organisationName: null });
  }
  return links;
}

export const linkCounts = (db: Kysely<DB>, campaignId: string) => store.linkCounts(db, campaignId);

export type LinkState = { state: "unknown" } | { state: "used" } | { state: "open"; link: NonNullable<Awaited<ReturnType<typeof store.linkByTokenHash>>> };

export async function linkState(db: Kysely<DB>, token: string): Promise<LinkState> {
  const link = await store.linkByTokenHash(db, hashToken(token));
  if (!link) return { state: "unknown" };
  if (Number(link.used) === 1) return { state: "used" };
  return { state: "open", link };
}

export class LinkUsedError extends Error {}
export class LinkUnknownError extends Error {}

export type RawAnswers = Record<string, unknown>;

/** Checks the answers against the questionnaire; returns the rows to store or the errors per question. */
export function readAnswers(questions: store.QuestionRow[], body: RawAnswers) {
  const rows: { question_id: string; option_id: string | null; scale_value: number | null; text_value: string | null }[] = [];
  const errors: { field: string; code: "required" | "invalid" | "too_long"; questionId: string }[] = [];
  for (const q of questions) {
    const field = `q_${q.id}`;
    const raw = body[field];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String).filter((v) => v.trim() !== "");
    if (values.length === 0) {
      if (q.required) errors.push({ field, code: "required", questionId: q.id });
      continue;
    }
    if (q.kind === "single" || q.kind === "multiple") {
      const ids = new Set(q.options.map((o) => o.id));
      const chosen = [...new Set(values)];
      if (chosen.some((v) => !ids.has(v)) || (q.kind === "single" && chosen.length > 1)) {
        errors.push({ field, code: "invalid", questionId: q.id });
        continue;
      }
      for (const v of chosen) rows.push({ question_id: q.id, option_id: v, scale_value: null, text_value: null });
    } else if (q.kind === "scale") {
      const n = Number(values[0]);
      if (values.length > 1 || !Number.isInteger(n) || n < 1 || n > 5) errors.push({ field, code: "invalid", questionId: q.id });
      else rows.push({ question_id: q.id, option_id: null, scale_value: n, text_value: null });
    } else {
      const t = values[0].trim();
      if (t.length > 2000) errors.push({ field, code: "too_long", questionId: q.id });
      else rows.push({ question_id: q.id, option_id: null, scale_value: null, text_value: t });
    }
  }
  return { rows, errors };
}

/**
 * Stores one response for a link, once. The response keeps the link's sector and province and,
 * for a per-organisation link only, its organisation; never the link, an IP or a time of day.
 */
export async function submitResponse(database: Database, token: string, body: RawAnswers) {
  const state = await linkState(database.db, token);
  if (state.state === "unknown") throw new LinkUnknownError();
  if (state.state === "used") throw new LinkUsedError();
  const link = state.link;
  const questions = await store.questionnaire(database.db, link.campaign_id);
  const { rows, errors } = readAnswers(questions, body);
  if (errors.length > 0) return { ok: false as const, errors, questions };
  await database.db.transaction().execute(async (trx) => {
    if (!(await store.claimLink(trx, link.id))) throw new LinkUsedError();
    await store.insertResponse(
      trx,
      {
        campaign_id: link.campaign_id,
        anonymous: link.kind === "anonymous",
        organisation_id: link.kind === "organisation" ? link.organisation_id : null,
        sector: link.sector,
        province: link.province,
        submitted_on: todayInBrussels(),
      },
      rows,
    );
  });
  return { ok: true as const };
}

// ---------------------------------------------------------------------------------------------
// Analysis and advice

export async function campaignAnalysis(db: Kysely<DB>, campaignId: string, filter: AnalysisFilter = {}) {
  const [questions, { responses, answers }] = await Promise.all([store.questionnaire(db, campaignId), store.responsesOf(db, campaignId)]);
  return { questions, analysis: analyse(questions, responses, answers, filter) };
}

export async function sectorObjections(db: Kysely<DB>, campaignId: string): Promise<SectorObjections> {
  const [questions, { responses, answers }] = await Promise.all([store.questionnaire(db, campaignId), store.responsesOf(db, campaignId)]);
  return objectionsBySector(questions, responses, answers);
}

/**
 * The advice for every local government on the date, least active first: computed once per input
 * revision, campaign and date (advice-cache.ts, decision 0037). A source passed in (tests, the
 * archive's tests) is computed fresh and not cached.
 */
export async function campaignAdvice(ctx: AppContext, campaignId: string, date = todayInBrussels(), source?: ParticipationSource): Promise<readonly Advice[]> {
  const db = ctx.database.db;
  if (source) return adviceForAll(source, await sectorObjections(db, campaignId), date);
  const { value } = await cachedAdvice(db, `all|${campaignId}|${date}`, async () =>
    adviceForAll(platformParticipationSource(ctx), await sectorObjections(db, campaignId), date),
  );
  return value;
}

export async function municipalityAdvice(ctx: AppContext, campaignId: string, nis: string, date = todayInBrussels()): Promise<{ advice: Advice; of: number } | null> {
  const all = await campaignAdvice(ctx, campaignId, date);
  const advice = all.find((a) => a.government.nis === nis);
  return advice ? { advice, of: all.length } : null;
}

export async function livcAdvice(ctx: AppContext, campaignId: string, livcId: string, date = todayInBrussels()) {
  const db = ctx.database.db;
  const { value } = await cachedAdvice(db, `livc|${campaignId}|${livcId}|${date}`, async () =>
    adviceForLivc(platformParticipationSource(ctx), await sectorObjections(db, campaignId), livcId, date),
  );
  return value;
}

export const markAdviceSent = (db: Kysely<DB>, campaignId: string, nis: string, sentOn: string, userId: string | null) =>
  store.insertAdviceSent(db, { campaign_id: campaignId, nis, sent_on: sentOn, recorded_by: userId });

/** Per municipality, the last date its advice was sent. */
export async function adviceSent(db: Kysely<DB>, campaignId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await store.adviceSentOf(db, campaignId)) out.set(r.nis, r.sent_on);
  return out;
}
