import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { ENCRYPTED_COLUMNS } from "./encrypted-columns";

/**
 * The registry is what `schakel keys reencrypt` walks: an encrypted column missing from it would keep its
 * old data key for ever. The schema is read from the migrated database, so a new `*_enc` column fails here.
 */
describeEachDialect("encrypted column registry", (ctx) => {
  it("lists every *_enc column of the schema, and only columns that exist", async () => {
    const tables = await ctx().database.db.introspection.getTables();
    const columns = new Map(tables.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
    const listed = new Set(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`));
    const unlisted = [...columns].flatMap(([table, cols]) => [...cols].filter((c) => c.endsWith("_enc")).map((c) => `${table}.${c}`)).filter((c) => !listed.has(c));
    expect(unlisted, "encrypted columns missing from ENCRYPTED_COLUMNS (src/platform/crypto/encrypted-columns.ts)").toEqual([]);
    for (const c of ENCRYPTED_COLUMNS) {
      for (const name of [c.column, ...c.key, ...c.rowId]) expect(columns.get(c.table)?.has(name), `${c.table}.${name}`).toBe(true);
    }
    expect(listed.size).toBe(ENCRYPTED_COLUMNS.length);
  });
});
