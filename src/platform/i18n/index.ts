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

// Building an Intl formatter costs ~50-100 us; a case list formats thousands of dates, so each
// formatter is built once per locale and options (issue 9 profile: formatDate was the top item).
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(intlLocale[locale], {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "Europe/Brussels",
      ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
    });
    dateFormats.set(key, f);
  }
  return f;
}

// Calendar dates repeat across a page and across requests (due dates, opening dates): their text is
// kept (bounded) per locale, since Intl formatting costs a few microseconds a call (issue 9 profile).
const formattedDays = new Map<string, string>();

export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return "";
  if (iso.length === 10) {
    const key = `${locale}${iso}`;
    let text = formattedDays.get(key);
    if (text === undefined) {
      text = dateFormat(locale, false).format(new Date(`${iso}T12:00:00Z`));
      if (formattedDays.size >= 20_000) formattedDays.clear();
      formattedDays.set(key, text);
    }
    return text;
  }
  return dateFormat(locale, true).format(new Date(iso));
}

export function formatNumber(locale: Locale, n: number, opts?: Intl.NumberFormatOptions): string {
  const key = opts ? `${locale}|${JSON.stringify(opts)}` : locale;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(intlLocale[locale], opts);
    numberFormats.set(key, f);
  }
  return f.format(n);
}
