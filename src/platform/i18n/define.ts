export const LOCALES = ["nl", "fr", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * A module's messages. Dutch is the source; French and English must have exactly the same keys,
 * so a missing or stray translation is a compile error.
 */
export function defineMessages<const T extends Record<string, string>>(m: {
  nl: T;
  fr: { [K in keyof T]: string };
  en: { [K in keyof T]: string };
}) {
  return m;
}
