import { createRequire } from "node:module";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { type Database, sqlitePath } from "../db";
import { entryHashOfFields, GENESIS_HASH } from "./chain";
import type { VerifyResult } from "./verify";
import { extend } from "../objects";

/**
 * The hashed JSON text of an entry (JSON.stringify of its twelve hashed fields, seq to prev_hash) as each database
 * writes it. The halves hash this text and fall back to the canonical form only where it does not hash to the
 * stored hash; a test checks both write every character as JSON.stringify does, so the fast path holds.
 */
export const HASHED_JSON = {
  sqlite: "json_array(seq, at, actor_id, actor_role, livc_id, action, resource_type, resource_id, outcome, client_address, correlation_id, prev_hash)",
  // array_to_json writes no spaces and null for NULL; seq goes in front as a number (an array holds one type).
  postgres:
    "'[' || seq || ',' || substr(array_to_json(array[at, actor_id, actor_role, livc_id, action, resource_type, resource_id, outcome, client_address, correlation_id, prev_hash])::text, 2)",
};

/**
 * PostgreSQL: a batch summed up by PostgreSQL itself, one row back instead of 20,000 (issue 9: the rows' transfer,
 * parsing and hashing in the worker cost more than PostgreSQL building their text). Each entry's SHA-256 over the
 * same hashed text compared with its stored hash, each link with the hash of the entry before it (the first link is
 * returned, checked against the last batch's last hash), the count, first and last seq (gap-free when last = first
 * + count - 1, seq being unique) and the last hash. A batch whose summary does not hold is walked row by row, so a
 * broken chain is reported exactly as before (decision 0089: whoever could change how PostgreSQL computes SHA-256
 * could rewrite the whole chain anyway, which is why the head hash and count are kept elsewhere).
 */
export const PG_BATCH_SUMMARY = [
  "select count(*)::int as n, min(seq) as first, max(seq) as last,",
  " bool_and(coalesce(sound and (before is null or prev_hash = before), false)) as ok,",
  " min(prev_hash) filter (where before is null) as link, min(hash) filter (where after is null) as head",
  " from (select seq, hash, prev_hash, pg_catalog.lag(hash) over w as before, pg_catalog.lead(seq) over w as after,",
  `  pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(${HASHED_JSON.postgres}, 'UTF8')), 'hex') = hash as sound`,
  "  from (select * from audit_entry where seq > $1 and seq <= $2 order by seq limit $3) e window w as (order by seq)) r",
].join("");

/**
 * The chain verified as two halves at once (SQLite files and PostgreSQL, long chains): each half runs
 * in a worker with its own connection (read-only SQLite handle; a PostgreSQL client, whose batches after the
 * first PostgreSQL sums up itself, PG_BATCH_SUMMARY) and checks what the single pass checks (gap-free seq, every hash
 * recomputed with the previous entry's hash). The second half's first entry is then checked against
 * the first half's last hash, so the result is the single pass's: same first broken entry.
 * Row decoding, canonical JSON and SHA-256 cost ~6 us an entry on one core (issue 9); ~9.5 us on the slower
 * machine of session 10, 5 us of it turning twelve SQLite columns into JS strings. The hashed JSON text is
 * therefore built by the database (SQLite json_array, PostgreSQL array_to_json), checked against the canonical
 * JSON.stringify form only when it does not match.
 */
