import fs from "node:fs";
import path from "node:path";
import type { SchakelModule } from "..";
import { audit } from "../../platform/audit";
import { loadMasterKey } from "../../platform/crypto/master-key";
import { BackupError, createBackup, openBackup, restoreBackup } from "./service";

/** A refusal the operator can act on: one line on stderr, exit code 1, no stack trace. */
function fail(message: string): void {
  console.error(message);
  process.exitCode = 1;
}

/** `schakel backup --out FILE` and `schakel restore FILE [--force]` (see service.ts for the format). */
export const backupModule: SchakelModule = {
  name: "backup",
  cli(program, open) {
    program
      .command("backup")
      .description("Write an encrypted, consistent snapshot of the whole database (the server may keep running)")
      .requiredOption("--out <file>", "the backup file to write (mode 0600)")
      .action(async (opts: { out: string }) => {
        const ctx = await open();
        try {
          const master = loadMasterKey(ctx.config, () => {});
          const started = performance.now();
          const { bytes, manifest } = await createBackup(ctx.database, master);
          const out = path.resolve(opts.out);
          const tmp = `${out}.${process.pid}.tmp`;
          try {
            fs.writeFileSync(tmp, bytes, { mode: 0o600 });
            fs.renameSync(tmp, out);
          } catch (e) {
            fs.rmSync(tmp, { force: true });
            return fail(`Cannot write the backup file ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          }
          await audit.recordFor(ctx, {}, { action: "backup.create", resourceType: "database", outcome: "success" });
          const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
          console.log(
            `Backup written to ${out}: ${manifest.tables.length} tables, ${rows} rows, ${bytes.length} bytes, encrypted for master key ${master.id} (${Math.round(performance.now() - started)} ms).`,
          );
        } finally {
          await ctx.close();
        }
      });

    program
      .command("restore")
      .description("Restore a backup made by `schakel backup` into an empty database (or replace everything with --force)")
      .argument("<file>", "the backup file")
      .option("--force", "replace the whole content of a database that is in use")
      .action(async (file: string, opts: { force?: boolean }) => {
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(file);
        } catch (e) {
          return fail(`Cannot read the backup file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const ctx = await open();
        try {
          const master = loadMasterKey(ctx.config, () => {});
          const contents = openBackup(bytes, master);
          const r = await restoreBackup(ctx.database, contents, { force: opts.force });
          await audit.recordFor(ctx, {}, { action: "backup.restore", resourceType: "database", outcome: "success" });
          console.log(`Restored ${r.rows} rows in ${r.tables} tables from the backup of ${contents.manifest.created_at}; every table's checksum matches.`);
        } catch (e) {
          if (e instanceof BackupError) return fail(e.message);
          throw e;
        } finally {
          await ctx.close();
        }
      });
  },
};
