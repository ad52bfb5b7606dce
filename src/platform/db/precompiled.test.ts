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

  it("keeps the builder's own values, expands lists per length and compiles null arguments as null", async () => {
    const db = ctx().database.db;
    const q = precompiled((d, ids: readonly string[], label: string | null) =>
      d
        .selectFrom("app_user")
        .select("id")
        .where("id", "in", ids.length > 0 ? ids : ["-"])
        .where("status", "=", "active")
        .$if(label === null, (b) => b.where("oidc_issuer", "is", null))
        .$if(label !== null, (b) => b.where("oidc_issuer", "=", label as string))
        .orderBy("id"),
    );
    const make = (id: string, name: string | null) =>
      db.insertInto("app_user").values({ id, email: `${id}@example.invalid`, display_name: id, oidc_issuer: name, status: "active", created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z" } as never).execute();
    await make("pc-1", "Een");
    await make("pc-2", "Twee");
    await make("pc-3", null);
    expect(await q(db, ["pc-1", "pc-2"], "Twee")).toEqual([{ id: "pc-2" }]);
    expect(await q(db, ["pc-1", "pc-2"], "Een")).toEqual([{ id: "pc-1" }]);
    expect(await q(db, ["pc-1", "pc-2", "pc-3"], null)).toEqual([{ id: "pc-3" }]);
    expect(await q(db, ["pc-3"], "Een")).toEqual([]);
    expect(await q(db, [], "Een")).toEqual([]);
    expect(await q(db, ["pc-1"], "Een")).toEqual([{ id: "pc-1" }]);
  });

  it("refuses a builder that changes, writes out or ignores an argument", async () => {
    const db = ctx().database.db;
    const changed = precompiled((d, a: string) => d.selectNoFrom([sql<string>`${`%${a}%`}`.as("a")]));
    await expect(changed(db, "x")).rejects.toThrow(/changed before it was bound/);
    const written = precompiled((d, a: string) => d.selectNoFrom([sql<string>`${sql.lit(a)}`.as("a")]));
    await expect(written(db, "x")).rejects.toThrow(/written into the SQL text/);
    const ignored = precompiled((d, a: string, _b: string) => d.selectNoFrom([sql<string>`${a}`.as("a")]));
    await expect(ignored(db, "x", "y")).rejects.toThrow(/argument 1 is not bound/);
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
