import { type Expression, type ExpressionBuilder, type SqlBool, type StringReference, sql } from "kysely";

/** A LIKE pattern "contains term", lower-cased, with %, _ and \ matched literally (ESCAPE '\'). */
export const containsPattern = (term: string): string => `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * "The column contains the term", in any case, on SQLite and PostgreSQL alike: both sides lower-cased
 * (PostgreSQL's LIKE is case-sensitive), typed %, _ and \ taken literally. Accented capitals fold as well:
 * Schakel's SQLite connection folds every letter in lower(), and PostgreSQL does under a UTF-8 locale
 * (a database created with the C locale folds A-Z only). No index helps a lower(...) LIKE '%...%' search.
 *
 *   db.selectFrom("organisation").where((eb) => containsInsensitive(eb, "name", term))
 */
export function containsInsensitive<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, column: StringReference<DB, TB>, term: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${eb.ref(column)}) like ${containsPattern(term)} escape '\\'`;
}
