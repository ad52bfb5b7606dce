import { createHash } from "node:crypto";
import { STANDARD_QUESTIONNAIRE } from "../awareness/questionnaire";
import { dateOfDay, dayNumber, type Rng } from "./random";
import type { Structure } from "./structure";
import type { BulkWriter } from "./writer";

type Row = Record<string, unknown>;

/** Five yearly awareness rounds: the standard questionnaire, sessions, links and anonymous-safe responses. */
export async function seedAwareness(w: BulkWriter, rng: Rng, s: Structure, opts: { scale: number; until: string; now: string }) {
  const lastYear = Number(opts.until.slice(0, 4));
  for (let year = lastYear - 4; year <= lastYear; year++) {
    const t: Record<string, Row[]> = { awareness_campaign: [], awareness_question: [], awareness_option: [], awareness_session: [], awareness_link: [], awareness_response: [], awareness_answer: [], awareness_advice_sent: [] };
    const campaign = rng.id();
    t.awareness_campaign.push({ id: campaign, name: `Sensibiliseringsronde ${year} (synthetisch)`, year, description: "Synthetische campagne voor de schaaltest.", created_at: `${year}-01-15T09:00:00.000Z` });
    const questions = STANDARD_QUESTIONNAIRE.map((q, i) => {
      const id = rng.id();
      t.awareness_question.push({ id, campaign_id: campaign, position: i + 1, kind: q.kind, text_nl: q.text_nl, text_fr: q.text_fr, required: q.required ? 1 : 0 });
      const options = q.options.map((o, j) => {
        const oid = rng.id();
        t.awareness_option.push({ id: oid, question_id: id, position: j + 1, text_nl: o.text_nl, text_fr: o.text_fr, objection: o.objection ?? null });
        return oid;
      });
      return { id, kind: q.kind, options };
    });
    const yearStart = dayNumber(`${year}-02-01`);
    const yearEnd = Math.min(dayNumber(`${year}-11-30`), dayNumber(opts.until));
    const sessions = Math.max(2, Math.round(40 * opts.scale));
    for (let i = 0; i < sessions; i++) {
      const l = s.livcs[rng.int(0, s.livcs.length - 1)];
      t.awareness_session.push({ id: rng.id(), campaign_id: campaign, held_on: dateOfDay(rng.int(yearStart, yearEnd)), sectors: JSON.stringify(["clb", "youth_work", "caw"]), province: rng.pick(s.provinces), municipalities: JSON.stringify(l.nis.slice(0, 3)), participants: rng.int(8, 45), materials: "Presentatie LIVC en decreet; brochure gedeeld beroepsgeheim", created_at: opts.now });
    }
    const responses = Math.max(10, Math.round(1500 * opts.scale));
    for (let i = 0; i < responses; i++) {
      const org = s.orgs[rng.int(0, s.orgs.length - 1)];
      const anonymous = rng.chance(0.3);
      const province = rng.pick(s.provinces);
      const linkId = rng.id();
      t.awareness_link.push({ id: linkId, campaign_id: campaign, token_hash: createHash("sha256").update(`${campaign}:${linkId}`).digest("hex"), kind: anonymous ? "anonymous" : "organisation", organisation_id: anonymous ? null : org.id, sector: org.sector, province, created_on: dateOfDay(yearStart), used: 1 });
      const response = rng.id();
      t.awareness_response.push({ id: response, campaign_id: campaign, anonymous: anonymous ? 1 : 0, organisation_id: anonymous ? null : org.id, sector: org.sector, province, submitted_on: dateOfDay(rng.int(yearStart, yearEnd)) });
      for (const q of questions) {
        const answer = (option: string | null, scale: number | null, text: string | null) => t.awareness_answer.push({ id: rng.id(), response_id: response, question_id: q.id, option_id: option, scale_value: scale, text_value: text });
        if (q.kind === "single") answer(rng.pick(q.options), null, null);
        else if (q.kind === "multiple") for (const o of q.options) rng.chance(0.25) && answer(o, null, null);
        else if (q.kind === "scale") answer(null, rng.int(1, 5), null);
        else if (rng.chance(0.2)) answer(null, null, "Duidelijke afspraken over het beroepsgeheim.");
      }
    }
    for (const l of s.livcs) if (rng.chance(0.5)) t.awareness_advice_sent.push({ id: rng.id(), campaign_id: campaign, nis: l.nis[0], sent_on: dateOfDay(yearEnd), recorded_by: null, recorded_at: opts.now });
    await w.write(Object.entries(t) as [never, Row[]][]);
  }
}
