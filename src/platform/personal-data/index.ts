/**
 * THE path for personal data (names, birth dates, addresses, free text about a person).
 * Modules never call the cipher or the audit log for personal data themselves: they call this.
 * Each call checks the caller's policy decision, encrypts or decrypts with AES-256-GCM bound to
 * table/column/row, and writes one audit entry per record (who, which record, allowed/denied;
 * never the content).
 *
 * Usage (intake, cases, ...):
 *
 *   import { personalData, PersonalDataDenied } from "../../platform/personal-data";
 *   import { whoOf } from "../../platform/audit";
 *
 *   // write: encrypt before insert/update; store the returned ciphertexts in text columns
 *   const sealed = await personalData.write(ctx, whoOf(request), {
 *     table: "person", rowId: personId, livcId, resourceType: "person",
 *     allowed: casePolicy.can(request.actor, "update", theCase),
 *     fields: { full_name: input.name, birth_date: input.birthDate },   // null/undefined stay null
 *   });
 *   const blind = await personalData.blindIndex(ctx, [input.name, input.birthDate]);  // duplicate search
 *   await db.insertInto("person").values({ id: personId, ...sealed, blind_index: blind }).execute();
 *
 *   // read: one record
 *   const plain = await personalData.read(ctx, whoOf(request), {
 *     table: "person", rowId: row.id, livcId: row.livc_id, resourceType: "person",
 *     allowed: () => casePolicy.can(request.actor, "read", theCase),
 *     fields: { full_name: row.full_name, birth_date: row.birth_date },
 *   });   // -> { full_name: "…", birth_date: "…" }; throws PersonalDataDenied (logged) when not allowed
 *
 *   // read: a list (one audit entry per record, appended in one go)
 *   const people = await personalData.readMany(ctx, who, { table: "person", resourceType: "person",
 *     rows: rows.map((r) => ({ rowId: r.id, livcId: r.livc_id, fields: { full_name: r.full_name } })),
 *     allowed: (r) => ids.includes(r.livcId!) });   // rows not allowed are left out and logged as denied
 *
 * Pass { db: trx } in the spec to write the audit entries inside your transaction.
 */
import type { Kysely } from "kysely";
import { audit, type AuditWho } from "../audit";
import type { AppContext } from "../context";
import { DecryptError, type Keyring, keyringFor, refreshKeyring } from "../crypto/keyring";
import type { DB } from "../db/schema";
import { extend } from "../objects";

export { DecryptError } from "../crypto/keyring";

export class PersonalDataDenied extends Error {
  constructor() {
    super("Not allowed to read or write this personal data");
  }
}

type Allowed = boolean | (() => boolean | Promise<boolean>);
type Fields<K extends string> = Record<K, string | null | undefined>;

interface Base {
  table: string;
  rowId: string;
  livcId?: string | null;
  resourceType: string;
  allowed: Allowed;
  db?: Kysely<DB>;
}

const decide = async (a: Allowed) => (typeof a === "function" ? Boolean(await a()) : a === true);

async function withKeyring<T>(ctx: AppContext, fn: (k: Keyring) => T): Promise<T> {
  try {
    return fn(await keyringFor(ctx));
  } catch (e) {
    // Another instance may have started a new data key since this one loaded its keyring.
    if (!(e instanceof DecryptError)) throw e;
    return fn(await refreshKeyring(ctx));
  }
}

export const personalData = {
  async write<K extends string>(ctx: AppContext, who: AuditWho, spec: Base & { fields: Fields<K> }): Promise<Record<K, string | null>> {
    const event = (outcome: "denied" | "success") => ({ action: "personal_data.write", resourceType: spec.resourceType, resourceId: spec.rowId, livcId: spec.livcId ?? null, outcome });
    if (!(await decide(spec.allowed))) {
      await audit.recordFor(ctx, who, event("denied"), { db: spec.db });
      throw new PersonalDataDenied();
    }
    const keyring = await keyringFor(ctx);
    const out = {} as Record<K, string | null>;
    for (const [column, value] of Object.entries(spec.fields) as [K, string | null | undefined][]) {
      out[column] = value === null || value === undefined ? null : keyring.encrypt({ table: spec.table, column, rowId: spec.rowId }, value);
    }
    await audit.recordFor(ctx, who, event("success"), { db: spec.db });
    return out;
  },

  async read<K extends string>(ctx: AppContext, who: AuditWho, spec: Base & { fields: Fields<K> }): Promise<Record<K, string | null>> {
    const event = (outcome: "denied" | "allowed") => ({ action: "personal_data.read", resourceType: spec.resourceType, resourceId: spec.rowId, livcId: spec.livcId ?? null, outcome });
    if (!(await decide(spec.allowed))) {
      await audit.recordFor(ctx, who, event("denied"), { db: spec.db });
      throw new PersonalDataDenied();
    }
    const out = await withKeyring(ctx, (k) => decryptFields(k, spec.table, spec.rowId, spec.fields));
    await audit.recordFor(ctx, who, event("allowed"), { db: spec.db });
    return out;
  },

  async readMany<K extends string, R extends { rowId: string; livcId?: string | null; fields: Fields<K> }>(
    ctx: AppContext,
    who: AuditWho,
    spec: { table: string; resourceType: string; rows: R[]; allowed: (row: R) => boolean; db?: Kysely<DB> },
  ): Promise<(R & { plain: Record<K, string | null> })[]> {
    const out: (R & { plain: Record<K, string | null> })[] = [];
    const events: Parameters<typeof audit.recordMany>[2] = [];
    for (const row of spec.rows) {
      const ok = spec.allowed(row);
      events.push({ action: "personal_data.read", resourceType: spec.resourceType, resourceId: row.rowId, livcId: row.livcId ?? null, outcome: ok ? "allowed" : "denied" });
      // Not `{ ...row, plain }`: a row given a new property after a spread costs a map of its own (decision 0082).
      if (ok) out.push(extend(row, { plain: await withKeyring(ctx, (k) => decryptFields(k, spec.table, row.rowId, row.fields)) }) as R & { plain: Record<K, string | null> });
    }
    await audit.recordMany(ctx, who, events, { db: spec.db });
    return out;
  },

  /** Blind index over normalised parts (e.g. name + birth date): equal people, equal token; no plaintext search. */
  async blindIndex(ctx: AppContext, parts: string[]): Promise<string> {
    return (await keyringFor(ctx)).blindIndex(parts);
  },
};

function decryptFields<K extends string>(k: Keyring, table: string, rowId: string, fields: Fields<K>): Record<K, string | null> {
  const out = {} as Record<K, string | null>;
  for (const [column, value] of Object.entries(fields) as [K, string | null | undefined][]) {
    out[column] = value === null || value === undefined ? null : k.decrypt({ table, column, rowId }, value);
  }
  return out;
}
