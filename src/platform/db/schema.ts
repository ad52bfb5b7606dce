/**
 * The database's table types. Each module adds its own tables by declaration merging:
 *
 *   declare module "../../platform/db/schema" { interface DB { my_table: MyTable } }
 *
 * Portable column conventions (see docs/decisions/0003-portable-schema.md):
 * ids are text (random UUIDs), dates are "YYYY-MM-DD" text, timestamps are ISO-8601 UTC text,
 * booleans are integers 0/1, binary values are base64 text.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each module through declaration merging
export interface DB {}
