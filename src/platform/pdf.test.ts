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

  it("writes ligature characters as their letters, so a later 'fi' is still extracted as 'fi'", async () => {
    const pdf = await renderPdf({ content: ["Geplakt: \uFB01che \uFB02ow \uFB00", { text: "the final figures", bold: false }], defaultStyle: { font: PDF_FONT } });
    const extracted = text(pdf);
    expect(extracted).toContain("the final figures");
    expect(extracted).toContain("Geplakt: fiche flow ff");
    expect(extracted).not.toMatch(/[\uFB00-\uFB06]/);
  });

  it("never fetches a URL named in a document", async () => {
    await expect(renderPdf({ content: [{ image: "x" }], images: { x: "http://127.0.0.1:9/x.png" } })).rejects.toThrow(/denied by resource access policy/);
  });

  it("reads no local file but the bundled fonts", async () => {
    await expect(renderPdf({ content: [{ image: "/etc/passwd" }] })).rejects.toThrow(/denied by resource access policy/);
    await expect(renderPdf({ content: [{ image: path.join(import.meta.dirname, "pdf.ts") }] })).rejects.toThrow(/denied by resource access policy/);
  });
});
