import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
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
