import type { Command } from "commander";
import type { AppContext } from "../../platform/context";
import { addContactPoint, changeContactPoint, type ContactPointError, endContactPoint, findContactPoint, provinceChoices } from "./contacts";

/**
 * `schakel intake regional-contact add|change|end`: the regional contact points from the command
 * line. The same functions as the admin pages (contacts.ts): the same validation and the same audit
 * entries, with the system as the actor (actor null). A designation is named by the account's
 * e-mail address and its province ("all" or no --province: all of Flanders). A refusal names the
 * argument on stderr and sets exit code 1; a repeat of what is already so is not an error.
 * `regional-contact --email E [--province P]` (no subcommand) still adds, as before.
 */
type Open = () => Promise<AppContext & { close(): Promise<void> }>;

const ALL = "all";
const SYSTEM = { actor: null };
const provinceArg = (value: string | undefined) => (value === undefined || value === ALL ? null : value);
const scopeOf = (province: string | null) => province ?? "all provinces";

interface Args {
  email: string;
  province?: string;
  to?: string;
}

/** Prints one line per refusal, naming the argument it is about, and sets exit code 1. */
async function refuse(ctx: AppContext, errors: ContactPointError[], args: Args, provinceFlag: "--province" | "--to") {
  const known = async () => `Known: ${(await provinceChoices(ctx)).join(", ")} (or "${ALL}" for all of Flanders).`;
  for (const e of errors) {
    if (e === "email") console.error(`No account with e-mail ${args.email} (--email).`);
    if (e === "province") console.error(`Unknown province "${provinceFlag === "--to" ? args.to : args.province}" (${provinceFlag}). ${await known()}`);
    if (e === "not_found") console.error(`${args.email} is no regional contact point for ${scopeOf(provinceArg(args.province))} (--email, --province).`);
    if (e === "duplicate") console.error(`${args.email} is already a regional contact point for ${scopeOf(provinceArg(args.to))} (--to); nothing changed.`);
  }
  process.exitCode = 1;
}

export function regionalContactCli(intake: Command, open: Open) {
  const run = (fn: (ctx: AppContext, args: Args) => Promise<void>) => async (args: Args) => {
    const ctx = await open();
    try {
      await fn(ctx, args);
    } finally {
      await ctx.close();
    }
  };
  const email = "the account's e-mail address";
  const province = `the province (its name, e.g. Limburg); "${ALL}" or omitted: all of Flanders`;

  const rc = intake
    .command("regional-contact")
    .description("Regional contact points for reports from municipalities without an LIVC: add (default), change, end (also on /admin/regional-contacts)");

  rc.command("add", { isDefault: true })
    .description("Make an account a regional contact point")
    .requiredOption("--email <email>", email)
    .option("--province <name>", province)
    .action(
      run(async (ctx, args) => {
        const p = provinceArg(args.province);
        const result = await addContactPoint(ctx, SYSTEM, { email: args.email, province: p });
        if (result.ok) console.log(`Regional contact point set (${scopeOf(p)}).`);
        else if (result.errors.includes("duplicate")) console.log(`Regional contact point already set (${scopeOf(p)}).`);
        else await refuse(ctx, result.errors, args, "--province");
      }),
    );

  rc.command("change")
    .description("Move an account's regional contact point to another province (or all of Flanders)")
    .requiredOption("--email <email>", email)
    .option("--province <name>", `the designation's current province; "${ALL}" or omitted: all of Flanders`)
    .requiredOption("--to <name>", `the new province; "${ALL}": all of Flanders`)
    .action(
      run(async (ctx, args) => {
        const found = await findContactPoint(ctx, { email: args.email, province: provinceArg(args.province) });
        if (!found.ok) return refuse(ctx, found.errors, args, "--province");
        const to = provinceArg(args.to);
        const result = await changeContactPoint(ctx, SYSTEM, found.id, { province: to });
        if (!result.ok) return refuse(ctx, result.errors, args, "--to");
        if (result.changed) console.log(`Regional contact point changed (${scopeOf(provinceArg(args.province))} -> ${scopeOf(to)}).`);
        else console.log(`Regional contact point unchanged (${scopeOf(to)}).`);
      }),
    );

  rc.command("end")
    .description("End an account's regional contact point (it no longer sees that regional queue)")
    .requiredOption("--email <email>", email)
    .option("--province <name>", province)
    .action(
      run(async (ctx, args) => {
        const found = await findContactPoint(ctx, { email: args.email, province: provinceArg(args.province) });
        if (!found.ok) return refuse(ctx, found.errors, args, "--province");
        if (!(await endContactPoint(ctx, SYSTEM, found.id))) return refuse(ctx, ["not_found"], args, "--province");
        console.log(`Regional contact point ended (${scopeOf(provinceArg(args.province))}).`);
      }),
    );
}
