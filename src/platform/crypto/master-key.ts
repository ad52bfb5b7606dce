import { createHash, hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config";

/**
 * The master key only wraps data keys (see docs/decisions: key hierarchy). It comes from
 * SCHAKEL_MASTER_KEY (base64) or SCHAKEL_KEY_FILE; development generates ./data/keys/master.key
 * and says so; tests without a key get one per process (never written to disk).
 */
export interface MasterKey {
  /** Short public fingerprint stored beside each wrapped data key, to find the right master. */
  id: string;
  /** Key-encryption key derived from the master key with HKDF. */
  kek: Buffer;
}

/** The development key file, relative to the working directory. */
export const devKeyFile = () => path.resolve("data/keys/master.key");
let testKey: Buffer | undefined;

/**
 * The configured master key is missing, unreadable, not a key, or does not open this database's data
 * keys (docs/decisions/0066). One line naming the variable and key ids only; the CLI exits with code 2.
 */
export class KeyCheckError extends Error {
  readonly exitCode = 2;
}

/** Where the configured master key comes from, as messages name it (never the key itself). */
export function masterKeySource(config: Config): string {
  if (config.SCHAKEL_MASTER_KEY) return "SCHAKEL_MASTER_KEY";
  if (config.SCHAKEL_KEY_FILE) return `SCHAKEL_KEY_FILE (${config.SCHAKEL_KEY_FILE})`;
  if (config.NODE_ENV === "test") return "The per-process test key";
  return `The development key file ${devKeyFile()}`;
}

export function decodeKey(text: string, where: string): Buffer {
  // Line breaks inside are allowed (wrapped base64); anything else that is not base64 is refused.
  const cleaned = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/=_-]+$/.test(cleaned)) throw new KeyCheckError(`${where} must hold a base64 key of at least 32 bytes (it holds other characters)`);
  const raw = Buffer.from(cleaned.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (raw.length < 32) throw new KeyCheckError(`${where} must hold a base64 key of at least 32 bytes`);
  return raw;
}

export function masterKeyFromBytes(raw: Buffer): MasterKey {
  const kek = Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), "schakel/kek/v1", 32));
  const id = createHash("sha256").update(Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), "schakel/key-id/v1", 32))).digest("hex").slice(0, 12);
  return { id, kek };
}

export const generateKeyText = (): string => randomBytes(32).toString("base64");

export function loadMasterKey(config: Config, say: (line: string) => void = (l) => console.log(l)): MasterKey {
  if (config.SCHAKEL_MASTER_KEY) return masterKeyFromBytes(decodeKey(config.SCHAKEL_MASTER_KEY, "SCHAKEL_MASTER_KEY"));
  if (config.SCHAKEL_KEY_FILE) {
    let text: string;
    try {
      text = fs.readFileSync(config.SCHAKEL_KEY_FILE, "utf8");
    } catch (e) {
      throw new KeyCheckError(`Cannot read the key file ${config.SCHAKEL_KEY_FILE} (SCHAKEL_KEY_FILE): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return masterKeyFromBytes(decodeKey(text, `The key file ${config.SCHAKEL_KEY_FILE} (SCHAKEL_KEY_FILE)`));
  }
  if (config.production) throw new KeyCheckError("SCHAKEL_MASTER_KEY or SCHAKEL_KEY_FILE is required in production");
  if (config.NODE_ENV === "test") {
    testKey ??= randomBytes(32);
    return masterKeyFromBytes(testKey);
  }
  const DEV_KEY_FILE = devKeyFile();
  if (!fs.existsSync(DEV_KEY_FILE)) {
    fs.mkdirSync(path.dirname(DEV_KEY_FILE), { recursive: true, mode: 0o700 });
    fs.writeFileSync(DEV_KEY_FILE, `${generateKeyText()}\n`, { mode: 0o600, flag: "wx" });
    say(`Development mode: generated a local master key at ${DEV_KEY_FILE} (never use it in production; set SCHAKEL_MASTER_KEY there).`);
  } else {
    say(`Development mode: using the local master key at ${DEV_KEY_FILE}.`);
  }
  return masterKeyFromBytes(decodeKey(fs.readFileSync(DEV_KEY_FILE, "utf8"), DEV_KEY_FILE));
}
