/**
 * Survey analysis: pure functions over the stored responses. Every count here describes
 * organisations, so views and exports show 1 to 4 as "<5" (objections.ts: suppress).
 */
import type { Sector } from "../identity/sectors";
import { OBJECTIONS, type Objection } from "./objections";
import type { AnswerRow, QuestionRow, ResponseRow } from "./store";

export interface GroupFigures {
  group: string;
  responses: number;
  /** Responses that named the objection in at least one answer. */
  objections: Record<Objection, number>;
}

export interface ScaleFigures { questionId: string; text_nl: string; text_fr: string; counts: [number, number, number, number, number]; answered: number }
export interface FreeTextFigures { questionId: string; text_nl: string; text_fr: string; answers: string[] }

export interface Analysis {
  responses: number;
  overall: GroupFigures;
  bySector: GroupFigures[];
  byProvince: GroupFigures[];
  scales: ScaleFigures[];
  freeText: FreeTextFigures[];
}

export interface AnalysisFilter { sector?: Sector; province?: string }

const emptyObjections = (): Record<Objection, number> => Object.fromEntries(OBJECTIONS.map((o) => [o, 0])) as Record<Objection, number>;

/** The objections each response named, through the options mapped to the taxonomy. */
export function objectionsByResponse(questions: QuestionRow[], answers: AnswerRow[]): Map<string, Set<Objection>> {
  const optionObjection = new Map<string, Objection>();
  for (const q of questions) for (const o of q.options) if (o.objection) optionObjection.set(o.id, o.objection);
  const named = new Map<string, Set<Objection>>();
  for (const a of answers) {
    const o = a.option_id ? optionObjection.get(a.option_id) : undefined;
    if (!o) continue;
    if (!named.has(a.response_id)) named.set(a.response_id, new Set());
    named.get(a.response_id)!.add(o);
  }
  return named;
}

function group(name: string, responses: ResponseRow[], named: Map<string, Set<Objection>>): GroupFigures {
  const objections = emptyObjections();
  for (const r of responses) for (const o of named.get(r.id) ?? []) objections[o]++;
  return { group: name, responses: responses.length, objections };
}

function groupBy(responses: ResponseRow[], key: (r: ResponseRow) => string, named: Map<string, Set<Objection>>): GroupFigures[] {
  const groups = new Map<string, ResponseRow[]>();
  for (const r of responses) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups.entries()].map(([k, rs]) => group(k, rs, named)).sort((a, b) => a.group.localeCompare(b.group, "nl"));
}

export function analyse(questions: QuestionRow[], allResponses: ResponseRow[], allAnswers: AnswerRow[], filter: AnalysisFilter = {}): Analysis {
  const responses = allResponses.filter((r) => (!filter.sector || r.sector === filter.sector) && (!filter.province || r.province === filter.province));
  const ids = new Set(responses.map((r) => r.id));
  const answers = allAnswers.filter((a) => ids.has(a.response_id));
  const named = objectionsByResponse(questions, answers);
  const scales: ScaleFigures[] = questions
    .filter((q) => q.kind === "scale")
    .map((q) => {
      const counts: ScaleFigures["counts"] = [0, 0, 0, 0, 0];
      for (const a of answers) if (a.question_id === q.id && a.scale_value !== null && a.scale_value >= 1 && a.scale_value <= 5) counts[a.scale_value - 1]++;
      return { questionId: q.id, text_nl: q.text_nl, text_fr: q.text_fr, counts, answered: counts.reduce((s, n) => s + n, 0) };
    });
  // Sorted alphabetically: the order says nothing about who answered or when.
  const freeText: FreeTextFigures[] = questions
    .filter((q) => q.kind === "text")
    .map((q) => ({
      questionId: q.id,
      text_nl: q.text_nl,
      text_fr: q.text_fr,
      answers: answers
        .filter((a) => a.question_id === q.id && a.text_value && a.text_value.trim() !== "")
        .map((a) => a.text_value!.trim())
        .sort((a, b) => a.localeCompare(b, "nl")),
    }));
  return {
    responses: responses.length,
    overall: group("all", responses, named),
    bySector: groupBy(responses, (r) => r.sector, named),
    byProvince: groupBy(responses, (r) => r.province, named),
    scales,
    freeText,
  };
}

/** Per sector, the objections its organisations named, most often named first (ties: taxonomy order). */
export function objectionsBySector(questions: QuestionRow[], responses: ResponseRow[], answers: AnswerRow[]): Map<Sector, { objection: Objection; organisations: number }[]> {
  const out = new Map<Sector, { objection: Objection; organisations: number }[]>();
  for (const g of analyse(questions, responses, answers).bySector) {
    out.set(
      g.group as Sector,
      OBJECTIONS.filter((o) => g.objections[o] > 0)
        .map((o) => ({ objection: o, organisations: g.objections[o] }))
        .sort((a, b) => b.organisations - a.organisations || OBJECTIONS.indexOf(a.objection) - OBJECTIONS.indexOf(b.objection)),
    );
  }
  return out;
}
