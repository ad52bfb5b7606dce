import { type Compilable, type CompiledQuery, createQueryId, type Kysely } from "kysely";
import type { DB } from "./schema";
import { extend } from "../objects";

/** What a precompiled query takes: bound values, or lists of them (an `in (...)` list). */
export type PrecompiledArg = string | number | null | readonly string[];

/**
 * A query built and compiled once per database and shape, then run with new arguments: for the queries
 * on every request and every case page view, where Kysely's building and compiling cost about as much
 * as running them (issue 9 profile: ~11% of a case page). `build` receives placeholder arguments and
 * must use each one as a bound value; the compiled parameters are mapped back to the argument
 * positions, so order and repetition are free. Values the builder writes itself ("open") stay as they
 * were compiled.
 *
 * The shape is what may change the SQL text: the length of each list and which arguments are null.
 * A null argument is passed to `build` as null (it may write `is null`); a list of n ids gets n
 * placeholders. Anything else in the builder must not depend on the values.
 *
 * Guard rails, checked when a shape is compiled (a mistake fails the first call, in every test):
 * every placeholder must be bound exactly as given (not lower-cased, concatenated or computed with),
 * no placeholder may end up in the SQL text, and every argument must be bound at least once.
 *
 *   const sessionById = precompiled((db, id: string) => db.selectFrom("session").selectAll().where("id", "=", id));
 *   const rows = await sessionById(db, token);
 */
export function precompiled<R, A extends PrecompiledArg[]>(build: (db: Kysely<DB>, ...args: A) => Compilable<R>) {
  const byDb = new WeakMap<Kysely<DB>, Map<string, Plan<R>>>();
  return async (db: Kysely<DB>, ...args: A): Promise<R[]> => {
    let plans = byDb.get(db);
    if (!plans) {
      plans = new Map();
      byDb.set(db, plans);
    }
    const shape = args.map((a) => (a === null ? "n" : Array.isArray(a) ? `l${a.length}` : "v")).join(",");
    let plan = plans.get(shape);
    if (!plan) {
      plan = compilePlan(db, build, args);
      plans.set(shape, plan);
    }
    const parameters = plan.from.map((f) => (typeof f === "object" ? f.value : pick(args, f)));
    const result = await db.executeQuery<R>(extend(plan.query, { parameters, queryId: createQueryId() }));
    return result.rows;
  };
}

interface Plan<R> {
  query: CompiledQuery<R>;
  /** Per compiled parameter: "i" (argument i) or "i.j" (element j of list argument i), or a constant. */
  from: (string | { value: unknown })[];
}

const MARK = "\u0000arg";

function pick(args: readonly PrecompiledArg[], from: string): unknown {
  const dot = from.indexOf(".");
  if (dot < 0) return args[Number(from)];
  return (args[Number(from.slice(0, dot))] as readonly string[])[Number(from.slice(dot + 1))];
}

function compilePlan<R, A extends PrecompiledArg[]>(db: Kysely<DB>, build: (db: Kysely<DB>, ...args: A) => Compilable<R>, args: A): Plan<R> {
  const placeholders = args.map((a, i) => (a === null ? null : Array.isArray(a) ? a.map((_, j) => `${MARK}${i}.${j}\u0000`) : `${MARK}${i}\u0000`)) as A;
  const query = build(db, ...placeholders).compile();
  if (query.sql.includes("\u0000")) throw new Error("precompiled: an argument was written into the SQL text; bind it as a value");
  const used = new Set<string>();
  const from = query.parameters.map((p): string | { value: unknown } => {
    if (typeof p !== "string" || !p.includes(MARK)) return { value: p };
    const at = p.startsWith(MARK) && p.endsWith("\u0000") ? p.slice(MARK.length, -1) : "";
    if (!/^\d+(\.\d+)?$/.test(at)) throw new Error("precompiled: an argument was changed before it was bound (lower-cased, concatenated, ...)");
    used.add(at);
    return at;
  });
  args.forEach((a, i) => {
    const missing = a === null ? [] : Array.isArray(a) ? a.map((_, j) => `${i}.${j}`).filter((k) => !used.has(k)) : used.has(String(i)) ? [] : [String(i)];
    if (missing.length > 0) throw new Error(`precompiled: argument ${i} is not bound as a value in the query`);
  });
  return { query, from };
}