const WORKER = `
const { parentPort, workerData: w } = require("node:worker_threads");
const crypto = require("node:crypto");
const sha = crypto.hash ? (s) => crypto.hash("sha256", s, "hex") : (s) => crypto.createHash("sha256").update(s).digest("hex");
// PostgreSQL: the same, one function call a row there instead of twelve text columns decoded and stringified here.
const SELECT_PG_JSON = "select seq, ${HASHED_JSON.postgres}, prev_hash, hash from audit_entry where seq > $1 and seq <= $2 order by seq limit $3";
// PostgreSQL, from the second batch on: the batch summed up there (PG_BATCH_SUMMARY).
const SUMMARY_PG = ${JSON.stringify(PG_BATCH_SUMMARY)};
// SQLite: the hashed JSON text built by SQLite itself, three values a row instead of twelve (see below).
const SELECT_JSON = "select seq, ${HASHED_JSON.sqlite}, prev_hash, hash from audit_entry where seq > ? and seq <= ? order by seq limit ?";
const ONE = "select seq, at, actor_id, actor_role, livc_id, action, resource_type, resource_id, outcome, client_address, correlation_id, hash from audit_entry where seq = ?";
const NEXT = "select min(seq) from audit_entry where seq > $1";
async function open() {
  if (w.kind === "sqlite") {
    const Database = require(w.driver);
    const db = new Database(w.file, { readonly: true, fileMustExist: true });
    const stmt = db.prepare(SELECT_JSON).raw(true);
    const one = db.prepare(ONE).raw(true);
    const next = db.prepare(NEXT.replace("$1", "?")).pluck();
    return { fetch: async (after, to, batch) => stmt.all(after, to, batch), one: (seq) => one.get(seq), next: async (seq) => next.get(seq), close: async () => db.close() };
  }
  const { Client } = require(w.driver);
  const client = new Client({ connectionString: w.url });
  await client.connect();
  return {
    fetch: async (after, to, batch) => (await client.query({ text: SELECT_PG_JSON, values: [after, to, batch], rowMode: "array" })).rows,
    summary: async (after, to, batch) => (await client.query({ text: SUMMARY_PG, values: [after, to, batch] })).rows[0],
    one: async (seq) => (await client.query({ text: ONE.replace("?", "$1"), values: [seq], rowMode: "array" })).rows[0],
    next: async (seq) => { const v = (await client.query({ text: NEXT, values: [seq], rowMode: "array" })).rows[0][0]; return v === null ? null : Number(v); },
    close: () => client.end(),
  };
}
async function run() {
  const src = await open();
  let expected = w.from, prev = null, first = null, out = null, after = w.from - 1;
  // The first batch row by row (it gives the first entry's fields); later ones, on PostgreSQL, by their summary.
  let summed = false;
  outer: for (;;) {
    if (summed && src.summary) {
      const s = await src.summary(after, w.to, w.batch);
      if (s.n === 0) break;
      // Gap-free (seq is unique: the first is the next expected and the last n - 1 further), every hash recomputed
      // over the entry's fields, every link the entry before it, the first link the last batch's last hash.
      if (s.ok === true && s.first === expected && s.last === expected + s.n - 1 && s.link === prev) {
        expected += s.n;
        prev = s.head;
        after = s.last;
        continue;
      }
      // Something in this batch does not hold: its rows decide, one by one, as below (same first broken entry).
    }
    const rows = await src.fetch(after, w.to, w.batch);
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row[0]);
      if (seq !== expected) { out = { brokenAt: expected, reason: "entry " + expected + " is missing (next is " + seq + ")" }; break outer; }
      // [seq, JSON of the hashed fields with the stored link, the stored link, the hash]. The entry holds when
      // its link is the previous entry's hash and the JSON hashes to its hash. SQLite and PostgreSQL write the
      // same text as JSON.stringify for every character tried (U+0000-U+2FFF, astral); should a version ever
      // differ, the canonical form decides on a mismatch.
      const [, json, link, hash] = row;
      if (first === null) first = JSON.parse(json).slice(0, 11);
      else if (link !== prev || sha(json) !== hash) {
        const full = await src.one(seq);
        full[0] = seq;
        full[11] = prev;
        if (sha(JSON.stringify(full)) !== hash) { out = { brokenAt: seq, reason: "entry " + seq + " was changed, or does not link to entry " + (seq - 1) }; break outer; }
      }
      prev = hash;
      expected++;
    }
    after = expected - 1;
    summed = true;
  }
  if (!out && expected <= w.to) out = { brokenAt: expected, reason: "entry " + expected + " is missing (next is " + (await src.next(expected - 1)) + ")" };
  await src.close();
  return { out, first, last: prev };
}
run().then((result) => parentPort.postMessage(result), (error) => { throw error; });
`;

interface Half {
  out: { brokenAt: number; reason: string } | null;
  first: unknown[] | null;
  last: string | null;
}

const require = createRequire(import.meta.url);

export const canVerifyInParallel = (database: Database) =>
  os.availableParallelism() >= 2 && (database.dialect === "postgres" || (Boolean(database.native) && !sqlitePath(database.url).includes(":memory:")));

function half(database: Database, from: number, to: number, batch: number): Promise<Half> {
  const source =
    database.dialect === "postgres"
      ? { kind: "postgres", driver: require.resolve("pg"), url: database.url }
      : { kind: "sqlite", driver: require.resolve("better-sqlite3"), file: sqlitePath(database.url) };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: extend(source, { from, to, batch }) });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

export async function verifyInParallel(database: Database, total: number, batchSize: number): Promise<VerifyResult> {
  const mid = Math.floor(total / 2);
  const [a, b] = await Promise.all([half(database, 1, mid, batchSize), half(database, mid + 1, total, batchSize)]);
  // The first half's first entry links to the genesis hash: its hash is checked like any other.
  if (a.out) return { ok: false, entries: a.out.brokenAt - 1, ...a.out };
  if (a.first) {
    const firstHash = await firstHashOf(database, 1);
    if (entryHashOfFields([...a.first, GENESIS_HASH]) !== firstHash) return { ok: false, entries: 0, brokenAt: 1, reason: "entry 1 was changed, or does not link to entry 0" };
  }
  const boundary = mid + 1;
  if (b.first) {
    const storedFirst = await firstHashOf(database, boundary);
    if (entryHashOfFields([...b.first, a.last ?? GENESIS_HASH]) !== storedFirst) return { ok: false, entries: mid, brokenAt: boundary, reason: `entry ${boundary} was changed, or does not link to entry ${mid}` };
  }
  if (b.out) return { ok: false, entries: b.out.brokenAt - 1, ...b.out };
  return { ok: true, entries: total, headHash: b.last ?? a.last! };
}

async function firstHashOf(database: Database, seq: number): Promise<string | undefined> {
  return (await database.db.selectFrom("audit_entry").select("hash").where("seq", "=", seq).executeTakeFirst())?.hash;
}
