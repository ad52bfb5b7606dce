import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openTestContext } from "../../../test/support/db";
import { openCaseFromScreening, setLegalHold, transitionCase } from "./service";
import { makeActor, makeLivc } from "./testing";

const root = path.resolve(import.meta.dirname, "../../..");
const run = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [path.join(root, "bin/schakel.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env } });

describe("schakel purge (real process, SQLite)", () => {
  it("lists in a dry run, purges for real, skips a legal hold, and names only labels", async () => {
    const key = randomBytes(32).toString("base64");
    const ctx = await openTestContext("sqlite", { SCHAKEL_MASTER_KEY: key });
    const livc = await makeLivc(ctx, "CLI");
    const chair = await makeActor(ctx, [{ livcId: livc, role: "chair" }]);
    const open = () => openCaseFromScreening(ctx, { actor: chair }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Greta Verzonnen", dateOfBirth: "1980-01-01" }, screeningDecision: "take_up", openedOn: "2018-01-01" });
    const a = await open();
    const held = await open();
    for (const c of [a, held]) await transitionCase(ctx, { actor: chair }, c.id, "close", { reason: "concern_addressed", today: "2018-06-01" });
    await setLegalHold(ctx, { actor: chair }, held.id, "Lopend gerechtelijk onderzoek");
    const url = ctx.database.url;
    await ctx.close();
    const env = { DATABASE_URL: url, SCHAKEL_MASTER_KEY: key };

    const dry = run(["purge", "--dry-run", "--date", "2026-01-01"], env);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`would purge ${a.label}`);
    expect(dry.stdout).toContain(`held ${held.label}`);
    expect(dry.stdout).not.toContain("Greta");

    const real = run(["purge", "--date", "2026-01-01"], env);
    expect(real.status).toBe(0);
    expect(real.stdout).toContain(`purged ${a.label}`);
    expect(real.stdout).toContain("identity 1");
    expect(run(["purge", "--date", "2026-01-01"], env).stdout).toContain("0 case(s) purged, 1 on legal hold.");
    expect(run(["purge", "--date", "2026-13-01"], env).status).toBe(2);
  }, 120_000);
});
