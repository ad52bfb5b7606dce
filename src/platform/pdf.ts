/**
 * PDF rendering for every module: pdfmake (CommonJS, one process-wide instance), Roboto from the
 * pdfmake package (pdfkit's built-in fonts garble characters like "≥"), no URL ever fetched and no
 * file read but those four font files. Modules build a document definition and call renderPdf().
 *
 * pdfmake's module object is a singleton: configure it here only, so no module can loosen the
 * policy for the others.
 */
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

interface PdfMake {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(cb: (url: string) => boolean): void;
  setLocalAccessPolicy(cb: (path: string) => boolean): void;
  createPdf(doc: unknown): { getBuffer(): Promise<Buffer> };
}

/** The font family to name in `defaultStyle: { font: PDF_FONT }`. */
export const PDF_FONT = "Roboto";

let instance: PdfMake | null = null;

function pdfmake(): PdfMake {
  if (instance) return instance;
  const pm = require("pdfmake") as PdfMake;
  const fonts = require("pdfmake/fonts/Roboto.js") as Record<string, Record<string, string>>;
  const allowed = new Set(Object.values(fonts.Roboto).map((f) => path.resolve(f)));
  pm.setFonts(fonts);
  // No URL access at all, and local files only for the bundled font: a document cannot fetch or read anything.
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy((p) => allowed.has(path.resolve(p)));
  instance = pm;
  return pm;
}

/**
 * Latin ligature characters (U+FB00-U+FB06: "ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ", common in text pasted from a PDF) are written as their
 * letters. fontkit keeps a glyph with the characters of its first use and pdfkit writes those into the PDF's
 * text map: after one literal "ﬁ", every later "fi" of the document (which Roboto draws with the same ligature
 * glyph) was extracted, searched and read aloud as "ﬁ". The letters are drawn with the same ligature glyph.
 */
const LIGATURES = /[\uFB00-\uFB06]/g;
function withoutLigatureCharacters(value: unknown): unknown {
  if (typeof value === "string") return value.replace(LIGATURES, (c) => c.normalize("NFKC"));
  if (Array.isArray(value)) return value.map(withoutLigatureCharacters);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutLigatureCharacters(v)]));
  }
  return value;
}

/** Renders a pdfmake document definition to a PDF. */
export function renderPdf(docDefinition: object): Promise<Buffer> {
  return pdfmake().createPdf(withoutLigatureCharacters(docDefinition)).getBuffer();
}
