/**
 * PDF rendering for every module: pdfmake (CommonJS, one process-wide instance), Roboto from the
 * pdfmake package (pdfkit's built-in fonts garble characters like "≥"), no URL ever fetched and no
 * file read but those four font files. Modules build a document definition and call renderPdf().
 *
 * pdfmake's module object is a singleton: configure it here only, so no module can loosen the
 * policy for the others.
 */
import { createHash } from "node:crypto";
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

interface Fontkit {
  create(data: Uint8Array, postscriptName?: string): unknown;
}

/**
 * pdfkit parses each font file anew for every document (`fontkit.create` in its font factory), and fontkit then
 * decodes the font's layout tables (GSUB, GPOS) again at the first line of text: ~40% of a small document's time
 * (session 14: 43-47 -> 23-30 ms a document; the advice archive renders one per municipality). pdfkit is handed a
 * fontkit whose `create` returns the font already parsed from the same bytes (SHA-256 of the file): fontkit's
 * fonts are read-only once parsed, each document still makes its own subset, and the PDFs are byte-for-byte the
 * same (test). Installed in the module cache before pdfkit is first required; pdfkit reads `fontkit.create` at
 * each call.
 */
function shareParsedFonts(): void {
  const pdfkitDir = path.dirname(require.resolve("pdfkit", { paths: [path.dirname(require.resolve("pdfmake"))] }));
  const fontkitPath = require.resolve("fontkit", { paths: [pdfkitDir] });
  const fontkit = require(fontkitPath) as Fontkit;
  const cached = require.cache[fontkitPath];
  if (!cached) throw new Error("fontkit is not in the module cache");
  const parsed = new Map<string, unknown>();
  cached.exports = {
    ...fontkit,
    create(data: Uint8Array, postscriptName?: string) {
      const key = `${postscriptName ?? ""}:${createHash("sha256").update(data).digest("hex")}`;
      let font = parsed.get(key);
      if (font === undefined) {
        font = fontkit.create(data, postscriptName);
        // Only the four Roboto files can be read (local access policy below); the bound is a safety net.
        if (parsed.size < 16) parsed.set(key, font);
      }
      return font;
    },
  };
}

function pdfmake(): PdfMake {
  if (instance) return instance;
  shareParsedFonts();
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

/** Renders a pdfmake document definition to a PDF. */
export function renderPdf(docDefinition: object): Promise<Buffer> {
  return pdfmake().createPdf(docDefinition).getBuffer();
}
