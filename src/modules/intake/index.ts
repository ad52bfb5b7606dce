import type { SchakelModule } from "..";
import { contactPointRoutes } from "./contacts-routes";
import { seedIntakeDemo } from "./demo";
import { intakeRoutes } from "./routes";

export const intakeModule: SchakelModule = {
  name: "intake",
  routes: (app, ctx) => {
    intakeRoutes(app, ctx);
    contactPointRoutes(app, ctx);
  },
  seedDemo: seedIntakeDemo,
  cli(program, open) {
    const intake = program.command("intake").description("Reports (aanmeldingen) and screening");
    intake
      .command("regional-contact")
      .description("Make an account a regional contact point for reports from municipalities without an LIVC (also on /admin/regional-contacts)")
      .requiredOption("--email <email>", "the account's e-mail address")
      .option("--province <name>", "only this province (its name, e.g. Limburg); default all of Flanders")
      .action(async (opts: { email: string; province?: string }) => {
        const ctx = await open();
        try {
          // The same rules and audit entry as the admin page (contacts.ts); the CLI acts as the system (actor null).
          const { addContactPoint, provinceChoices } = await import("./contacts");
          const province = opts.province ?? null;
          const result = await addContactPoint(ctx, { actor: null }, { email: opts.email, province });
          const scope = province ?? "all provinces";
          if (result.ok) console.log(`Regional contact point set (${scope}).`);
          else if (result.errors.includes("duplicate")) console.log(`Regional contact point already set (${scope}).`);
          else {
            if (result.errors.includes("email")) console.error(`No account with e-mail ${opts.email}.`);
            if (result.errors.includes("province")) console.error(`Unknown province "${opts.province}". Known: ${(await provinceChoices(ctx)).join(", ")}.`);
            process.exitCode = 1;
          }
        } finally {
          await ctx.close();
        }
      });
  },
};
