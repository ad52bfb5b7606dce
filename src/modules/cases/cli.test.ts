import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openTestContext } from "../../../test/support/db";
import { nowIso } from "../../platform/db/values";
import { newReference } from "../intake/reference-number";
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
    // A decided report past its own term (the purge never decrypts, so any document will do here).
    const reference = newReference();
    const at = nowIso();
    await ctx.database.db.insertInto("report").values({
      id: crypto.randomUUID(), reference, status: "no_action", reporter_user_id: chair.userId, reporter_organisation_id: null, livc_id: livc, regional_queue: null, municipality_nis: "44021",
      routed_on: "2019-01-01", identity_known: 1, minor: 0, danger_now: 0, notify_status: 0, subject_index: "idx", content_enc: "sealed-document", created_at: at, updated_at: at,
      submitted_at: at, screening_due_on: null, retention_until: "2025-01-01", decided_at: at, case_id: null,
    }).execute();
    const url = ctx.database.url;
    await ctx.close();
    const env = { DATABASE_URL: url, SCHAKEL_MASTER_KEY: key };

    const dry = run(["purge", "--dry-run", "--date", "2026-01-01"], env);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`would purge ${a.label}`);
    expect(dry.stdout).toContain(`held ${held.label}`);
    expect(dry.stdout).not.toContain("Greta");
    expect(dry.stdout).toContain(`would purge report ${reference} (retention until 2025-01-01): report_content 1, subject_index 1`);
    expect(dry.stdout).toContain("Dry run: 1 report(s) to purge");

    const real = run(["purge", "--date", "2026-01-01"], env);
    expect(real.status).toBe(0);
    expect(real.stdout).toContain(`purged ${a.label}`);
    expect(real.stdout).toContain("identity 1");
    expect(real.stdout).toContain(`purged report ${reference}`);
    expect(real.stdout).toContain("1 report(s) purged");
    const again = run(["purge", "--date", "2026-01-01"], env).stdout;
    expect(again).toContain("0 case(s) purged, 1 on legal hold.");
    expect(again).toContain("0 report(s) purged");
    expect(run(["purge", "--date", "2026-13-01"], env).status).toBe(2);
  }, 120_000);
});
