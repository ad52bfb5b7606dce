import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PDF_FONT, renderPdf } from "./pdf";

const text = (pdf: Buffer) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "platform-pdf-")), "t.pdf");
  fs.writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
};

describe("renderPdf (shared pdfmake setup)", () => {
  it("renders Roboto text, including characters pdfkit's built-in font garbles", async () => {
    const pdf = await renderPdf({ content: ["Ten minste ≥ 5 · Ça évolue"], defaultStyle: { font: PDF_FONT } });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(text(pdf)).toContain("Ten minste ≥ 5 · Ça évolue");
  });

  it("never fetches a URL named in a document", async () => {
    await expect(renderPdf({ content: [{ image: "x" }], images: { x: "http://127.0.0.1:9/x.png" } })).rejects.toThrow(/denied by resource access policy/);
  });

  it("shares parsed fonts between documents and still writes the same bytes as pdfkit parsing them anew", async () => {
    // Fixed dates make a PDF deterministic. Three documents (bold, italics, ligatures, a table), rendered at once.
    const creationDate = new Date("2026-01-01T00:00:00Z");
    const docs = [
      { content: ["Ten minste ≥ 5 · Ça évolue", { text: "Vet ﬁnaal", bold: true }], defaultStyle: { font: PDF_FONT }, info: { creationDate } },
      { content: [{ text: "Cursief", italics: true }, { table: { body: [["a", "b"], ["1", { text: "2", bold: true, italics: true }]] } }], defaultStyle: { font: PDF_FONT }, info: { creationDate } },
      { content: ["AVAWAToffice efficiency", { text: "Kerning: AV To Ty", fontSize: 20 }], defaultStyle: { font: PDF_FONT }, info: { creationDate } },
    ];
    const shared = await Promise.all([...docs, ...docs].map((d) => renderPdf(d)));
    // The same documents in a process where pdfmake is used as shipped: every font parsed for every document.
    const plain = JSON.parse(
      execFileSync(
        process.execPath,
        [
          "-e",
          `const pm = require("pdfmake"); pm.setFonts(require("pdfmake/fonts/Roboto.js")); pm.setUrlAccessPolicy(() => false); pm.setLocalAccessPolicy(() => true);
           const docs = JSON.parse(process.argv[1], (k, v) => (k === "creationDate" ? new Date(v) : v));
           (async () => { const out = []; for (const d of docs) out.push((await pm.createPdf(d).getBuffer()).toString("base64")); console.log(JSON.stringify(out)); })();`,
          JSON.stringify(docs),
        ],
        { cwd: path.resolve(import.meta.dirname, "../.."), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      ),
    ) as string[];
    for (const [i, pdf] of shared.entries()) expect(pdf.toString("base64"), `document ${i % 3}, ${i < 3 ? "first" : "second"} time`).toBe(plain[i % 3]);
    expect(new Set(plain).size).toBe(3);
  });

  it("reads no local file but the bundled fonts", async () => {
    await expect(renderPdf({ content: [{ image: "/etc/passwd" }] })).rejects.toThrow(/denied by resource access policy/);
    await expect(renderPdf({ content: [{ image: path.join(import.meta.dirname, "pdf.ts") }] })).rejects.toThrow(/denied by resource access policy/);
  });
});
