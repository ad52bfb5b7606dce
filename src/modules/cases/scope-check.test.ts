import { type SqlBool, sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { checkedPerRow, inIds } from "./store";

/** checkedPerRow hides a condition from the planner's estimates; it must let through exactly what WHERE would. */
describeEachDialect("a condition checked per row", (ctx) => {
  it("keeps the same rows as the plain condition: a match, not a non-match, not a NULL", async () => {
    const db = ctx().database.db;
    await db.deleteFrom("app_meta").where("key", "like", "scope-%").execute();
    await db.insertInto("app_meta").values([
      { key: "scope-a", value: "cell-a" },
      { key: "scope-b", value: "cell-b" },
      { key: "scope-c", value: "cell-a" },
    ]).execute();
    const keys = async (hidden: boolean, ids: string[]) =>
      (
        await db
          .selectFrom("app_meta")
          .select("key")
          .where("key", "like", "scope-%")
          .where((eb) => (hidden ? checkedPerRow(inIds(eb.ref("value"), ids)) : inIds(eb.ref("value"), ids)))
          .orderBy("key")
          .execute()
      ).map((r) => r.key);
    expect(await keys(true, ["cell-a"])).toEqual(["scope-a", "scope-c"]);
    expect(await keys(true, ["cell-a"])).toEqual(await keys(false, ["cell-a"]));
    expect(await keys(true, [])).toEqual([]);
    // NULL excludes the row, as in WHERE (a case without a cell is never in a cell's scope).
    const nulls = await db
      .selectFrom("app_meta")
      .select("key")
      .where("key", "like", "scope-%")
      .where(() => checkedPerRow(sql<SqlBool>`${null} = ${"cell-a"}`))
      .execute();
    expect(nulls).toEqual([]);
  });
});
