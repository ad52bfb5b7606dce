import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { DB } from "./schema";

/**
 * A query built and compiled once per database, then run with new arguments: for the few queries on
 * every request (session, actor), where Kysely's building and compiling cost about as much as running
 * them (issue 9 profile). `build` receives placeholder arguments and must use each one as a bound value;
 * the compiled parameters are mapped back to the argument positions, so order and repetition are free.
 *
 *   const sessionById = precompiled((db, id: string) => db.selectFrom("session").selectAll().where("id", "=", id));
 *   const rows = await sessionById(db, token);
 */
export function precompiled<R, A extends string[]>(build: (db: Kysely<DB>, ...args: A) => Compilable<R>) {
  const compiled = new WeakMap<Kysely<DB>, { query: CompiledQuery<R>; from: number[] }>();
  return async (db: Kysely<DB>, ...args: A): Promise<R[]> => {
    let c = compiled.get(db);
    if (!c) {
      const placeholders = args.map((_, i) => `\u0000arg${i}\u0000`) as A;
      const query = build(db, ...placeholders).compile();
      const from = query.parameters.map((p) => {
        const i = placeholders.indexOf(p as string);
        if (i < 0) throw new Error("precompiled: every bound value must be one of the arguments");
        return i;
      });
      c = { query, from };
      compiled.set(db, c);
    }
    const { query, from } = c;
    const result = await db.executeQuery<R>({ ...query, parameters: from.map((i) => args[i]) });
    return result.rows;
  };
}
