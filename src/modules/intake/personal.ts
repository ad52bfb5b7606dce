import type { Kysely } from "kysely";
import type { AuditWho } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { personalData } from "../../platform/personal-data";
import type { SignalCode, SinceCode } from "./signals";

/**
 * Intake's ONLY door to personal data, a thin layer over src/platform/personal-data (which checks
 * the caller's policy decision, encrypts or decrypts bound to table/column/row, and audits every
 * read and write). Everything written about a person, and the reporter's contact details, is one
 * encrypted JSON document per report (report.content_enc); screening reasons are encrypted per
 * event (report_event.reason_enc); a reporter's supplement is one encrypted JSON document per
 * supplement (report_supplement.content_enc, decision 0048). No other intake file touches ciphertext.
 */
export interface ReportContent {
  /** "known", "unknown", or "" in a draft not yet decided. */
  identity: string;
  subjectName: string;
  subjectBirthDate: string;
  subjectDescription: string;
  signals: SignalCode[];
  observation: string;
  since: SinceCode | "";
  personKnows: string;
  parentKnows: string;
  reporterOrganisation: string;
  reporterContact: string;
}

interface On {
  id: string;
  livcId: string | null;
  /** The caller's policy decision (policy.ts); a refusal is audited and throws PersonalDataDenied. */
  allowed: boolean;
  db?: Kysely<DB>;
}

export async function sealReportContent(ctx: AppContext, who: AuditWho, on: On, content: ReportContent): Promise<string> {
  const sealed = await personalData.write(ctx, who, {
    table: "report",
    rowId: on.id,
    livcId: on.livcId,
    resourceType: "report",
    allowed: on.allowed,
    db: on.db,
    fields: { content_enc: JSON.stringify(content) },
  });
  return sealed.content_enc!;
}

/** What a report holds once the retention purge has removed its document (content_enc ""). */
export const emptyReportContent = (): ReportContent => ({
  identity: "", subjectName: "", subjectBirthDate: "", subjectDescription: "", signals: [], observation: "", since: "", personKnows: "", parentKnows: "", reporterOrganisation: "", reporterContact: "",
});

export async function openReportContent(ctx: AppContext, who: AuditWho, on: On & { contentEnc: string }): Promise<ReportContent> {
  const plain = await personalData.read(ctx, who, {
    table: "report",
    rowId: on.id,
    livcId: on.livcId,
    resourceType: "report",
    allowed: on.allowed,
    db: on.db,
    // A purged report has no document left ("" is not ciphertext): nothing to decrypt.
    fields: { content_enc: on.contentEnc || null },
  });
  // spread kept: parsed JSON may hold an own "__proto__" key, which Object.assign would make the prototype
  // (decision 0082); its keys only replace ones the empty content has.
  return { ...emptyReportContent(), ...(JSON.parse(plain.content_enc ?? "{}") as Partial<ReportContent>) };
}

export async function sealReason(ctx: AppContext, who: AuditWho, on: On, reason: string): Promise<string | null> {
  if (!reason) return null;
  const sealed = await personalData.write(ctx, who, {
    table: "report_event",
    rowId: on.id,
    livcId: on.livcId,
    resourceType: "report_event",
    allowed: on.allowed,
    db: on.db,
    fields: { reason_enc: reason },
  });
  return sealed.reason_enc;
}

/** Decision reasons of one report (one audit entry per event read). */
export async function openReasons(ctx: AppContext, who: AuditWho, livcId: string | null, allowed: boolean, events: { id: string; reason_enc: string | null }[]): Promise<Map<string, string>> {
  const rows = events.filter((e) => e.reason_enc).map((e) => ({ rowId: e.id, livcId, fields: { reason_enc: e.reason_enc } }));
  if (rows.length === 0) return new Map();
  const read = await personalData.readMany(ctx, who, { table: "report_event", resourceType: "report_event", rows, allowed: () => allowed });
  return new Map(read.map((r) => [r.rowId, r.plain.reason_enc ?? ""]));
}

/** What a reporter adds to a submitted report: what they saw since, and signals from the same list. */
export interface SupplementContent {
  observation: string;
  signals: SignalCode[];
}

export async function sealSupplement(ctx: AppContext, who: AuditWho, on: On, content: SupplementContent): Promise<string> {
  const sealed = await personalData.write(ctx, who, {
    table: "report_supplement",
    rowId: on.id,
    livcId: on.livcId,
    resourceType: "report_supplement",
    allowed: on.allowed,
    db: on.db,
    fields: { content_enc: JSON.stringify(content) },
  });
  return sealed.content_enc!;
}

/** Supplements of one report (one audit entry per supplement read); a purged one ("") reads empty. */
export async function openSupplements(ctx: AppContext, who: AuditWho, livcId: string | null, allowed: boolean, rows: { id: string; content_enc: string }[]): Promise<Map<string, SupplementContent>> {
  const withContent = rows.filter((r) => r.content_enc).map((r) => ({ rowId: r.id, livcId, fields: { content_enc: r.content_enc } }));
  const out = new Map<string, SupplementContent>(rows.map((r) => [r.id, { observation: "", signals: [] }]));
  if (withContent.length === 0) return out;
  const read = await personalData.readMany(ctx, who, { table: "report_supplement", resourceType: "report_supplement", rows: withContent, allowed: () => allowed });
  for (const r of read) out.set(r.rowId, { observation: "", signals: [], ...(JSON.parse(r.plain.content_enc ?? "{}") as Partial<SupplementContent>) });
  return out;
}

/** Loads the keys before a transaction starts (on SQLite, loading inside it would wait for itself). */
export async function keysReady(ctx: AppContext): Promise<void> {
  await personalData.blindIndex(ctx, ["warm-up"]);
}

/** The blind index of a person: HMAC over normalised name + birth date. Equal people, equal tokens. */
export const subjectIndexOf = (ctx: AppContext, name: string, birthDate: string) => personalData.blindIndex(ctx, [name, birthDate]);
