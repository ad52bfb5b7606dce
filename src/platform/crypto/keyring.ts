import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { randomBytesPooled } from "./random";
import type { AppContext } from "../context";
import type { Database } from "../db";
import type { SchakelMigration } from "../db/migrate";
import { newId, nowIso } from "../db/values";
import { KeyCheckError, loadMasterKey, type MasterKey, masterKeySource } from "./master-key";

/**
 * Key hierarchy: master key (environment / key file) -> wraps data keys (random, stored wrapped in
 * table data_key) -> encrypt fields with AES-256-GCM. A separate wrapped key feeds the blind index.
 * Rotating the master key re-wraps the data keys only; ciphertexts stay as they are.
 */
export const cryptoMigrations: SchakelMigration[] = [
  {
    name: "2026120100_platform_crypto",
    async up(db) {
      await db.schema
        .createTable("data_key")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("wrapped", "text", (c) => c.notNull())
        .addColumn("master_key_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("active", "integer", (c) => c.notNull())
        .execute();
    },
  },
];

export interface DataKeyTable {
  id: string;
  purpose: "field" | "blind_index";
  wrapped: string;
  master_key_id: string;
  created_at: string;
  active: number;
}

declare module "../db/schema" {
  interface DB {
    data_key: DataKeyTable;
  }
}

export class DecryptError extends Error {
  constructor() {
    super("Cannot decrypt this value here (wrong key, or copied from another row or column)");
  }
}

/** Where a value lives: the associated data that binds a ciphertext to its one place. */
export interface FieldPlace {
  table: string;
  column: string;
  rowId: string;
}

const VERSION = "v1";
const aadOf = (p: FieldPlace, keyId: string) => Buffer.from(`schakel/${VERSION}|${p.table}|${p.column}|${p.rowId}|${keyId}`, "utf8");

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): string {
  const iv = randomBytesPooled(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString("base64")}.${body.toString("base64")}`;
}

function open(key: Buffer, sealed: string, aad: Buffer): Buffer {
  const [ivText, bodyText] = sealed.split(".");
  if (!ivText || !bodyText) throw new DecryptError();
  const iv = Buffer.from(ivText, "base64");
  const body = Buffer.from(bodyText, "base64");
  if (iv.length !== 12 || body.length < 16) throw new DecryptError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  } catch {
    throw new DecryptError();
  }
}

const wrapAad = (id: string, purpose: string) => Buffer.from(`schakel/data-key|${id}|${purpose}`, "utf8");
export const wrapDataKey = (master: MasterKey, id: string, purpose: string, key: Buffer) => seal(master.kek, key, wrapAad(id, purpose));
export const unwrapDataKey = (master: MasterKey, id: string, purpose: string, wrapped: string) => open(master.kek, wrapped, wrapAad(id, purpose));

/** Normalises a name for the blind index: case, accents, spaces and punctuation do not matter. */
export function normaliseName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export class Keyring {
  private constructor(
    private readonly keys: Map<string, Buffer>,
    private readonly activeFieldKeyId: string,
    private readonly blindKey: Buffer,
  ) {}

  /**
   * Unwraps every data key with the master key; on an empty key table the first keys are created.
   * A key that does not open them is refused with a KeyCheckError naming `source` (ids only).
   */
  static async open(database: Database, master: MasterKey, source = DEFAULT_SOURCE): Promise<Keyring> {
    const db = database.db;
    // Check what is there before adding anything: a wrong key must not create keys beside the right ones.
    await checkDataKeys(database, master, source);
    // Fixed ids for the first keys make concurrent first starts converge instead of racing.
    for (const [id, purpose] of [["field-1", "field"], ["blind-index-1", "blind_index"]] as const) {
      const exists = await db.selectFrom("data_key").select("id").where("purpose", "=", purpose).executeTakeFirst();
      if (!exists) {
        await db
          .insertInto("data_key")
          .values({ id, purpose, wrapped: wrapDataKey(master, id, purpose, randomBytes(32)), master_key_id: master.id, created_at: nowIso(), active: 1 })
          .onConflict((oc) => oc.column("id").doNothing())
          .execute();
      }
    }
    const rows = await db.selectFrom("data_key").selectAll().orderBy("created_at").orderBy("id").execute();
    const unwrapped = unwrapAll(rows, master, source);
    const keys = new Map<string, Buffer>();
    let active: string | undefined;
    let blind: Buffer | undefined;
    for (const [i, row] of rows.entries()) {
      const key = unwrapped[i];
      if (row.purpose === "blind_index") blind ??= key;
      else {
        keys.set(row.id, key);
        if (row.active === 1) active = row.id;
      }
    }
    if (!active || !blind) throw new Error("The key table is incomplete: no active data key");
    return new Keyring(keys, active, blind);
  }

  /** The field key new values are written with. */
  get activeKeyId(): string {
    return this.activeFieldKeyId;
  }

  /** Encrypts one field value; the result only decrypts at the same table, column and row. */
  encrypt(place: FieldPlace, plaintext: string): string {
    const keyId = this.activeFieldKeyId;
    return `${VERSION}:${keyId}:${seal(this.keys.get(keyId)!, Buffer.from(plaintext, "utf8"), aadOf(place, keyId))}`;
  }

  decrypt(place: FieldPlace, ciphertext: string): string {
    const [version, keyId, sealed] = ciphertext.split(":");
    const key = this.keys.get(keyId);
    if (version !== VERSION || !key || !sealed) throw new DecryptError();
    return open(key, sealed, aadOf(place, keyId)).toString("utf8");
  }

  /** HMAC (own key) over normalised parts, e.g. [name, birthDate]: equal people give equal tokens. */
  blindIndex(parts: string[]): string {
    const text = parts.map((p) => normaliseName(p)).join("|");
    return createHmac("sha256", this.blindKey).update(text, "utf8").digest("base64url");
  }
}

const DEFAULT_SOURCE = "The configured master key (SCHAKEL_MASTER_KEY or SCHAKEL_KEY_FILE)";

type DataKeyRow = Pick<DataKeyTable, "id" | "purpose" | "wrapped" | "master_key_id">;

/** Unwraps each row with the master key, or throws one KeyCheckError line with the master key ids involved. */
function unwrapAll(rows: DataKeyRow[], master: MasterKey, source: string, what = "this database's data keys"): Buffer[] {
  const foreign = [...new Set(rows.filter((r) => r.master_key_id !== master.id).map((r) => r.master_key_id))].sort();
  if (foreign.length > 0) {
    const n = rows.length - rows.filter((r) => r.master_key_id === master.id).length;
    throw new KeyCheckError(
      `${source} does not open ${what}: ${n} of ${rows.length} are wrapped by master key ${foreign.join(", ")}, the configured master key is ${master.id}. Set the master key this database was made with, or finish "schakel keys rotate".`,
    );
  }
  return rows.map((r) => {
    try {
      return unwrapDataKey(master, r.id, r.purpose, r.wrapped);
    } catch {
      throw new KeyCheckError(
        `${source} does not open ${what}: data key ${r.id} names master key ${master.id} (the configured one) but does not unwrap with it; the key table was changed or copied from elsewhere.`,
      );
    }
  });
}

/** Checks that `rows` (e.g. a backup's data_key table: `what` names them) all unwrap with the master key; returns how many. */
export function checkDataKeyRows(rows: DataKeyRow[], master: MasterKey, source = DEFAULT_SOURCE, what?: string): number {
  return unwrapAll(rows, master, source, what).length;
}

/** Checks that every data key in the database unwraps with the master key, creating nothing; returns how many. */
export async function checkDataKeys(database: Database, master: MasterKey, source = DEFAULT_SOURCE): Promise<number> {
  const rows = await database.db.selectFrom("data_key").select(["id", "purpose", "wrapped", "master_key_id"]).execute();
  return checkDataKeyRows(rows, master, source);
}

const cache = new WeakMap<Database, Promise<Keyring>>();

/**
 * The keyring as the database holds it now, read afresh (no cache) and without the development key line. A
 * master key that does not load rejects the promise (it is not thrown at the caller).
 */
export async function readKeyring(ctx: AppContext): Promise<Keyring> {
  return Keyring.open(ctx.database, loadMasterKey(ctx.config, () => {}), masterKeySource(ctx.config));
}

/** The keyring of this database, unwrapped once per process (and read again by a running server: reloadKeyringEvery). */
export function keyringFor(ctx: AppContext): Promise<Keyring> {
  let k = cache.get(ctx.database);
  if (!k) {
    k = Promise.resolve().then(() => Keyring.open(ctx.database, loadMasterKey(ctx.config), masterKeySource(ctx.config)));
    k.catch(() => cache.delete(ctx.database));
    cache.set(ctx.database, k);
  }
  return k;
}

/**
 * How often a running server reads its keyring again (decision 0072): a data key started by
 * `schakel keys rotate --data-key` becomes every running instance's key for new writes within this time,
 * without a restart. `schakel keys retire` waits KEY_SWITCH_MS after a rotation, so it never deletes a key a
 * running instance may still write with.
 */
export const KEYRING_RELOAD_MS = 60_000;
export const KEY_SWITCH_MS = 3 * KEYRING_RELOAD_MS;

/**
 * Reads the keyring again every `ms` in the background; the current one serves meanwhile, and a failed read
 * (the database away, a master key rotated under this process) keeps it. Returns the stop function.
 */
export function reloadKeyringEvery(ctx: AppContext, ms = KEYRING_RELOAD_MS): () => void {
  const timer = setInterval(() => {
    const current = cache.get(ctx.database);
    readKeyring(ctx).then(
      (next) => {
        if (cache.get(ctx.database) === current) cache.set(ctx.database, Promise.resolve(next));
      },
      () => {},
    );
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The start-up check (decision 0066): loads the configured master key and opens the key ring before
 * anything is served, so a wrong or unreadable key stops the process with one line (KeyCheckError)
 * instead of a 500 at the first login. On an empty database the first data keys are created.
 */
export async function openKeyringAtStart(ctx: AppContext): Promise<{ masterKeyId: string; dataKeys: number }> {
  // Said once: the development key line was already printed when the demo seeding opened the key ring.
  const master = loadMasterKey(ctx.config, cache.has(ctx.database) ? () => {} : undefined);
  const source = masterKeySource(ctx.config);
  const k = Keyring.open(ctx.database, master, source);
  k.catch(() => cache.delete(ctx.database));
  cache.set(ctx.database, k);
  await k;
  return { masterKeyId: master.id, dataKeys: await checkDataKeys(ctx.database, master, source) };
}

/** Reloads the keyring (a data key started by another instance). */
export function refreshKeyring(ctx: AppContext): Promise<Keyring> {
  cache.delete(ctx.database);
  return keyringFor(ctx);
}

/** Re-wraps every data key under a new master key, in one transaction; ciphertexts are untouched. */
export async function rewrapDataKeys(database: Database, from: MasterKey, to: MasterKey): Promise<number> {
  return database.db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom("data_key").selectAll().execute();
    let n = 0;
    for (const row of rows) {
      if (row.master_key_id === to.id) continue;
      if (row.master_key_id !== from.id) throw new Error(`Data key ${row.id} is wrapped by an unknown master key ${row.master_key_id}`);
      const key = unwrapDataKey(from, row.id, row.purpose, row.wrapped);
      await trx.updateTable("data_key").set({ wrapped: wrapDataKey(to, row.id, row.purpose, key), master_key_id: to.id }).where("id", "=", row.id).execute();
      n++;
    }
    return n;
  });
}

/** Starts a new data key for new writes; older keys stay to read older values. */
export async function addFieldDataKey(database: Database, master: MasterKey): Promise<string> {
  const id = `field-${newId()}`;
  await database.db.transaction().execute(async (trx) => {
    await trx.updateTable("data_key").set({ active: 0 }).where("purpose", "=", "field").execute();
    await trx
      .insertInto("data_key")
      .values({ id, purpose: "field", wrapped: wrapDataKey(master, id, "field", randomBytes(32)), master_key_id: master.id, created_at: nowIso(), active: 1 })
      .execute();
  });
  cache.delete(database);
  return id;
}
