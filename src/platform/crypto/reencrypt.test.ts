import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect, freshDatabaseUrl } from "../../../test/support/db";
import { subjectAccessExport } from "../../modules/cases/service";
import { makeActor } from "../../modules/cases/testing";
import { emptyReportContent, openReportContent, sealReportContent, sealSupplement } from "../../modules/intake/personal";
import { startEnrolment, totpSecretOf } from "../../modules/identity/login";
import { createAccount } from "../../modules/identity/service";
import { findStash, saveStash } from "../auth/stash";
import { createSession } from "../auth/session";
import { newId } from "../db/values";
import { openContext } from "../bootstrap";
import { loadConfig } from "../config";
import { seedDemo } from "../demo";
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from "./encrypted-columns";
import { addFieldDataKey, KEY_SWITCH_MS, Keyring, keyringFor, reloadKeyringEvery } from "./keyring";
import { generateKeyText, loadMasterKey } from "./master-key";
import { reencryptFieldValues, RetireRefused, retireFieldDataKeys } from "./reencrypt";

type Row = Record<string, unknown>;

/**
 * Re-encryption and retirement on the demo data set plus the columns it leaves empty, written under
 * field-1: after a new data key and `reencrypt`, every value is under the new key and reads the same
 * through the modules' own read paths, and nothing else in any row changed.
 */
