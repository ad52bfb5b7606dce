import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { MasterKey } from "../../platform/crypto/master-key";
import { BackupError, DAMAGED, otherKey } from "./format";
import type { TableSummary } from "./tables";
import { extend } from "../../platform/objects";

/**
 * Backup file format 1 (decision 0013), as releases before decision 0067 wrote it: kept so that the
 * backups operators hold (30 days) still restore. One AES-256-GCM blob over gzip of ONE string, read
 * whole into memory (such a file was built in memory, so it fits there again):
 *
 *   line 1  "SCHAKEL-BACKUP 1"
 *   line 2  header JSON {key_id, salt, iv, created_at, dialect}   (the associated data)
 *   rest    AES-256-GCM(ciphertext || 16-byte tag) of gzip(JSON lines: one manifest, then [tableIndex, row])
 *
 * Its per-table sha256 is over the rows as SORTED JSON lines (legacyDigest), not format 2's sum.
 */
export const MAGIC_V1 = "SCHAKEL-BACKUP 1";
const INFO_V1 = "schakel/backup/v1";

export interface ManifestV1 {
  created_at: string;
  dialect: string;
  migrations: string[];
  tables: TableSummary[];
}

interface HeaderV1 {
  key_id: string;
  salt: string;
  iv: string;
  created_at: string;
  dialect: string;
}

const keyV1 = (master: MasterKey, salt: Buffer) => Buffer.from(hkdfSync("sha256", master.kek, salt, INFO_V1, 32));

/** Format 1's table digest: SHA-256 over the rows as sorted JSON lines (values in column-name order). */
export function legacyDigest(columns: string[], rows: unknown[][]): string {
  const order = columns.map((c, i) => [c, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, i]) => i);
  const lines = rows.map((v) => JSON.stringify(order.map((i) => v[i] ?? null))).sort();
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

/**
 * Writes a format-1 file exactly as the old release did, for the given rows ([tableIndex, values]
 * JSON lines); the digests are recomputed from the lines. Only tests use it (old-format fixtures).
 */
export function sealBackup(manifest: ManifestV1, lines: string[], master: MasterKey): Buffer {
  const rows = manifest.tables.map(() => [] as unknown[][]);
  for (const line of lines) {
    const [i, values] = JSON.parse(line) as [number, unknown[]];
    rows[i].push(values);
  }
  const tables = manifest.tables.map((t, i) => extend(t, { rows: rows[i].length, sha256: legacyDigest(t.columns, rows[i]) }));
  const plain = gzipSync(Buffer.from(`${JSON.stringify(extend(manifest, { tables }))}\n${lines.join("\n")}`, "utf8"));
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: HeaderV1 = { key_id: master.id, salt: salt.toString("base64"), iv: iv.toString("base64"), created_at: manifest.created_at, dialect: manifest.dialect };
  const head = Buffer.from(`${MAGIC_V1}\n${JSON.stringify(header)}\n`, "utf8");
  const cipher = createCipheriv("aes-256-gcm", keyV1(master, salt), iv);
  cipher.setAAD(head);
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([head, body]);
}

/** Checks and decrypts a format-1 file; its digests are checked against its rows here. */
export function openBackupV1(bytes: Buffer, headerLine: Buffer, headLength: number, master: MasterKey): { manifest: ManifestV1; rows: Map<string, unknown[][]> } {
  let header: HeaderV1;
  try {
    header = JSON.parse(headerLine.toString("utf8")) as HeaderV1;
  } catch {
    throw new BackupError(DAMAGED);
  }
  if (typeof header?.key_id !== "string" || typeof header.salt !== "string" || typeof header.iv !== "string") throw new BackupError(DAMAGED);
  if (header.key_id !== master.id) throw new BackupError(otherKey(header.key_id, master));
  const body = bytes.subarray(headLength);
  const iv = Buffer.from(header.iv, "base64");
  if (body.length < 16 || iv.length !== 12) throw new BackupError(DAMAGED);
  let text: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyV1(master, Buffer.from(header.salt, "base64")), iv);
    decipher.setAAD(bytes.subarray(0, headLength));
    decipher.setAuthTag(body.subarray(body.length - 16));
    text = gunzipSync(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()])).toString("utf8");
  } catch {
    throw new BackupError(DAMAGED);
  }
  const nl = text.indexOf("\n");
  const manifest = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as ManifestV1;
  const rows = new Map<string, unknown[][]>(manifest.tables.map((t) => [t.name, []]));
  if (nl >= 0) {
    for (const line of text.slice(nl + 1).split("\n")) {
      if (!line) continue;
      const [i, values] = JSON.parse(line) as [number, unknown[]];
      rows.get(manifest.tables[i].name)!.push(values);
    }
  }
  for (const t of manifest.tables) {
    const got = rows.get(t.name) ?? [];
    if (got.length !== t.rows || legacyDigest(t.columns, got) !== t.sha256) throw new BackupError(`The backup's table ${t.name} does not match its own checksum: it cannot be restored.`);
  }
  return { manifest, rows };
}

