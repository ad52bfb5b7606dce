import { PDF_FONT, renderPdf } from "../../platform/pdf";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import * as pd from "./personal";
import * as store from "./store";

/**
 * Subject access (GDPR art. 15): the data-protection officer exports everything held about one
 * person, found through the blind index over name + date of birth (no plaintext search). The DPO
 * is not on any case's need-to-know list: this is a separate legal path, allowed only to the DPO
 * and logged (the search, and one read per case exported). Other modules holding case text about
 * the person (meetings: minutes) add their part through registerCaseContent; modules holding records
 * about the person outside any case (intake: reports, whatever their screening outcome) add theirs
 * through registerSubjectRecords, found by the same blind index.
 */
export type Section = { title: string; rows: Record<string, string | null>[] };
type ContentProvider = { name: string; export(ctx: AppContext, who: AuditWho, c: store.CaseRow): Promise<Section> };
const providers: ContentProvider[] = [];

export function registerCaseContent(p: ContentProvider) {
  if (!providers.some((x) => x.name === p.name)) providers.push(p);
}

/** Records about the person found by the blind index (the DPO's check is done before a provider runs). */
type RecordsProvider = { name: string; export(ctx: AppContext, who: AuditWho, subjectIndex: string): Promise<Section> };
const recordProviders: RecordsProvider[] = [];

export function registerSubjectRecords(p: RecordsProvider) {
  if (!recordProviders.some((x) => x.name === p.name)) recordProviders.push(p);
}

export interface SubjectAccessExport {
  generatedAt: string;
  cases: { label: string; status: string; openedOn: string | null; closedOn: string | null; closureReason: string | null; minor: boolean; identity: unknown; closureNote: string | null; legalHold: string | null; sections: Section[] }[];
  /** Records outside the cases (reports: also those not taken up as a case), one section per source. */
  records: Section[];
}

export class SubjectAccessDenied extends Error {}

export async function subjectAccessExport(ctx: AppContext, who: AuditWho, person: { fullName: string; dateOfBirth: string | null }): Promise<SubjectAccessExport> {
  if (!who.actor?.isDpo) {
    await pd.record(ctx, who, { type: "subject_access", id: "search", livcId: null }, "subject_access.export", "denied");
    throw new SubjectAccessDenied();
  }
  const index = await pd.subjectIndexOf(ctx, person.fullName, person.dateOfBirth);
  const rows = await ctx.database.db.selectFrom("case_file").selectAll().where("subject_index", "=", index).orderBy("opened_at").execute();
  await pd.record(ctx, who, { type: "subject_access", id: index.slice(0, 16), livcId: null }, "subject_access.export");
  const out: SubjectAccessExport = { generatedAt: new Date().toISOString(), cases: [], records: [] };
  for (const p of recordProviders) out.records.push(await p.export(ctx, who, index));
  for (const c of rows) {
    const plain = await pd.reveal(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "subject_access.case", true, {
      identity: { place: { table: "case_file", column: "identity_enc", rowId: c.id }, value: c.identity_enc },
      closure: { place: { table: "case_file", column: "closure_note_enc", rowId: c.id }, value: c.closure_note_enc },
      hold: { place: { table: "case_file", column: "legal_hold_reason_enc", rowId: c.id }, value: c.legal_hold_reason_enc },
    });
    const events = await store.eventsOf(ctx.database.db, c.id);
    const notes = await pd.reveal(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "subject_access.timeline", true,
      Object.fromEntries(events.map((e) => [e.id, { place: { table: "case_event", column: "note_enc", rowId: e.id }, value: e.note_enc }])));
    const actions = await store.actionsOf(ctx.database.db, c.id);
    const texts = await pd.reveal(ctx, who, { type: "case", id: c.id, livcId: c.livc_id }, "subject_access.plan", true,
      Object.fromEntries(actions.map((a) => [a.id, { place: { table: "case_action", column: "description_enc", rowId: a.id }, value: a.description_enc }])));
    const sections: Section[] = [
      { title: "timeline", rows: events.map((e) => ({ at: e.at, kind: e.kind, from: e.from_status, to: e.to_status, reason: e.reason, note: notes[e.id] })) },
      { title: "actions", rows: actions.map((a) => ({ due_on: a.due_on, status: a.status, owner_organisation_id: a.owner_organisation_id, description: texts[a.id] })) },
    ];
    for (const p of providers) sections.push(await p.export(ctx, who, c));
    out.cases.push({
      label: c.label ?? c.id,
      status: c.status,
      openedOn: c.opened_on,
      closedOn: c.closed_on,
      closureReason: c.closure_reason,
      minor: c.minor === 1,
      identity: plain.identity ? JSON.parse(plain.identity) : null,
      closureNote: plain.closure,
      legalHold: plain.hold,
      sections,
    });
  }
  return out;
}

/** The same export as a PDF (pdfmake, Roboto; no URL access). Headings in Dutch, French and English. */
export async function subjectAccessPdf(e: SubjectAccessExport): Promise<Buffer> {
  const content: unknown[] = [
    { text: "Inzageverzoek / Droit d'accès / Subject access", style: "title" },
    { text: `${e.generatedAt} · ${e.cases.length} dossier(s)`, margin: [0, 0, 0, 12] },
  ];
  for (const c of e.cases) {
    content.push({ text: c.label, style: "h2" });
    content.push({
      table: {
        widths: ["30%", "70%"],
        body: [
          ["status", c.status],
          ["opened", c.openedOn ?? ""],
          ["closed", c.closedOn ?? ""],
          ["closure reason", c.closureReason ?? ""],
          ["minor", c.minor ? "yes" : "no"],
          ["identity", c.identity ? JSON.stringify(c.identity) : "—"],
          ["closure note", c.closureNote ?? ""],
          ["legal hold", c.legalHold ?? ""],
        ].map(([k, v]) => [{ text: k, bold: true }, String(v)]),
      },
      margin: [0, 0, 0, 8],
    });
    for (const s of c.sections) {
      content.push({ text: s.title, style: "h3" });
      if (s.rows.length === 0) content.push({ text: "—", margin: [0, 0, 0, 6] });
      for (const r of s.rows) content.push({ text: Object.entries(r).map(([k, v]) => `${k}: ${v ?? ""}`).join(" · "), fontSize: 9, margin: [0, 0, 0, 3] });
    }
  }
  for (const s of e.records) {
    content.push({ text: s.title, style: "h2" });
    if (s.rows.length === 0) content.push({ text: "—", margin: [0, 0, 0, 6] });
    for (const r of s.rows) content.push({ text: Object.entries(r).map(([k, v]) => `${k}: ${v ?? ""}`).join(" · "), fontSize: 9, margin: [0, 0, 0, 5] });
  }
  const doc = { content, defaultStyle: { font: PDF_FONT, fontSize: 10 }, styles: { title: { fontSize: 16, bold: true }, h2: { fontSize: 13, bold: true, margin: [0, 10, 0, 4] }, h3: { fontSize: 11, bold: true, margin: [0, 6, 0, 2] } }, info: { title: "Subject access" } };
  return renderPdf(doc);
}
