import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { openContext } from "../../platform/bootstrap";
import { addDays } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { makeActor } from "../cases/testing";
import { addMembership, createLivc } from "../registry/service";
import { purgeReportCandidate } from "./retention";
import { emptyForm } from "./schema";
import { decide, fileReport, purgeReports } from "./service";
import * as store from "./store";

const root = path.resolve(import.meta.dirname, "../../..");

/**
 * Decision 0065: each report's purge decides inside its own transaction. A join to an open case
 * (decision 0062) that commits after the run read its candidates is respected, and two runs at once
 * purge each report once: one purge-log row, one audit entry.
 */
describeEachDialect("intake: the report purge decides inside its transaction", (ctx, dialect) => {
  let livc: string;
  let reporter: Actor;
  let coordinator: Actor;
  const who = (actor: Actor) => ({ actor });
  const db = () => ctx().database.db;
  const terms = { draftDays: 30, notTakenUpMonths: 120 };

  beforeAll(async () => {
    livc = await createLivc(ctx().database, {}, { code: "RRACE", name: "LIVC Race", founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null });
    await addMembership(ctx().database, {}, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await makeActor(ctx(), [{ livcId: livc, role: "reporter" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
  });

  const row = (id: string) => db().selectFrom("report").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  async function submit(name: string, birthDate = "1990-05-06") {
    const form = { ...emptyForm(), identity_known: "known", subject_name: name, subject_birth_date: birthDate, municipality_nis: "44021", signals: ["supports_violence"], observation: `OBS-${name}`, since: "weeks", person_knows: "no", reporter_contact: "CONTACT-0470" };
    const r = await fileReport(ctx(), who(reporter), form, "submit");
    if (r.kind !== "submitted") throw new Error(`not submitted: ${JSON.stringify(r)}`);
    return (await db().selectFrom("report").select("id").where("reference", "=", r.reference).executeTakeFirstOrThrow()).id;
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
    const r = (await store.reportPurgeCandidates(db(), today, "0000-01-01")).find((x) => x.id === id);
    if (!r) throw new Error("not a candidate");
    return r;
  };
  async function proofs(id: string) {
    const log = await db().selectFrom("report_purge_log").select("id").where("report_id", "=", id).execute();
    const audits = await db().selectFrom("audit_entry").select("seq").where("resource_id", "=", id).where("action", "=", "intake.report.purge").execute();
    return { log: log.length, audits: audits.length };
  }

  it("a report joined to an open case after the candidates were read is kept with the case: nothing erased, no proof written", async () => {
    const first = await submit("Jo Join");
    const taken = await decide(ctx(), who(coordinator), first, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error("not taken up");
    const second = await submit("Jo Join");
    const until = (await row(second)).retention_until!;
    const stale = await candidate(second, until);
    expect(stale.case_id).toBeNull();

    expect(await decide(ctx(), who(coordinator), second, { transition: "join_case", reason: "Zelfde persoon, lopende casus.", referralService: "", caseId: taken.caseId })).toMatchObject({ kind: "ok" });
    expect(await purgeReportCandidate(ctx(), stale, { today: until, terms })).toEqual({ kind: "skipped" });
    const after = await row(second);
    expect(after).toMatchObject({ case_id: taken.caseId, status: "taken_up", purged_at: null });
    expect(after.content_enc).not.toBe("");
    expect(after.subject_index).toBeTruthy();
    expect(await proofs(second)).toEqual({ log: 0, audits: 0 });
  });

  it("a report purged meanwhile (by another run) is skipped, and the rule is the term: not before it ends", async () => {
    const id = await submit("Paul Twice");
    const until = (await row(id)).retention_until!;
    const stale = await candidate(id, until);
    expect(await purgeReportCandidate(ctx(), stale, { today: until, terms })).toMatchObject({ kind: "purged", outcome: { removed: { report_content: 1, subject_index: 1 } } });
    expect(await purgeReportCandidate(ctx(), stale, { today: until, terms })).toEqual({ kind: "skipped" });
    expect(await proofs(id)).toEqual({ log: 1, audits: 1 });

    const early = await submit("Erna Early");
    const earlyUntil = (await row(early)).retention_until!;
    const due = await candidate(early, earlyUntil);
    expect(await purgeReportCandidate(ctx(), due, { today: addDays(earlyUntil, -1), terms })).toEqual({ kind: "skipped" });
    expect((await row(early)).purged_at).toBeNull();
    expect(await proofs(early)).toEqual({ log: 0, audits: 0 });
  });

  it("two runs started together purge each report once: one purge-log row, one audit entry", async () => {
    const ids = [await submit("Anna Een"), await submit("Bert Twee"), await submit("Cor Drie")];
    const today = (await row(ids[0])).retention_until!;
    const [a, b] = await Promise.all([purgeReports(ctx(), { today, terms }), purgeReports(ctx(), { today, terms })]);
    const purged = [...a.purged, ...b.purged].map((p) => p.reportId).filter((id) => ids.includes(id));
    expect(purged.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(await proofs(id)).toEqual({ log: 1, audits: 1 });
      expect((await row(id)).content_enc).toBe("");
    }
  });

  // As in the cases test: two connections in one process only on PostgreSQL (better-sqlite3 waits for
  // SQLite's writer lock synchronously); two SQLite instances are two processes, the test after this one.
  if (dialect === "postgres") {
    it("two instances (two connections to one database) running the purge together purge each report once", async () => {
      const ids = [await submit("Dirk Vier"), await submit("Eva Vijf"), await submit("Frans Zes")];
      const today = (await row(ids[0])).retention_until!;
      const other = await openContext({ config: ctx().config, migrate: false });
      try {
        const [a, b] = await Promise.all([purgeReports(ctx(), { today, terms }), purgeReports(other, { today, terms })]);
        const purged = [...a.purged, ...b.purged].map((p) => p.reportId).filter((id) => ids.includes(id));
        expect(purged.sort()).toEqual([...ids].sort());
      } finally {
        await other.close();
      }
      for (const id of ids) expect(await proofs(id)).toEqual({ log: 1, audits: 1 });
    });
  }

  it("two `schakel purge` processes started together purge each report once", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 80; i++) ids.push(await submit(`Gert Proces ${i}`));
    const today = (await row(ids[0])).retention_until!;
    const [a, b] = await Promise.all([cli(["purge", "--date", today]), cli(["purge", "--date", today])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const lines = `${a.stdout}\n${b.stdout}`.split("\n");
    for (const id of ids) {
      const { reference } = await row(id);
      expect(lines.filter((l) => l.startsWith(`purged report ${reference} `))).toHaveLength(1);
      expect(await proofs(id)).toEqual({ log: 1, audits: 1 });
    }
  }, 120_000);
});
