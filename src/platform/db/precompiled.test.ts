import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { openDatabase } from ".";
import { precompiled } from "./precompiled";

describeEachDialect("precompiled queries", (ctx) => {
  it("runs the compiled query with each call's arguments, in any order and repetition", async () => {
    const db = ctx().database.db;
    const q = precompiled((d, a: string, b: string) =>
      d.selectNoFrom([sql<string>`${b}`.as("first"), sql<string>`${a}`.as("second"), sql<string>`${b}`.as("again")]),
    );
    expect(await q(db, "x", "y")).toEqual([{ first: "y", second: "x", again: "y" }]);
    expect(await q(db, "p", "q")).toEqual([{ first: "q", second: "p", again: "q" }]);
  });

  it("refuses a query with a bound value that is not one of its arguments", async () => {
    const q = precompiled((d, a: string) => d.selectNoFrom([sql<string>`${a}`.as("a"), sql<string>`${"fixed"}`.as("b")]));
    await expect(q(ctx().database.db, "x")).rejects.toThrow(/must be one of the arguments/);
  });
});

// PostgreSQL folds every letter in lower() under a UTF-8 locale (the test cluster runs --no-locale,
// where it folds A-Z only, as SQLite's built-in does); Schakel's SQLite connection folds like the former.
it("SQLite's lower() folds accented capitals, as PostgreSQL's does under a UTF-8 locale", async () => {
  const database = await openDatabase("sqlite::memory:");
  try {
    const r = await sql<{ v: string }>`select lower(${"ÉMILE Ça ÖZTÜRK"}) as v`.execute(database.db);
    expect(r.rows[0].v).toBe("émile ça öztürk");
  } finally {
    await database.close();
  }
});