describeEachDialect("data key re-encryption", (ctx) => {
  const master = () => loadMasterKey(ctx().config, () => {});
  let oldKeyring: Keyring;
  let newKeyId: string;
  let before: Map<string, Row[]>;
  let reads: () => Promise<unknown>;
  let readsBefore: unknown;

  const rowsOf = async (col: EncryptedColumn) => {
    let q = ctx().database.db.selectFrom(col.table as "report").selectAll();
    for (const k of col.key) q = q.orderBy(k as "id");
    return (await q.execute()) as Row[];
  };
  const userIdOf = async () => (await ctx().database.db.selectFrom("app_user").select("id").where("totp_secret", "is not", null).orderBy("id").executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    await seedDemo(ctx());
    const k = await keyringFor(ctx());
    const db = ctx().database.db;
    // The columns the demo leaves empty, each through its own write path where there is one.
    const c = await db.selectFrom("case_file").select(["id", "identity_enc"]).orderBy("id").executeTakeFirstOrThrow();
    const place = (column: string) => ({ table: "case_file", column, rowId: c.id });
    await db.updateTable("case_file").set({ closure_note_enc: k.encrypt(place("closure_note_enc"), "Afgesloten na overleg."), legal_hold_reason_enc: k.encrypt(place("legal_hold_reason_enc"), "Gerechtelijk onderzoek.") }).where("id", "=", c.id).execute();
    const e = await db.selectFrom("case_event").select("id").where("case_id", "=", c.id).orderBy("id").executeTakeFirstOrThrow();
    await db.updateTable("case_event").set({ note_enc: k.encrypt({ table: "case_event", column: "note_enc", rowId: e.id }, "Notitie bij de tijdlijn.") }).where("id", "=", e.id).execute();
    const userId = await userIdOf();
    const { session } = await createSession(db, userId, "enrol", "password", null);
    await startEnrolment(ctx(), session);
    await saveStash(ctx(), { actor: null, userId }, { path: "/cases", route: "POST /cases", fields: [["note", "Bewaard formulier"]] });
    const report = await db.selectFrom("report").select(["id", "livc_id"]).where("content_enc", "like", "v1:%").orderBy("id").executeTakeFirstOrThrow();
    const supplementId = newId();
    const content_enc = await sealSupplement(ctx(), {}, { id: supplementId, livcId: report.livc_id, allowed: true }, { observation: "Nieuwe waarneming.", signals: [] });
    await db.insertInto("report_supplement").values({ id: supplementId, report_id: report.id, author_user_id: userId, created_at: "2026-01-01T00:00:00.000Z", report_status: "received", content_enc }).execute();
    for (const col of ENCRYPTED_COLUMNS) {
      const n = await db.selectFrom(col.table as "report").select((eb) => eb.fn.countAll().as("n")).where(col.column as "content_enc", "like", "v1:field-1:%").executeTakeFirstOrThrow();
      expect(Number(n.n), `${col.table}.${col.column} has a value to re-encrypt`).toBeGreaterThan(0);
    }

    // The modules' read paths: subject access (case, timeline, plan, minutes, reports), TOTP, enrolment, stash.
    const identity = JSON.parse(k.decrypt({ table: "case_file", column: "identity_enc", rowId: c.id }, c.identity_enc!)) as { fullName: string; dateOfBirth: string | null };
    const dpo = await makeActor(ctx(), [], { isDpo: true });
    reads = async () => {
      const current = await keyringFor(ctx());
      const user = await db.selectFrom("app_user").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
      const s = await db.selectFrom("session").selectAll().where("id", "=", session.id).executeTakeFirstOrThrow();
      const reports = await db.selectFrom("report").select(["id", "content_enc"]).where("content_enc", "!=", "").orderBy("id").execute();
      const { generatedAt: _, ...access } = await subjectAccessExport(ctx(), { actor: dpo }, identity);
      return {
        access,
        totp: await totpSecretOf(ctx(), user),
        enrolment: (await startEnrolment(ctx(), s)).secret,
        stash: (await findStash(ctx(), userId))?.fields,
        reports: await Promise.all(reports.map((r) => openReportContent(ctx(), {}, { id: r.id, livcId: null, allowed: true, contentEnc: r.content_enc }))),
        rows: await Promise.all(ENCRYPTED_COLUMNS.map(async (col) => (await rowsOf(col)).map((r) => (r[col.column] ? current.decrypt({ ...col, rowId: col.rowId.map((x) => r[x]).join(":") }, String(r[col.column])) : null)))),
      };
    };
    readsBefore = await reads();
    before = new Map(await Promise.all(ENCRYPTED_COLUMNS.map(async (col) => [col.table, await rowsOf(col)] as const)));
    oldKeyring = await Keyring.open(ctx().database, master());
    newKeyId = await addFieldDataKey(ctx().database, master());
  }, 120_000);

  it("re-encrypts every value under the new key; each reads the same and nothing else in the rows changed", async () => {
    const keyring = await keyringFor(ctx());
    expect(keyring.activeKeyId).toBe(newKeyId);
    const r = await reencryptFieldValues(ctx(), keyring, { batchRows: 3 });
    expect(r.olderKeyIds).toEqual(["field-1"]);
    expect(r.remaining).toEqual(new Map([["field-1", 0]]));
    for (const c of r.columns) expect(c.reencrypted, `${c.table}.${c.column}`).toBeGreaterThan(0);
    expect(r.columns.every((c) => c.changedMeanwhile === 0 && c.unreadable === 0)).toBe(true);
    for (const col of ENCRYPTED_COLUMNS) {
      const after = await rowsOf(col);
      const old = before.get(col.table)!;
      expect(after.length).toBe(old.length);
      for (const [i, row] of after.entries()) {
        const value = row[col.column] as string | null;
        if (value?.startsWith("v1:")) expect(value.startsWith(`v1:${newKeyId}:`), `${col.table}.${col.column}`).toBe(true);
        const others = (x: Row) => Object.fromEntries(Object.entries(x).filter(([name]) => !ENCRYPTED_COLUMNS.some((c) => c.table === col.table && c.column === name)));
        expect(others(row)).toEqual(others(old[i]));
      }
    }
    expect(await reads()).toEqual(readsBefore);
  });

  it("never overwrites a value edited between reading and writing; a second pass re-encrypts what an older server wrote", async () => {
    const db = ctx().database.db;
    const reports = await db.selectFrom("report").select(["id", "livc_id"]).where("content_enc", "like", "v1:%").orderBy("id").limit(2).execute();
    // Both under the old key again: one will be edited by the server (new key), one by a server still on the old key.
    for (const r of reports) await db.updateTable("report").set({ content_enc: oldKeyring.encrypt({ table: "report", column: "content_enc", rowId: r.id }, JSON.stringify({ ...emptyReportContent(), observation: "oud" })) }).where("id", "=", r.id).execute();
    let edits = 0;
    const r = await reencryptFieldValues(ctx(), await keyringFor(ctx()), {
      betweenReadAndWrite: async (col) => {
        if (col.table !== "report" || edits++ > 0) return;
        await db.updateTable("report").set({ content_enc: await sealReportContent(ctx(), {}, { id: reports[0].id, livcId: reports[0].livc_id, allowed: true }, { ...emptyReportContent(), observation: "nieuw" }) }).where("id", "=", reports[0].id).execute();
        await db.updateTable("report").set({ content_enc: oldKeyring.encrypt({ table: "report", column: "content_enc", rowId: reports[1].id }, JSON.stringify({ ...emptyReportContent(), observation: "oude server" })) }).where("id", "=", reports[1].id).execute();
      },
    });
    const counts = r.columns.find((c) => c.table === "report")!;
    expect(counts).toMatchObject({ changedMeanwhile: 2, reencrypted: 1 });
    expect(r.remaining.get("field-1")).toBe(0);
    const read = async (i: number) => {
      const row = await db.selectFrom("report").select("content_enc").where("id", "=", reports[i].id).executeTakeFirstOrThrow();
      expect(row.content_enc.startsWith(`v1:${newKeyId}:`)).toBe(true);
      return (await openReportContent(ctx(), {}, { id: reports[i].id, livcId: null, allowed: true, contentEnc: row.content_enc })).observation;
    };
    expect(await read(0)).toBe("nieuw");
    expect(await read(1)).toBe("oude server");
  });

  it("a second run has nothing to do", async () => {
    const r = await reencryptFieldValues(ctx(), await keyringFor(ctx()));
    expect(r.columns.reduce((n, c) => n + c.reencrypted + c.changedMeanwhile + c.unreadable, 0)).toBe(0);
    expect(r.remaining).toEqual(new Map([["field-1", 0]]));
  });

  it("retire refuses a key still in use, the active key, the blind-index key and an unknown id; removes only keys without values", async () => {
    const db = ctx().database.db;
    const keyIds = async () => (await db.selectFrom("data_key").select("id").orderBy("id").execute()).map((k) => k.id);
    // Three minutes after the rotation every running server has read its keyring again (KEY_SWITCH_MS).
    const later = Date.now() + KEY_SWITCH_MS + 1000;
    const refusal = (ids: string[], now = later) =>
      retireFieldDataKeys(ctx(), ids, now).then(
        () => null,
        (e) => {
          if (!(e instanceof RetireRefused)) throw e;
          return [e.code, e.message];
        },
      );
    expect(await refusal([newKeyId])).toEqual([2, expect.stringMatching(/is the active field key/)]);
    expect(await refusal(["blind-index-1"])).toEqual([2, expect.stringMatching(/blind-index key/)]);
    expect(await refusal(["field-9"])).toEqual([2, expect.stringMatching(/^No data key "field-9"/)]);
    // Right after the rotation a running server may still write with field-1: nothing is retired yet.
    expect(await refusal([], Date.now())).toEqual([1, expect.stringMatching(new RegExp(`^The active data key ${newKeyId} was started \\d+ s ago; running servers take it up within 1 minute\\. .* then retire\\.$`))]);
    expect(await keyIds()).toContain("field-1");
    // A value written under field-1 after the re-encryption (a server that had not yet read its key ring again).
    const userId = await userIdOf();
    await db.updateTable("app_user").set({ totp_secret: oldKeyring.encrypt({ table: "app_user", column: "totp_secret", rowId: userId }, "JBSWY3DPEHPK3PXP") }).where("id", "=", userId).execute();
    expect(await refusal(["field-1"])).toEqual([1, "Still in use: field-1 (1 value). Run \"schakel keys reencrypt\" first."]);
    expect(await retireFieldDataKeys(ctx(), [], later)).toEqual({ retired: [], inUse: [["field-1", 1]] });
    expect(await keyIds()).toContain("field-1");

    await reencryptFieldValues(ctx(), await keyringFor(ctx()));
    expect(await retireFieldDataKeys(ctx(), [], later)).toEqual({ retired: ["field-1"], inUse: [] });
    expect(await keyIds()).toEqual(["blind-index-1", newKeyId].sort());
    const fresh = await Keyring.open(ctx().database, master());
    const user = await db.selectFrom("app_user").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    expect(fresh.decrypt({ table: "app_user", column: "totp_secret", rowId: userId }, user.totp_secret!)).toBe("JBSWY3DPEHPK3PXP");
  });

  it("audits each run and each retired key with key ids and counts, never a value", async () => {
    const entries = await ctx().database.db.selectFrom("audit_entry").selectAll().where("action", "in", ["keys.reencrypt", "keys.retire"]).orderBy("seq").execute();
    expect(entries.map((e) => e.action)).toEqual(["keys.reencrypt", "keys.reencrypt", "keys.reencrypt", "keys.reencrypt", "keys.retire"]);
    expect(entries[0]).toMatchObject({ actor_id: null, resource_type: "data_key", outcome: "success", correlation_id: "cli.keys.reencrypt" });
    expect(entries[0].resource_id).toMatch(new RegExp(`^to ${newKeyId}; reencrypted [1-9]\\d*; changed meanwhile 0; unreadable 0; left field-1=0$`));
    expect(entries[4]).toMatchObject({ resource_id: "field-1", correlation_id: "cli.keys.retire" });
    const text = JSON.stringify(entries);
    for (const plain of ["Afgesloten", "Gerechtelijk", "Notitie", "Bewaard", "waarneming", "JBSWY3DPEHPK3PXP", "oude server"]) expect(text).not.toContain(plain);
  });
});

