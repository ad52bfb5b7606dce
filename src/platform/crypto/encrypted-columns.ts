/**
 * Every column that holds field ciphertext (Keyring.encrypt), with how its place is built. Re-encryption
 * (reencrypt.ts) walks this list, so a column missing here keeps its old data key and that key can never
 * be retired; encrypted-columns.test.ts fails on a `*_enc` column of the schema that is not listed.
 *
 * `key` is the table's primary key: rows are paged and written back by it. `rowId` names the columns whose
 * values, joined by ":", are the place's rowId; it is not always the key: a session's pending TOTP secret is
 * bound to its account (it survives the session's id rotation), a consultation's minutes to consultation:case.
 */
export interface EncryptedColumn {
  table: string;
  column: string;
  key: readonly string[];
  rowId: readonly string[];
}

const byId = (table: string, column: string): EncryptedColumn => ({ table, column, key: ["id"], rowId: ["id"] });

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  byId("app_user", "totp_secret"),
  { table: "session", column: "pending_totp", key: ["id"], rowId: ["user_id"] },
  byId("form_stash", "payload_enc"),
  byId("report", "content_enc"),
  byId("report_event", "reason_enc"),
  byId("report_supplement", "content_enc"),
  byId("case_file", "identity_enc"),
  byId("case_file", "closure_note_enc"),
  byId("case_file", "legal_hold_reason_enc"),
  byId("case_event", "note_enc"),
  byId("case_action", "description_enc"),
  byId("feedback_form", "content_enc"),
  { table: "consultation_minutes", column: "decisions_enc", key: ["consultation_id", "case_id"], rowId: ["consultation_id", "case_id"] },
];

