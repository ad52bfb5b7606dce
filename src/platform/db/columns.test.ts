import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import "../../modules/cases/store";
import "../../modules/meetings/store";
import "../auth/session";
import { everyColumn, namedTables } from "./columns";

describeEachDialect("reads with every column named", (ctx) => {
  it("name exactly the columns of the migrated tables", async () => {
    const database = ctx().database;
    expect([...namedTables.keys()].sort()).toEqual(["case_action", "case_event", "case_file", "consultation", "consultation_minutes", "feedback_form", "session"]);
    for (const [table, lists] of namedTables) {
      const actual =
        database.dialect === "sqlite"
          ? (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(database.db)).rows.map((r) => r.name)
          : (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(database.db)).rows.map((r) => r.name);
      expect(actual.length, table).toBeGreaterThan(0);
      for (const named of lists) expect([...named].sort(), table).toEqual([...actual].sort());
    }
  });
});

it("refuses a list that leaves out a column of the table's interface (type check)", () => {
  interface T { a: string; b: number; c: string | null }
  const whole = everyColumn<T>()("t_types_only", ["a", "b", "c"]);
  // @ts-expect-error "c" is missing: the type asks for a third argument naming it
  const part = everyColumn<T>()("t_types_only", ["a", "b"]);
  namedTables.delete("t_types_only");
  expect([whole, part]).toEqual([["a", "b", "c"], ["a", "b"]]);
});
