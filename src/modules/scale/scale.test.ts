import { afterAll, expect, it } from "vitest";
import { describeEachDialect, openTestContext, type TestContext } from "../../../test/support/db";
import { verifyAuditChain } from "../../platform/audit";
import { keyringFor } from "../../platform/crypto/keyring";
import { toCount } from "../../platform/db/values";
import { countsFor, seedScale } from "./service";

const SCALE = 0.0005;
const count = async (ctx: TestContext, table: "livc" | "organisation" | "app_user" | "case_file" | "report" | "audit_entry" | "awareness_campaign" | "consultation") =>
  toCount((await ctx.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

/** What must not change between two runs with the same seed: ids, labels, dates and the decrypted identities
 *  (ciphertexts and blind indexes differ: random IVs, and each database has its own keys). */
async function fingerprint(ctx: TestContext) {
  const db = ctx.database.db;
  const keyring = await keyringFor(ctx);
  const cases = await db.selectFrom("case_file").select(["id", "livc_id", "label", "status", "opened_on", "closed_on", "identity_enc"]).orderBy("id").execute();
  return {
    livcs: await db.selectFrom("livc").select(["id", "code", "founded_on"]).orderBy("id").execute(),
    users: await db.selectFrom("app_user").select(["id", "email", "display_name"]).orderBy("id").execute(),
    memberships: await db.selectFrom("livc_membership").select(["livc_id", "nis", "joined_on", "left_on"]).orderBy("id").execute(),
    cases: cases.map(({ identity_enc, ...c }) => ({ ...c, identity: keyring.decrypt({ table: "case_file", column: "identity_enc", rowId: c.id }, identity_enc!) })),
    audit: await db.selectFrom("audit_entry").select(["seq", "at", "action", "resource_id", "hash"]).where("action", "!=", "seed.scale").orderBy("seq").execute(),
  };
}

describeEachDialect("scale seeder: counts, encryption, audit chain, determinism", (ctx, dialect) => {
  let second: TestContext | undefined;
  afterAll(async () => {
    await second?.close();
  });

  it("seeds the counts of a tiny scale, identities only as ciphertext, a valid audit chain", async () => {
    const result = await seedScale(ctx(), { scale: SCALE, seed: 42 });
    const expected = countsFor(SCALE);
    expect(await count(ctx(), "livc")).toBe(expected.livcs);
    expect(await count(ctx(), "organisation")).toBe(expected.organisations);
    expect(await count(ctx(), "app_user")).toBe(expected.users);
    expect(await count(ctx(), "case_file")).toBe(expected.cases);
    expect(await count(ctx(), "report")).toBe(expected.cases + Math.round(expected.cases * 0.3));
    expect(await count(ctx(), "awareness_campaign")).toBe(5);
    expect(await count(ctx(), "consultation")).toBeGreaterThan(expected.livcs * 12);
    // The seeded history plus the one "seed.scale" entry.
    expect(await count(ctx(), "audit_entry")).toBe(expected.audit + 1);
    expect(result.rows.case_file).toBe(expected.cases);
    const verify = await verifyAuditChain(ctx().database);
    expect(verify).toMatchObject({ ok: true, entries: expected.audit + 1 });
    const c = await ctx().database.db.selectFrom("case_file").select(["id", "identity_enc"]).limit(1).executeTakeFirstOrThrow();
    expect(c.identity_enc).toMatch(/^v1:/);
    const identity = JSON.parse((await keyringFor(ctx())).decrypt({ table: "case_file", column: "identity_enc", rowId: c.id }, c.identity_enc!));
    expect(identity.fullName).toMatch(/^\S+ .+/);
    // Every partner member's access to a case comes with their organisation invited as a service for it, accepted.
    const db = ctx().database.db;
    const grants = await db.selectFrom("case_access_grant as g").innerJoin("app_user as u", "u.id", "g.user_id").select(["g.case_id", "g.consultation_id", "u.organisation_id"]).execute();
    const services = await db
      .selectFrom("consultation_case_service as s")
      .innerJoin("partner_invitation as i", "i.id", "s.invitation_id")
      .innerJoin("consultation_case as a", (j) => j.onRef("a.consultation_id", "=", "s.consultation_id").onRef("a.case_id", "=", "s.case_id"))
      .select(["s.case_id", "s.consultation_id", "s.organisation_id", "i.status", "i.case_ref"])
      .execute();
    expect(grants.length).toBeGreaterThan(0);
    expect(services.length).toBe(grants.length);
    const key = (r: { case_id: string; consultation_id: string | null; organisation_id: string | null }) => `${r.case_id}|${r.consultation_id}|${r.organisation_id}`;
    expect(new Set(services.map(key))).toEqual(new Set(grants.map(key)));
    expect(services.every((r) => r.status === "accepted" && r.case_ref === r.case_id)).toBe(true);
  }, 120_000);

  it("refuses a database that already has LIVCs", async () => {
    await expect(seedScale(ctx(), { scale: SCALE, seed: 42 })).rejects.toThrow(/empty database/);
  });

  it("gives the same data set for the same seed, another for another seed", async () => {
    second = await openTestContext(dialect);
    await seedScale(second, { scale: SCALE, seed: 42 });
    const a = await fingerprint(ctx());
    const b = await fingerprint(second);
    expect(b).toEqual(a);
    const third = await openTestContext(dialect);
    try {
      await seedScale(third, { scale: SCALE, seed: 43 });
      expect((await fingerprint(third)).cases.map((x) => x.id)).not.toEqual(a.cases.map((x) => x.id));
    } finally {
      await third.close();
    }
  }, 120_000);
});
