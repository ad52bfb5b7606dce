import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import type { MasterKey } from "../../platform/crypto/master-key";

/**
 * Backup file format 2 (decision 0067): streamed, in authenticated frames.
 *
 *   line 1   "SCHAKEL-BACKUP 2"
 *   line 2   header JSON {format, key_id, salt, created_at, dialect, frame_bytes}
 *   frames   [u32 BE length n][n bytes AES-256-GCM ciphertext][16-byte tag], until the end of the file
 *
 * Frame i is encrypted under HKDF(master KEK, salt, "schakel/backup/v2") with nonce = 4 zero bytes ||
 * u64 BE i, and associated data = lines 1-2 || u64 BE i || final flag (1 on the last frame, else 0).
 * The key is new for every file (random salt), so a counter never repeats a nonce under one key. A
 * changed byte, a changed header, frames swapped or dropped (wrong index), and a file cut off after
 * any frame (no frame with the final flag) all fail the tag. The plaintext of the frames, in order, is
 * gzip of JSON lines: a preamble, the rows ([tableIndex, values]), a trailer with the counts and digests.
 */
export const MAGIC_V2 = "SCHAKEL-BACKUP 2";
const INFO_V2 = "schakel/backup/v2";
/** Plaintext bytes per frame (gzip output): the reader holds one frame at a time. */
export const FRAME_BYTES = 1 << 20;
const MAX_FRAME_BYTES = 16 << 20;

export interface HeaderV2 {
  format: 2;
  key_id: string;
  salt: string;
  created_at: string;
  dialect: string;
  frame_bytes: number;
}

export class BackupError extends Error {}

export const DAMAGED = "The backup file is damaged or was changed (its authentication check failed): it cannot be restored.";
export const CUT_OFF = "The backup file is incomplete (it was cut off before its last frame): it cannot be restored.";
export const NOT_BACKUP = "This is not a Schakel backup file (its first line is not the backup signature).";

export const otherKey = (fileKey: string, master: MasterKey) =>
  `This backup was made with another master key (key ${fileKey}; this Schakel uses ${master.id}): restore it with the SCHAKEL_MASTER_KEY it was made with.`;

const keyV2 = (master: MasterKey, salt: Buffer) => Buffer.from(hkdfSync("sha256", master.kek, salt, INFO_V2, 32));

function frameNonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function frameAad(head: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail[8] = final ? 1 : 0;
  return Buffer.concat([head, tail]);
}

/** The file's first two lines for a new backup, and its key. */
export function newHeader(master: MasterKey, created_at: string, dialect: string, frameBytes = FRAME_BYTES): { head: Buffer; key: Buffer } {
  const salt = randomBytes(16);
  const header: HeaderV2 = { format: 2, key_id: master.id, salt: salt.toString("base64"), created_at, dialect, frame_bytes: frameBytes };
  return { head: Buffer.from(`${MAGIC_V2}\n${JSON.stringify(header)}\n`, "utf8"), key: keyV2(master, salt) };
}

/** Transform: plaintext bytes in, the file out (head, then frames). A frame is sealed only once the next byte exists, so the last one carries the final flag. */
export class FrameSealer extends Transform {
  private pending: Buffer[] = [];
  private size = 0;
  private index = 0;

  constructor(
    private readonly head: Buffer,
    private readonly key: Buffer,
    private readonly frameBytes = FRAME_BYTES,
  ) {
    super();
    if (frameBytes < 1 || frameBytes > MAX_FRAME_BYTES) throw new RangeError("frame size");
    this.push(head);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.size += chunk.length;
    if (this.size > this.frameBytes) {
      let all = Buffer.concat(this.pending);
      while (all.length > this.frameBytes) {
        this.seal(all.subarray(0, this.frameBytes), false);
        all = all.subarray(this.frameBytes);
      }
      this.pending = [all];
      this.size = all.length;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.seal(Buffer.concat(this.pending), true);
    done();
  }

  private seal(plain: Buffer, final: boolean): void {
    const cipher = createCipheriv("aes-256-gcm", this.key, frameNonce(this.index));
    cipher.setAAD(frameAad(this.head, this.index, final));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(plain.length);
    this.push(Buffer.concat([len, cipher.update(plain), cipher.final(), cipher.getAuthTag()]));
    this.index++;
  }
}

/** Reads the first two lines: which format, and the header line (not yet authenticated). */
export function parseHead(start: Buffer): { magic: string; headerLine: Buffer; headLength: number } {
  const first = start.indexOf(0x0a);
  const second = first < 0 ? -1 : start.indexOf(0x0a, first + 1);
  const magic = first < 0 ? "" : start.subarray(0, first).toString("utf8");
  if (second < 0 || !magic.startsWith("SCHAKEL-BACKUP ")) throw new BackupError(NOT_BACKUP);
  return { magic, headerLine: start.subarray(first + 1, second), headLength: second + 1 };
}

/** Checks the header against the master key; returns the frame key. */
export function openHeaderV2(headerLine: Buffer, master: MasterKey): { header: HeaderV2; key: Buffer } {
  let header: HeaderV2;
  try {
    header = JSON.parse(headerLine.toString("utf8")) as HeaderV2;
  } catch {
    throw new BackupError(DAMAGED);
  }
  if (header?.format !== 2 || typeof header.key_id !== "string" || typeof header.salt !== "string") throw new BackupError(DAMAGED);
  if (header.key_id !== master.id) throw new BackupError(otherKey(header.key_id, master));
  return { header, key: keyV2(master, Buffer.from(header.salt, "base64")) };
}

/**
 * Opens frames as bytes arrive. A complete frame is opened when the next byte is there (not final)
 * or at the end of the file (final), so truncation at a frame boundary is caught too.
 */
export class FrameOpener {
  private buf: Buffer = Buffer.alloc(0);
  private index = 0;
  private sawFinal = false;

