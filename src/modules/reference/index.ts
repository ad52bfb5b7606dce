import type { SchakelModule } from "..";
import { referenceRoutes } from "./routes";
import { DEFAULT_REFERENCE_DIR, importReferenceData } from "./service";

export const referenceModule: SchakelModule = {
  name: "reference",
  routes: referenceRoutes,
  cli(program, open) {
    program
      .command("reference")
      .description("Flanders reference data: municipalities 2019 and 2025, mergers, police zones")
      .command("import")
      .description("Import the reference data (idempotent; all-or-nothing)")
      .option("--dir <dir>", "folder with the reference CSV files", DEFAULT_REFERENCE_DIR)
      .action(async (opts: { dir: string }) => {
        const ctx = await open();
        try {
          const r = await importReferenceData(ctx.database, opts.dir);
          console.log(
            r.changed
              ? `Imported ${r.municipalities} municipality versions and ${r.zones} police zones.`
              : `Reference data unchanged (${r.municipalities} municipality versions, ${r.zones} police zones).`,
          );
        } finally {
          await ctx.close();
        }
      });
  },
};
