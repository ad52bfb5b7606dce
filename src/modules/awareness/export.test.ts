import { describe, expect, it } from "vitest";
import { analyse } from "./analysis";
import { analysisCsv } from "./export";
import type { QuestionRow } from "./store";

const questions: QuestionRow[] = [
  { id: "q1", campaign_id: "c", position: 1, kind: "multiple", text_nl: "Bezwaren?", text_fr: "Objections ?", required: false, options: [
    { id: "o1", question_id: "q1", position: 1, text_nl: "Geheim", text_fr: "Secret", objection: "professional_secrecy" },
    { id: "o2", question_id: "q1", position: 2, text_nl: "Werk", text_fr: "Travail", objection: "workload_capacity" },
  ] },
  { id: "q2", campaign_id: "c", position: 2, kind: "text", text_nl: "Opmerking", text_fr: "Remarque", required: false, options: [] },
];

describe("analysis CSV", () => {
  const responses = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, sector: "clb" as const, province: "Limburg", anonymous: true }));
  const answers = [
    ...responses.map((r) => ({ response_id: r.id, question_id: "q1", option_id: "o1", scale_value: null, text_value: null })),
    { response_id: "r0", question_id: "q1", option_id: "o2", scale_value: null, text_value: null },
    { response_id: "r1", question_id: "q2", option_id: null, scale_value: null, text_value: '=HYPERLINK("http://x","klik")' },
    { response_id: "r2", question_id: "q2", option_id: null, scale_value: null, text_value: "@SUM(A1)" },
  ];
  const csv = analysisCsv(analyse(questions, responses, answers));

  it("neutralises formulas in free text", () => {
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""klik"")"`);
    expect(csv).toContain("'@SUM(A1)");
    expect(csv).not.toMatch(/;=HYPERLINK/);
  });

  it("shows counts of 1 to 4 organisations as <5 and leaves their share empty", () => {
    expect(csv.startsWith("\uFEFFscope;group;responses")).toBe(true);
    expect(csv).toContain("all;all;6;objection;professional_secrecy;6;100\r\n");
    expect(csv).toContain("all;all;6;objection;workload_capacity;<5;\r\n");
    expect(csv).toContain("all;all;6;objection;trust_in_police;0;0\r\n");
  });
});
