import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { openDatabase } from "../../platform/db";
import { registerRevision } from "./service";
import { bumpRevision } from "./store";

describeEachDialect("register revision", (ctx, dialect) => {
  it("gives every concurrent writer its own revision, also across two app instances", async () => {
    const before = await registerRevision(ctx().database.db);
    // A second pool on PostgreSQL, as a second app instance would have; SQLite has one writer per file.
    const second = dialect === "postgres" ? await openDatabase(ctx().database.url) : ctx().database;
    try {
      const writers = [ctx().database, second].flatMap((database) =>
        Array.from({ length: 15 }, () => database.db.transaction().execute((trx) => bumpRevision(trx))),
      );
      await Promise.all(writers);
      expect(await registerRevision(ctx().database.db)).toBe(before + 30);
    } finally {
      if (second !== ctx().database) await second.close();
    }
  });
});
