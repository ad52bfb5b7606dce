import { openContext } from "../../platform/bootstrap";
import { ScaleSeedError, seedScale } from "./service";

/** `schakel seed --scale N [--seed S]`: the synthetic data set with a progress bar on the terminal. */
export async function seedScaleCommand(scale: number, seed: number): Promise<void> {
  if (!Number.isFinite(scale) || !Number.isInteger(seed)) throw new ScaleSeedError("--scale takes a number (e.g. 1 or 0.1), --seed a whole number.");
  const ctx = await openContext();
  const { default: cliProgress } = await import("cli-progress"); // this command only, not every start-up
  const bar = new cliProgress.SingleBar({ format: "{bar} {percentage}% | {value}/{total} rows | {phase} | {duration}s", hideCursor: true, noTTYOutput: false }, cliProgress.Presets.shades_classic);
  try {
    bar.start(1, 0, { phase: "register" });
    const result = await seedScale(ctx, { scale, seed, progress: (done, total, phase) => { bar.setTotal(total); bar.update(done, { phase }); } });
    bar.stop();
    const rows = Object.values(result.rows).reduce((a, b) => a + b, 0);
    console.log(`Synthetic data set (scale ${scale}, seed ${seed}): ${result.counts.livcs} LIVCs, ${result.counts.organisations} organisations, ${result.counts.users} users, ${result.counts.cases} cases, ${result.counts.audit} audit entries; ${rows} rows in ${result.seconds.toFixed(1)} s.`);
    console.log("Accounts: chair-1@scale.schakel.invalid (and every other synthetic account) use the password and TOTP secret in src/modules/scale/service.ts (fictional data only).");
  } finally {
    bar.stop();
    await ctx.close();
  }
}
