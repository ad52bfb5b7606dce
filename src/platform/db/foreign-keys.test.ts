import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";

/**
 * Deleting a row makes the database look for rows that still point at it through a foreign key. Without
 * an index starting with the pointing column that look is a scan of the whole child table per deleted
 * row (issue 9: deleting a report scanned every alert, 128,000 at scale 1). Every foreign key has such an
 * index, except those listed here, whose parent rows are never deleted one by one.
 */
const NO_INDEX_NEEDED: Record<string, string> = {
  "arrondissement.province_nis": "reference data of a few dozen rows, replaced whole by the importer",
  "municipality.province_nis": "reference data of a few hundred rows, replaced whole by the importer",
  "municipality.arrondissement_nis": "reference data of a few hundred rows, replaced whole by the importer",
  "merger_decision.livc_id": "an LIVC is never deleted (the register keeps its history)",
  "app_user.organisation_id": "an organisation is never deleted",
  "membership.organisation_id": "an organisation is never deleted",
  "consultation_attendance.organisation_id": "an organisation is never deleted",
  "account_token.user_id": "an account is never deleted (disabled, or its person erased in place)",
  "livc_partner.user_id": "an account is never deleted",
  "consultation_attendance.user_id": "an account is never deleted",
  "platform_role_request.user_id": "an account is never deleted",
  "case_access_grant.case_id": "a case row is never deleted (a purge blanks it and keeps it)",
  "consultation_case_service.case_id": "a case row is never deleted (a purge blanks it and keeps it)",
  "awareness_question.campaign_id": "a campaign is never deleted",
  "awareness_job.campaign_id": "a campaign is never deleted",
  "awareness_option.question_id": "a question is never deleted",
  "awareness_answer.question_id": "a question is never deleted",
};

describeEachDialect("foreign keys and their indexes", (ctx, dialect) => {
  it("every foreign key has an index starting with its column, or its parent rows are never deleted", async () => {
    const db = ctx().database.db;
    const keys =
      dialect === "sqlite"
        ? (
            await sql<{ child: string; column: string }>`select m.name as child, f."from" as "column"
              from sqlite_master m, pragma_foreign_key_list(m.name) f where m.type = 'table'`.execute(db)
          ).rows
        : (
            await sql<{ child: string; column: string }>`select c.conrelid::regclass::text as child, a.attname as column
              from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
              where c.contype = 'f' and c.connamespace = 'public'::regnamespace`.execute(db)
          ).rows;
    const leading =
      dialect === "sqlite"
        ? (
            await sql<{ child: string; column: string }>`select m.name as child, i.name as "column"
              from sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) i
              where m.type = 'table' and i.seqno = 0
              union select m.name, t.name from sqlite_master m, pragma_table_info(m.name) t where m.type = 'table' and t.pk = 1`.execute(db)
          ).rows
        : (
            await sql<{ child: string; column: string }>`select x.indrelid::regclass::text as child, a.attname as column
              from pg_index x join pg_attribute a on a.attrelid = x.indrelid and a.attnum = x.indkey[0]
              join pg_class t on t.oid = x.indrelid where t.relnamespace = 'public'::regnamespace`.execute(db)
          ).rows;
    expect(keys.length).toBeGreaterThan(40);
    const indexed = new Set(leading.map((r) => `${r.child.replace(/"/g, "")}.${r.column}`));
    const all = new Set(keys.map((k) => `${k.child.replace(/"/g, "")}.${k.column}`));
    const missing = [...all].filter((k) => !indexed.has(k) && !(k in NO_INDEX_NEEDED)).sort();
    expect(missing, "foreign keys without an index starting with their column").toEqual([]);
    // The list stays true: an entry whose key is gone, or that has an index by now, is taken off it.
    const stale = Object.keys(NO_INDEX_NEEDED).filter((k) => !all.has(k) || indexed.has(k));
    expect(stale, "entries of NO_INDEX_NEEDED no longer needed").toEqual([]);
  });
});
