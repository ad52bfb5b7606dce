import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { verifyAuditChain } from "../audit";
import type { Actor } from "../policy/actor";
import { DecryptError, PersonalDataDenied, personalData } from ".";
import { expectSealed } from "../../../test/support/sealed";

const actor: Actor = { userId: "u-chair", displayName: "Chair", sessionId: "s", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: "livc-a", role: "chair" }] };
const who = { actor, clientAddress: "127.0.0.1", correlationId: "corr-1" };

describeEachDialect("personal-data path", (ctx) => {
  const entries = () => ctx().database.db.selectFrom("audit_entry").selectAll().where("resource_type", "=", "person").orderBy("seq").execute();

  it("encrypts on write, decrypts on read, and logs both without content", async () => {
    const sealed = await personalData.write(ctx(), who, { table: "person", rowId: "p-1", livcId: "livc-a", resourceType: "person", allowed: true, fields: { full_name: "Yusuf Demir", birth_date: "2006-05-04", nickname: null } });
    expectSealed(sealed.full_name, "Yusuf Demir");
    expect(sealed.nickname).toBeNull();
    const plain = await personalData.read(ctx(), who, { table: "person", rowId: "p-1", livcId: "livc-a", resourceType: "person", allowed: () => true, fields: sealed });
    expect(plain).toEqual({ full_name: "Yusuf Demir", birth_date: "2006-05-04", nickname: null });
    const log = await entries();
    expect(log.map((e) => [e.action, e.outcome, e.resource_id, e.actor_id, e.actor_role, e.livc_id])).toEqual([
      ["personal_data.write", "success", "p-1", "u-chair", "chair", "livc-a"],
      ["personal_data.read", "allowed", "p-1", "u-chair", "chair", "livc-a"],
    ]);
    expect(JSON.stringify(log)).not.toMatch(/Yusuf|Demir|2006-05-04/);
  });

  it("refuses and logs a read the policy denies", async () => {
    const sealed = await personalData.write(ctx(), who, { table: "person", rowId: "p-2", livcId: "livc-a", resourceType: "person", allowed: true, fields: { full_name: "Lotte Peeters" } });
    await expect(personalData.read(ctx(), who, { table: "person", rowId: "p-2", livcId: "livc-b", resourceType: "person", allowed: () => false, fields: sealed })).rejects.toThrow(PersonalDataDenied);
    const last = (await entries()).at(-1)!;
    expect([last.action, last.outcome, last.resource_id]).toEqual(["personal_data.read", "denied", "p-2"]);
  });

  it("refuses a ciphertext swapped to another row or column (ciphertext-swap attack)", async () => {
    const a = await personalData.write(ctx(), who, { table: "person", rowId: "p-3", resourceType: "person", allowed: true, fields: { full_name: "Person A", birth_date: "2001-01-01" } });
    await expect(personalData.read(ctx(), who, { table: "person", rowId: "p-4", resourceType: "person", allowed: true, fields: { full_name: a.full_name } })).rejects.toThrow(DecryptError);
    await expect(personalData.read(ctx(), who, { table: "person", rowId: "p-3", resourceType: "person", allowed: true, fields: { birth_date: a.full_name } })).rejects.toThrow(DecryptError);
  });

  it("reads a list: only allowed rows come back, one audit entry per row, the chain stays valid", async () => {
    const rows = [];
    for (const [id, livc] of [["p-10", "livc-a"], ["p-11", "livc-b"], ["p-12", "livc-a"]]) {
      const s = await personalData.write(ctx(), who, { table: "person", rowId: id, livcId: livc, resourceType: "person", allowed: true, fields: { full_name: `Name ${id}` } });
      rows.push({ rowId: id, livcId: livc, fields: s });
    }
    const out = await personalData.readMany(ctx(), who, { table: "person", resourceType: "person", rows, allowed: (r) => r.livcId === "livc-a" });
    expect(out.map((r) => r.plain.full_name)).toEqual(["Name p-10", "Name p-12"]);
    const log = (await entries()).slice(-3);
    expect(log.map((e) => [e.resource_id, e.outcome])).toEqual([["p-10", "allowed"], ["p-11", "denied"], ["p-12", "allowed"]]);
    expect((await verifyAuditChain(ctx().database)).ok).toBe(true);
  });

  it("blind index through the path matches normalised duplicates", async () => {
    expect(await personalData.blindIndex(ctx(), ["Ahmed  Benali", "1999-12-31"])).toBe(await personalData.blindIndex(ctx(), ["ahmed benali", "1999-12-31"]));
  });
});
