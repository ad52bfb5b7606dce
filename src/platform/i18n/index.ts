import { allMessages } from "../../modules/messages";
import { type Locale, LOCALES } from "./define";

export { type Locale, LOCALES } from "./define";

type Merge<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type AllNl = Merge<(typeof allMessages)[number]["nl"]>;
export type MessageKey = keyof AllNl & string;

const tables: Record<Locale, Record<string, string>> = { nl: {}, fr: {}, en: {} };
for (const set of allMessages) {
  for (const locale of LOCALES) {
    for (const [k, v] of Object.entries(set[locale])) {
      if (locale === "nl" && k in tables.nl) throw new Error(`Duplicate message key ${k}`);
      tables[locale][k] = v;
    }
  }
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table = tables[locale];
  return (key, params) => {
    let s = table[key] ?? tables.nl[key] ?? key;
    if (params) for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
}

export const isLocale = (v: unknown): v is Locale => typeof v === "string" && (LOCALES as readonly string[]).includes(v);

const intlLocale: Record<Locale, string> = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };

export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return new Intl.DateTimeFormat(intlLocale[locale], {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "Europe/Brussels",
    ...(iso.length > 10 ? { hour: "2-digit", minute: "2-digit" } : {}),
  }).format(d);
}

export function formatNumber(locale: Locale, n: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlLocale[locale], opts).format(n);
}
