import fs from "node:fs";
import type { Command } from "commander";
import { verifyAuditChain } from "../../platform/audit";
import { addFieldDataKey, rewrapDataKeys } from "../../platform/crypto/keyring";
import { decodeKey, generateKeyText, loadMasterKey, masterKeyFromBytes } from "../../platform/crypto/master-key";

import type { OpenContext as Open } from "../../cli/shared";

/** `schakel audit verify`, `schakel keys generate|rotate`. */
export function securityCli(program: Command, open: Open) {
  const auditCmd = program.command("audit").description("The tamper-evident audit log");
  auditCmd
    .command("verify")
    .description("Check the whole hash chain; exit 0 when intact, 1 when broken (names the first broken entry)")
    .action(async () => {
      const ctx = await open();
      try {
        const started = performance.now();
        const r = await verifyAuditChain(ctx.database);
        const seconds = (performance.now() - started) / 1000;
        if (r.ok) {
          console.log(`Audit log intact: ${r.entries} entries, head ${r.headHash} (${Math.round(r.entries / Math.max(seconds, 0.001))} entries/s).`);
          console.log("Keep the head hash and count elsewhere: a later run that shows fewer entries or another hash at that count means the tail was cut.");
        } else {
          console.error(`Audit log BROKEN at entry ${r.brokenAt}: ${r.reason}. ${r.entries} entries before it are intact.`);
          process.exitCode = 1;
        }
      } finally {
        await ctx.close();
      }
    });

  const keys = program.command("keys").description("Encryption keys for personal data");
  keys
    .command("generate")
    .description("Print a new random master key (base64) for SCHAKEL_MASTER_KEY or a key file")
    .action(() => {
      console.log(generateKeyText());
    });
  keys
    .command("rotate")
    .description("Re-wrap all data keys under a new master key (--new-key-file), and/or start a new data key for new writes (--data-key)")
    .option("--new-key-file <file>", "file holding the new master key (base64)")
    .option("--data-key", "start a new data key; older values stay readable")
    .action(async (opts: { newKeyFile?: string; dataKey?: boolean }) => {
      if (!opts.newKeyFile && !opts.dataKey) throw new Error("Say what to rotate: --new-key-file <file> and/or --data-key");
      const ctx = await open();
      try {
        const current = loadMasterKey(ctx.config, () => {});
        let master = current;
        if (opts.newKeyFile) {
          const next = masterKeyFromBytes(decodeKey(fs.readFileSync(opts.newKeyFile, "utf8"), `The key file ${opts.newKeyFile}`));
          const n = await rewrapDataKeys(ctx.database, current, next);
          master = next;
          console.log(`Re-wrapped ${n} data keys under master key ${next.id}. Running instances keep working; restart them with the new key (SCHAKEL_MASTER_KEY or SCHAKEL_KEY_FILE).`);
        }
        if (opts.dataKey) {
          const id = await addFieldDataKey(ctx.database, master);
          console.log(`New data key ${id} is active for new writes; older values stay readable.`);
        }
      } finally {
        await ctx.close();
      }
    });
}
