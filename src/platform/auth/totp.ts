import { createHash, randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";

/** TOTP per RFC 6238 (30 s, 6 digits, SHA-1: what authenticator apps support). */
export const newTotpSecret = (): string => generateSecret({ length: 20 });

export const totpUri = (secret: string, label: string): string => generateURI({ issuer: "Schakel", label, secret });

/** The QR code as an SVG data: URL, so the page needs no script and no inline style. */
export async function totpQrDataUrl(uri: string): Promise<string> {
  // Loaded on first use: only enrolment draws a code, and loading it cost every start-up (issue 9).
  const { default: QRCode } = await import("qrcode");
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/**
 * Checks a code with one step of clock drift either way. A code (time step) is accepted once:
 * the caller stores the returned step and passes it back as lastStep.
 */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<number | null> {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({ secret, token, epochTolerance: 30, ...(lastStep !== null ? { afterTimeStep: lastStep } : {}) }).catch(() => null);
  return result?.valid && "timeStep" in result ? (result.timeStep as number) : null;
}

/**
 * Ten recovery codes like "7KQ4M-2XD9P-TAB3C-...", shown once. 25 characters from 32 = 125 bits, so
 * a plain SHA-256 is an acceptable store (ASVS 6.5.2: >= 112 bits needs no slow salted hash).
 */
export function newRecoveryCodes(): string[] {
  const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  return Array.from({ length: 10 }, () => {
    const chars = [...randomBytes(25)].map((b) => alphabet[b % alphabet.length]).join("");
    return chars.match(/.{5}/g)!.join("-");
  });
}

export const normaliseRecoveryCode = (code: string): string => code.toUpperCase().replace(/[^0-9A-Z]/g, "");
export const hashRecoveryCode = (code: string): string => createHash("sha256").update(`schakel-recovery|${normaliseRecoveryCode(code)}`).digest("hex");
