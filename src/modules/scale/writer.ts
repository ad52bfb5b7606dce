import type { Kysely } from "kysely";
import type { Database } from "../../platform/db";
import type { DB } from "../../platform/db/schema";

type Row = Record<string, unknown>;

/**
 * Batched multi-row inserts, one transaction per call: as many rows per statement as the dialect
 * takes bound parameters (SQLite 32,766; PostgreSQL 65,535), minus a margin.
 */
export class BulkWriter {
  readonly counts = new Map<string, number>();
  constructor(
    private readonly database: Database,
    private readonly onRows: (n: number) => void = () => {},
  ) {}

  private perStatement(columns: number) {
    const limit = this.database.dialect === "sqlite" ? 30_000 : 60_000;
    return Math.max(1, Math.min(5_000, Math.floor(limit / columns)));
  }

  /** Inserts several tables' rows in ONE transaction, in the order given (parents first). */
  async write(tables: [keyof DB, Row[]][]): Promise<void> {
    const work = tables.filter(([, rows]) => rows.length > 0);
    if (work.length === 0) return;
    await this.database.db.transaction().execute(async (trx) => {
      for (const [table, rows] of work) await this.insert(trx, table, rows);
    });
    for (const [table, rows] of work) {
      this.counts.set(table, (this.counts.get(table) ?? 0) + rows.length);
      this.onRows(rows.length);
    }
  }

  private async insert(trx: Kysely<DB>, table: keyof DB, rows: Row[]) {
    const step = this.perStatement(Object.keys(rows[0]).length);
    for (let i = 0; i < rows.length; i += step) {
      // biome-ignore lint/suspicious/noExplicitAny: one generic writer for every module's table
      await trx.insertInto(table).values(rows.slice(i, i + step) as any).execute();
    }
  }
}
