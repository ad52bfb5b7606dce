import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { openContext } from "../../platform/bootstrap";
import type { Actor } from "../../platform/policy/actor";
import { purgeCase } from "./retention";
import { openCaseFromScreening, runPurge, setLegalHold, transitionCase } from "./service";
import * as store from "./store";
import { makeActor, makeLivc } from "./testing";

const root = path.resolve(import.meta.dirname, "../../..");

/**
 * Decision 0065: each case's purge decides inside its own transaction. A legal hold or a reopen that
 * commits after the run read its candidates is respected, and two runs at once (two instances, or
 * cron's `schakel purge` next to the server's daily job) purge each case once: one purge-log row,
 * one "purged" event, one audit entry.
 */
describeEachDialect("cases: the purge decides inside its transaction", (ctx, dialect) => {
  let livc: string;
  let chair: Actor;
  let coordinator: Actor;
  const who = (actor: Actor) => ({ actor });
  const db = () => ctx().database.db;

  beforeAll(async () => {
    livc = await makeLivc(ctx(), "RACE");
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
  });

  /** A closed case with identity and a closure note; closed on `closedOn`, so its term ends on a known day. */
  async function closedCase(closedOn: string) {
    const c = await openCaseFromScreening(ctx(), who(coordinator), {
      livcId: livc,
      reportId: null,
      minor: false,
      identity: { fullName: "Rita Race", dateOfBirth: "1990-01-01" },
      screeningDecision: "take_up",
      openedOn: "2026-01-05",
    });
    await transitionCase(ctx(), who(chair), c.id, "close", { reason: "other", note: "NOTE-secret", today: closedOn });
    const row = (await store.caseById(db(), c.id))!;
    return { id: c.id, until: row.retention_until!, label: c.label };
  }

  /** The real CLI in its own process, on this test's database (the key: this context's, or the same development key file). */
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const env: Record<string, string> = { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: ctx().database.url } as Record<string, string>;
      const key = ctx().config.SCHAKEL_MASTER_KEY;
      if (key) env.SCHAKEL_MASTER_KEY = key;
      const child = spawn(process.execPath, [path.join(root, "bin/schakel.js"), ...args], { cwd: root, env });
      let stdout = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout }));
    });

  const candidate = async (id: string, today: string) => {
    const c = (await store.purgeCandidates(db(), today)).find((x) => x.id === id);
    if (!c) throw new Error("not a candidate");
    return c;
  };

  /** The proof a purge leaves: purge-log rows, "purged" timeline events, audit entries. */
  async function proofs(id: string) {
    const log = await db().selectFrom("case_purge_log").select("id").where("case_id", "=", id).execute();
    const events = await db().selectFrom("case_event").select("id").where("case_id", "=", id).where("kind", "=", "purged").execute();
    const audits = await db().selectFrom("audit_entry").select("seq").where("resource_id", "=", id).where("action", "=", "case.purge").execute();
    return { log: log.length, events: events.length, audits: audits.length };
  }

  it("a legal hold set after the candidates were read is respected: nothing blanked, no proof written", async () => {
    const c = await closedCase("2026-02-02");
    const stale = await candidate(c.id, c.until);
    expect(stale.legal_hold_at).toBeNull();
    await setLegalHold(ctx(), who(chair), c.id, "Gerechtelijk onderzoek loopt");

    expect(await purgeCase(ctx(), stale, c.until)).toBeNull();
    const row = (await store.caseById(db(), c.id))!;
    expect(row.status).toBe("closed");
    expect(row.identity_enc).toBeTruthy();
    expect(row.closure_note_enc).toBeTruthy();
    expect(row.legal_hold_reason_enc).toBeTruthy();
    expect(row.purged_at).toBeNull();
    expect(await proofs(c.id)).toEqual({ log: 0, events: 0, audits: 0 });
  });

  it("a reopen after the candidates were read is respected: the case stays active with its content", async () => {
    const c = await closedCase("2026-02-03");
    const stale = await candidate(c.id, c.until);
    await transitionCase(ctx(), who(chair), c.id, "reopen", { reason: "Nieuwe zorg gemeld" });

    expect(await purgeCase(ctx(), stale, c.until)).toBeNull();
    const row = (await store.caseById(db(), c.id))!;
    expect(row.status).toBe("active");
    expect(row.identity_enc).toBeTruthy();
    expect(await proofs(c.id)).toEqual({ log: 0, events: 0, audits: 0 });
  });

  it("a candidate purged meanwhile (by another run) is skipped, and the rule is the term: not before it ends", async () => {
    const c = await closedCase("2026-02-04");
    const stale = await candidate(c.id, c.until);
    // Purged once through the same function, as another run would.
    expect((await purgeCase(ctx(), stale, c.until))?.removed).toMatchObject({ identity: 1, closure_note: 1 });
    expect(await purgeCase(ctx(), stale, c.until)).toBeNull();
    expect(await proofs(c.id)).toEqual({ log: 1, events: 1, audits: 1 });

    // Given a day before the term ends, the transaction refuses even a candidate row that looks due.
    const early = await closedCase("2026-02-05");
    const row = await candidate(early.id, early.until);
    const dayBefore = new Date(Date.parse(`${early.until}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(await purgeCase(ctx(), row, dayBefore)).toBeNull();
    expect((await store.caseById(db(), early.id))?.status).toBe("closed");
    expect(await proofs(early.id)).toEqual({ log: 0, events: 0, audits: 0 });
  });

  it("two runs started together purge each case once: one purge-log row, one event, one audit entry", async () => {
    const cases = [await closedCase("2026-03-01"), await closedCase("2026-03-01"), await closedCase("2026-03-01")];
    const today = cases[0].until;
    const [a, b] = await Promise.all([runPurge(ctx(), { today }), runPurge(ctx(), { today })]);
    const purged = [...a.purged, ...b.purged].map((p) => p.caseId).filter((id) => cases.some((c) => c.id === id));
    expect(purged.sort()).toEqual(cases.map((c) => c.id).sort());
    for (const c of cases) {
      expect(await proofs(c.id)).toEqual({ log: 1, events: 1, audits: 1 });
      expect((await store.caseById(db(), c.id))).toMatchObject({ status: "purged", identity_enc: null, closure_note_enc: null });
    }
  });

  // Two connections in ONE process only make sense on PostgreSQL: better-sqlite3 waits for SQLite's
  // writer lock synchronously, so a second connection in this process would block the first one's
  // commit. Two SQLite "instances" are two processes: the test after this one.
  if (dialect === "postgres") {
    it("two instances (two connections to one database) running the purge together purge each case once", async () => {
      const cases = [await closedCase("2026-03-02"), await closedCase("2026-03-02"), await closedCase("2026-03-02")];
      const today = cases[0].until;
      const other = await openContext({ config: ctx().config, migrate: false });
      try {
        const [a, b] = await Promise.all([runPurge(ctx(), { today }), runPurge(other, { today })]);
        const purged = [...a.purged, ...b.purged].map((p) => p.caseId).filter((id) => cases.some((c) => c.id === id));
        expect(purged.sort()).toEqual(cases.map((c) => c.id).sort());
      } finally {
        await other.close();
      }
      for (const c of cases) expect(await proofs(c.id)).toEqual({ log: 1, events: 1, audits: 1 });
    });
  }

  it("two `schakel purge` processes started together (cron twice, or cron next to the server) purge each case once", async () => {
    const cases: { id: string; until: string; label: string }[] = [];
    for (let i = 0; i < 120; i++) cases.push(await closedCase("2026-03-03"));
    const today = cases[0].until;
    const [a, b] = await Promise.all([cli(["purge", "--date", today]), cli(["purge", "--date", today])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const lines = `${a.stdout}\n${b.stdout}`.split("\n");
    for (const c of cases) {
      expect(lines.filter((l) => l.startsWith(`purged ${c.label} `))).toHaveLength(1);
      expect(await proofs(c.id)).toEqual({ log: 1, events: 1, audits: 1 });
    }
  }, 120_000);
});
