/**
 * Every column of a table, named, for a read on every page view that would otherwise be `select *`: on
 * SQLite a statement with named columns runs without the schema check a wildcard needs after each run
 * (index.ts followsSchema: one more statement, ~5 us alone and 6-10 us in the loaded server). Leaving out
 * a column of the table's interface fails the type check (a third argument naming the missing ones is
 * then asked for); columns.test.ts checks every list against the migrated tables of both databases, so a
 * column a migration adds and the interface forgot is caught too.
 */
export const everyColumn =
  <T>() =>
  <const C extends readonly (keyof T & string)[]>(table: string, columns: C, ..._complete: [Exclude<keyof T & string, C[number]>] extends [never] ? [] : [missing: Exclude<keyof T & string, C[number]>]): C => {
    namedTables.set(table, [...(namedTables.get(table) ?? []), columns]);
    return columns;
  };

/** The lists made so far, by table (for columns.test.ts). */
export const namedTables = new Map<string, (readonly string[])[]>();
