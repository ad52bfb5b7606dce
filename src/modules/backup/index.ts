import fs from "node:fs";
import path from "node:path";
import type { SchakelModule } from "..";
import { audit } from "../../platform/audit";
import { checkDataKeyRows, checkDataKeys } from "../../platform/crypto/keyring";
import { loadMasterKey, masterKeySource } from "../../platform/crypto/master-key";
import { BackupError, backupDataKeys, openBackupFile, restoreBackup, writeBackup } from "./service";

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
          // Decision 0066: a key that does not open this database's data keys is refused (exit 2) before anything is written.
          const master = loadMasterKey(ctx.config, () => {});
          const keySource = masterKeySource(ctx.config);
          await checkDataKeys(ctx.database, master, keySource);
          const started = performance.now();
          const out = path.resolve(opts.out);
          let written: Awaited<ReturnType<typeof writeBackup>>;
          try {
            // Streamed into OUT.partial, fsynced, renamed to OUT only when complete (decision 0067).
            written = await writeBackup(ctx.database, master, out, { keySource });
          } catch (e) {
            // A file-system error (no space, no permission, no such folder): one line, the file is not left behind.
            const err = e as NodeJS.ErrnoException;
            if (typeof err.syscall === "string" && err.code) return fail(`Cannot write the backup file ${out}: ${err.code}`);
            if (e instanceof BackupError) return fail(`The backup failed and nothing was written to ${out}: ${e.message}`);
            throw e;
          }
          const { manifest, bytes } = written;
          await audit.recordFor(ctx, {}, { action: "backup.create", resourceType: "database", outcome: "success" });
          const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
          console.log(
            `Backup written to ${out}: ${manifest.tables.length} tables, ${rows} rows, ${bytes} bytes, encrypted for master key ${master.id} (${Math.round(performance.now() - started)} ms).`,
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
      .option("--reapply-erasures", "when the target purged or corrected records after the backup was made: keep those records as they are in the target (otherwise the restore is refused)")
      .action(async (file: string, opts: { force?: boolean; reapplyErasures?: boolean }) => {
        try {
          fs.accessSync(file, fs.constants.R_OK);
        } catch (e) {
          return fail(`Cannot read the backup file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const ctx = await open();
        try {
          const master = loadMasterKey(ctx.config, () => {});
          // Read once as a stream to verify every frame and table digest before the database is touched (decision 0067).
          const contents = await openBackupFile(file, master);
          // The restored database must open with this key too: a backup written under the wrong key before 0066 is refused (exit 2).
          checkDataKeyRows(backupDataKeys(contents), master, masterKeySource(ctx.config), "the data keys in this backup");
          const r = await restoreBackup(ctx.database, contents, { force: opts.force, reapplyErasures: opts.reapplyErasures });
          await audit.recordFor(ctx, {}, { action: "backup.restore", resourceType: "database", outcome: "success" });
          // The target's audit entries of those purges and corrections were replaced with the backup's
          // log; one entry per record re-applied keeps that fact in the restored chain.
          for (const id of r.reapplied?.caseIds ?? []) await audit.recordFor(ctx, {}, { action: "backup.reapply-erasure", resourceType: "case", resourceId: id, outcome: "success" });
          for (const id of r.reapplied?.reportIds ?? []) await audit.recordFor(ctx, {}, { action: "backup.reapply-erasure", resourceType: "report", resourceId: id, outcome: "success" });
          console.log(`Restored ${r.rows} rows in ${r.tables} tables from the backup of ${contents.manifest.created_at}; every table's checksum matches.`);
          if (r.reapplied) {
            const a = r.reapplied;
            console.log(
              `Re-applied ${a.purges} purge(s) and ${a.rectifications} identity correction(s) made after the backup: ${a.cases} case(s) and ${a.reports} report(s) kept as they are now (${a.updated} rows updated, ${a.inserted} log rows added, ${a.deleted} rows removed).`,
            );
          }
        } catch (e) {
          if (e instanceof BackupError) return fail(e.message);
          throw e;
        } finally {
          await ctx.close();
        }
      });
  },
};
