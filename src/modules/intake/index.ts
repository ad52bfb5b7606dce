import type { SchakelModule } from "..";
import { seedIntakeDemo } from "./demo";
import { intakeRoutes } from "./routes";

export const intakeModule: SchakelModule = {
  name: "intake",
  routes: intakeRoutes,
  seedDemo: seedIntakeDemo,
  cli(program, open) {
    const intake = program.command("intake").description("Reports (aanmeldingen) and screening");
    intake
      .command("regional-contact")
      .description("Make an account a regional contact point for reports from municipalities without an LIVC")
      .requiredOption("--email <email>", "the account's e-mail address")
      .option("--province <name>", "only this province (its name, e.g. Limburg); default all of Flanders")
      .action(async (opts: { email: string; province?: string }) => {
        const ctx = await open();
        try {
          const { userIdByEmail } = await import("../identity/service");
          const { addRegionalContact } = await import("./service");
          const userId = await userIdByEmail(ctx, opts.email);
          if (!userId) {
            console.error(`No account with e-mail ${opts.email}.`);
            process.exitCode = 1;
            return;
          }
          await addRegionalContact(ctx, userId, opts.province ?? null);
          console.log(`Regional contact point set (${opts.province ?? "all provinces"}).`);
        } finally {
          await ctx.close();
        }
      });
  },
};