  constructor(
    private readonly head: Buffer,
    private readonly key: Buffer,
  ) {}

  /** Plaintexts of the frames that are complete and followed by more bytes. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const total = this.frameLength();
      if (total < 0 || this.buf.length <= total) return out;
      out.push(this.open(this.buf.subarray(0, total), false));
      this.buf = this.buf.subarray(total);
    }
  }

  /** At the end of the file: the last frame, which must carry the final flag. */
  end(): Buffer {
    const total = this.frameLength();
    if (total < 0 || this.buf.length !== total) throw new BackupError(CUT_OFF);
    const plain = this.open(this.buf, true);
    this.buf = Buffer.alloc(0);
    return plain;
  }

  private frameLength(): number {
    if (this.buf.length < 4) return -1;
    const n = this.buf.readUInt32BE(0);
    if (n > MAX_FRAME_BYTES) throw new BackupError(DAMAGED);
    return 4 + n + 16;
  }

  private open(frame: Buffer, final: boolean): Buffer {
    if (this.sawFinal) throw new BackupError(DAMAGED);
    const body = frame.subarray(4, frame.length - 16);
    const tag = frame.subarray(frame.length - 16);
    const attempt = (flag: boolean) => {
      const d = createDecipheriv("aes-256-gcm", this.key, frameNonce(this.index));
      d.setAAD(frameAad(this.head, this.index, flag));
      d.setAuthTag(tag);
      return Buffer.concat([d.update(body), d.final()]);
    };
    try {
      const plain = attempt(final);
      this.index++;
      this.sawFinal = final;
      return plain;
    } catch {
      // The last frame in the file opens only as a middle frame: the file was cut off after it.
      if (final) {
        try {
          attempt(false);
        } catch {
          throw new BackupError(DAMAGED);
        }
        throw new BackupError(CUT_OFF);
      }
      throw new BackupError(DAMAGED);
    }
  }
}

/** The verified plaintext of a format-2 file (in memory or on disk), frame by frame. */
async function* plainFrames(source: AsyncIterable<Buffer> | Iterable<Buffer>, master: MasterKey, onHeader: (h: HeaderV2, head: Buffer) => void): AsyncGenerator<Buffer> {
  let start: Buffer | null = Buffer.alloc(0);
  let opener: FrameOpener | null = null;
  for await (const chunk of source) {
    if (opener) {
      yield* opener.push(chunk);
      continue;
    }
    start = Buffer.concat([start!, chunk]);
    if (start.indexOf(0x0a, start.indexOf(0x0a) + 1) < 0 && start.length < 64 * 1024) continue;
    const { magic, headerLine, headLength } = parseHead(start);
    if (magic !== MAGIC_V2) throw new BackupError(NOT_BACKUP);
    const { header, key } = openHeaderV2(headerLine, master);
    const head = start.subarray(0, headLength);
    onHeader(header, head);
    opener = new FrameOpener(head, key);
    const rest = start.subarray(headLength);
    start = null;
    if (rest.length > 0) yield* opener.push(rest);
  }
  if (!opener) {
    parseHead(start ?? Buffer.alloc(0));
    throw new BackupError(CUT_OFF);
  }
  yield opener.end();
}

/** JSON lines of a format-2 file, each frame verified before any of its bytes are used. */
export async function* backupLines(source: AsyncIterable<Buffer> | Iterable<Buffer>, master: MasterKey, onHeader: (h: HeaderV2, head: Buffer) => void = () => {}): AsyncGenerator<unknown> {
  const frames = Readable.from(plainFrames(source, master, onHeader));
  const gunzip = createGunzip();
  frames.on("error", (e) => gunzip.destroy(e));
  gunzip.on("close", () => frames.destroy());
  frames.pipe(gunzip);
  let carry: Buffer = Buffer.alloc(0);
  const parse = (b: Buffer) => {
    try {
      return JSON.parse(b.toString("utf8")) as unknown;
    } catch {
      throw new BackupError(DAMAGED);
    }
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let nl = data.indexOf(0x0a);
      while (nl >= 0) {
        if (nl > 0) yield parse(data.subarray(0, nl));
        data = data.subarray(nl + 1);
        nl = data.indexOf(0x0a);
      }
      carry = data;
    }
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(DAMAGED);
  } finally {
    gunzip.destroy();
  }
  if (carry.length > 0) yield parse(carry);
}

/** The JSON lines of a whole format-2 file in memory (tests, small files), verified like the stream. */
export function backupLinesSync(bytes: Buffer, master: MasterKey): unknown[] {
  const { magic, headerLine, headLength } = parseHead(bytes.subarray(0, 64 * 1024));
  if (magic !== MAGIC_V2) throw new BackupError(NOT_BACKUP);
  const { key } = openHeaderV2(headerLine, master);
  const opener = new FrameOpener(bytes.subarray(0, headLength), key);
  const plain = [...opener.push(bytes.subarray(headLength)), opener.end()];
  let text: string;
  try {
    text = gunzipSync(Buffer.concat(plain)).toString("utf8");
  } catch {
    throw new BackupError(DAMAGED);
  }
  return text.split("\n").filter((l) => l.length > 0).map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      throw new BackupError(DAMAGED);
    }
  });
}

/** A file on disk as a byte source. */
export const fileChunks = (file: string): AsyncIterable<Buffer> => fs.createReadStream(file, { highWaterMark: 1 << 20 });
