import { hash, verify } from "@node-rs/argon2";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { extend } from "../objects";

/** OWASP-recommended argon2id parameters (19 MiB, 2 passes). */
// algorithm 2 = Argon2id (the package exports a const enum, unusable under isolatedModules).
const ARGON = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export const hashPassword = (password: string): Promise<string> => hash(password.normalize("NFC"), ARGON);

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Without a stored hash we still spend the same work, so timing does not reveal whether an account exists.
  const target = stored ?? (await dummyHash());
  try {
    const ok = await verify(target, password.normalize("NFC"));
    return ok && stored !== null;
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
const dummyHash = () => {
  dummy ??= hash("schakel-timing-equaliser-not-a-password", ARGON);
  return dummy;
};

// The dictionaries are loaded when a password is first checked, not at start-up (issue 9: ~115 ms of
// every start for a check made when someone sets a password).
let zxcvbn: Promise<ZxcvbnFactory> | undefined;
const checker = () => {
  zxcvbn ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common"), import("@zxcvbn-ts/language-nl-be")]).then(
    ([{ ZxcvbnFactory }, common, nlBe]) =>
      new ZxcvbnFactory({
        dictionary: extend(common.dictionary, { ...nlBe.dictionary }),
        graphs: common.adjacencyGraphs,
        translations: nlBe.translations,
      }),
  );
  zxcvbn.catch(() => {
    zxcvbn = undefined;
  });
  return zxcvbn;
};

export type PasswordProblem = "too_short" | "too_long" | "weak";

/**
 * Length 12..128 and not guessable (zxcvbn score >= 3, with the Dutch-Belgian and common
 * dictionaries, and the person's own e-mail and name as extra words). No composition rules, no rotation.
 */
export async function passwordProblem(password: string, userInputs: string[] = []): Promise<PasswordProblem | null> {
  const length = [...password.normalize("NFC")].length;
  if (length < PASSWORD_MIN) return "too_short";
  if (length > PASSWORD_MAX) return "too_long";
  const words = userInputs.flatMap((s) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length > 2);
  const result = (await checker()).check(password, [...words, "schakel", "livc"]);
  return result.score >= 3 ? null : "weak";
}
