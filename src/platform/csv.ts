/**
 * Our own small CSV reader and writer.
 * Reader: UTF-8 (BOM stripped), comma or semicolon (detected from the header), RFC 4180 quotes,
 * every record keeps its 1-based line number so errors can say "line N".
 * Writer: UTF-8 BOM, ";" separator (Excel nl-BE), quotes where needed, formula-injection guard.
 */
export interface CsvRecord {
  line: number;
  values: Record<string, string>;
}

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file} line ${line}: ${reason}`);
  }
}

export function parseCsv(
  text: string,
  file: string,
  expectedHeader?: readonly string[],
): { header: string[]; records: CsvRecord[]; separator: string } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = src.slice(0, src.search(/\r?\n|$/));
  const separator = firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
  const rows = splitRows(src, separator, file);
  if (rows.length === 0) throw new CsvError(file, 1, "the file is empty: a header line is expected");
  const header = rows[0].cells.map((h) => h.trim());
  if (expectedHeader) {
    const missing = expectedHeader.filter((h) => !header.includes(h));
    if (missing.length > 0) {
      throw new CsvError(file, 1, `header must be "${expectedHeader.join(",")}" (missing: ${missing.join(", ")})`);
    }
  }
  const records: CsvRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.cells.length === 1 && row.cells[0].trim() === "") continue;
    if (row.cells.length !== header.length) {
      throw new CsvError(file, row.line, `expected ${header.length} fields, found ${row.cells.length}`);
    }
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      values[h] = row.cells[i].trim();
    });
    records.push({ line: row.line, values });
  }
  return { header, records, separator };
}

function splitRows(src: string, sep: string, file: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === "") quoted = true;
    else if (ch === sep) {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = "";
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) throw new CsvError(file, rowLine, "a quoted field is not closed");
  if (cell !== "" || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell, safe for spreadsheets: formulas are neutralised with a leading apostrophe. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = typeof value === "number" ? String(value).replace(".", ",") : String(value);
  if (typeof value !== "number" && FORMULA_START.test(s)) s = `'${s}`;
  return /[";\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_BOM = "\uFEFF";

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(";")}\r\n`;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return CSV_BOM + csvLine(header) + rows.map(csvLine).join("");
}