describeEachDialect("a running server's keyring", (ctx) => {
  it("takes up a data key another process started, within its reload interval, and keeps reading older values", async () => {
    const before = await keyringFor(ctx());
    const sealed = before.encrypt({ table: "t", column: "c", rowId: "r" }, "eerder geschreven");
    // Another process (a second connection: `schakel keys rotate --data-key` on the server's database).
    const other = await openContext({ config: ctx().config, migrate: false });
    let started: string;
    try {
      started = await addFieldDataKey(other.database, loadMasterKey(ctx().config, () => {}));
    } finally {
      await other.close();
    }
    expect((await keyringFor(ctx())).activeKeyId).toBe(before.activeKeyId); // not yet read again
    const stop = reloadKeyringEvery(ctx(), 20);
    try {
      await expect.poll(async () => (await keyringFor(ctx())).activeKeyId, { timeout: 5000 }).toBe(started);
    } finally {
      stop();
    }
    const after = await keyringFor(ctx());
    expect(after.encrypt({ table: "t", column: "c", rowId: "r" }, "nieuw").startsWith(`v1:${started}:`)).toBe(true);
    expect(after.decrypt({ table: "t", column: "c", rowId: "r" }, sealed)).toBe("eerder geschreven");
  });
});

describe("schakel keys reencrypt / retire, as the operator runs them", () => {
  it("rotates, re-encrypts and retires in a child process, printing counts and never a value; bad input is one line", async () => {
    const url = await freshDatabaseUrl("sqlite");
    const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: generateKeyText() });
    const secret = "KRSXG5CTMVRXEZLU";
    const ctx = await openContext({ config });
    const userId = await createAccount(ctx, { email: "sleutel@test.schakel.invalid", displayName: "Sleutel Test", totpSecret: secret });
    await ctx.close();

    const env = { ...process.env, NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: config.SCHAKEL_MASTER_KEY };
    const schakel = (...args: string[]) => spawnSync(process.execPath, ["bin/schakel.js", "keys", ...args], { cwd: path.resolve(import.meta.dirname, "../../.."), env, encoding: "utf8" });
    const first = schakel("reencrypt");
    expect([first.status, first.stdout.trim()]).toEqual([0, "Nothing to re-encrypt: field-1 is the only field data key. To replace it, start a new one first: schakel keys rotate --data-key."]);
    expect(schakel("rotate", "--data-key").status).toBe(0);
    const run = schakel("reencrypt");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}app_user\.totp_secret: 1 re-encrypted$/m);
    expect(run.stdout).toMatch(/^Done in [\d.]+ s: 1 value re-encrypted/m);
    expect(run.stdout).toMatch(/No value is under field-1 any more/);
    expect(run.stdout + run.stderr).not.toContain(secret);
    const unknown = schakel("retire", "field-x");
    expect([unknown.status, unknown.stderr]).toEqual([2, 'No data key "field-x". Field data keys: field-1, ' + unknown.stderr.split("field-1, ")[1]]);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    const early = schakel("retire");
    expect([early.status, early.stderr]).toEqual([1, expect.stringMatching(/^The active data key field-\S+ was started \d+ s ago; .* Nothing retired\.\n$/)]);
    // Three minutes on (as if): every running server has read its keyring again.
    const aged = await openContext({ config });
    await aged.database.db.updateTable("data_key").set({ created_at: new Date(Date.now() - KEY_SWITCH_MS - 1000).toISOString() }).where("purpose", "=", "field").where("active", "=", 1).execute();
    await aged.close();
    const retire = schakel("retire");
    expect([retire.status, retire.stdout]).toEqual([0, expect.stringMatching(/^Retired field-1 \(recorded in the audit log\)/)]);

    const after = await openContext({ config });
    const keys = await after.database.db.selectFrom("data_key").select("id").where("purpose", "=", "field").execute();
    expect(keys.map((k) => k.id)).toEqual([expect.stringMatching(/^field-[0-9a-f-]{36}$/)]);
    const user = await after.database.db.selectFrom("app_user").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    expect(user.totp_secret!.startsWith(`v1:${keys[0].id}:`)).toBe(true);
    expect(await totpSecretOf(after, user)).toBe(secret);
    await after.close();
  }, 120_000);
});
