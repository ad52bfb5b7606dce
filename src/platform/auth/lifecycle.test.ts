import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { audit } from "../audit";
import { auditAddress } from "../audit/address";
import { entryHash, GENESIS_HASH } from "../audit/chain";
import { verifyAuditChain } from "../audit/verify";
import { createSession, listSessions, sweepExpiredSessions } from "./session";
import { accountKey, addressKey, recordFailure, sweepThrottle, waitSeconds } from "./throttle";

/** Decision 0053: only live sessions listed, expired ones and old throttle rows swept, addresses kept in a reduced form. */
describeEachDialect("sessions, login throttle and audit addresses over time", (ctx) => {
  const db = () => ctx().database.db;
  const limits = { SCHAKEL_SESSION_IDLE_MINUTES: 30, SCHAKEL_SESSION_ABSOLUTE_HOURS: 10 };
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  it("/account's list holds only live sessions; the sweep deletes exactly the expired rows", async () => {
    const user = await createUser(ctx());
    const make = async (stage: "full" | "mfa", created: number, seen: number) => {
      const { session } = await createSession(db(), user.id, stage, "password", null);
      await db().updateTable("session").set({ created_at: ago(created), last_seen_at: ago(seen) }).where("id", "=", session.id).execute();
      return session.id;
    };
    const live = await make("full", 120, 5);
    const idle = await make("full", 60, 31);
    const tooOld = await make("full", 10 * 60 + 1, 1);
    const halfLogin = await make("mfa", 11, 11);
    const freshHalf = await make("mfa", 2, 2);

    const listed = (await listSessions(db(), user.id, limits)).map((s) => s.id);
    expect(listed.sort()).toEqual([live, freshHalf].sort());

    const other = await createUser(ctx());
    const { session: otherLive } = await createSession(db(), other.id, "full", "password", null);
    expect(await sweepExpiredSessions(db(), limits)).toBeGreaterThanOrEqual(3);
    const left = (await db().selectFrom("session").select("id").where("user_id", "in", [user.id, other.id]).execute()).map((r) => r.id);
    expect(left.sort()).toEqual([live, freshHalf, otherLive.id].sort());
    expect(left).not.toContain(idle);
    expect(left).not.toContain(tooOld);
    expect(left).not.toContain(halfLogin);
  });

  it("throttle keys are keyed hashes (neither the address nor a plain hash of the e-mail), and old rows are swept", async () => {
    const ip = "198.51.100.23";
    const email = "Iemand@Example.test";
    const keys = [accountKey(email), addressKey(ip)];
    expect(keys[1]).toMatch(/^addr:[A-Za-z0-9_-]{32}$/);
    expect(keys[1]).not.toContain(ip);
    expect(keys[1]).toBe(addressKey(ip));
    expect(addressKey("198.51.100.24")).not.toBe(keys[1]);
    expect(accountKey(" iemand@example.test ")).toBe(keys[0]);
    expect(keys[0]).not.toContain(createHash("sha256").update("iemand@example.test").digest("hex").slice(0, 32));

    for (let i = 0; i < 4; i++) await recordFailure(db(), keys);
    expect(await waitSeconds(db(), keys)).toBeGreaterThan(0);
    const stored = (await db().selectFrom("login_throttle").select("key").execute()).map((r) => r.key);
    expect(stored).toEqual(expect.arrayContaining(keys));
    expect(stored.join(" ")).not.toContain(ip);

    // A day and a bit later the rows are swept; a recent failure stays.
    const recent = addressKey("192.0.2.1");
    await recordFailure(db(), [recent]);
    expect(await sweepThrottle(db())).toBe(0);
    await db().updateTable("login_throttle").set({ last_failure_at: ago(25 * 60), blocked_until: ago(25 * 60) }).where("key", "in", keys).execute();
    expect(await sweepThrottle(db())).toBe(2);
    expect((await db().selectFrom("login_throttle").select("key").execute()).map((r) => r.key)).toEqual([recent]);
  });

  it("the audit log keeps the network (/24, /48) from now on, and a chain with older full addresses still verifies", async () => {
    await db().deleteFrom("audit_entry").execute();
    // An entry as written before decision 0053: the full address, in the chain.
    const old = { seq: 1, at: ago(60 * 24 * 400), actor_id: "u-old", actor_role: null, livc_id: null, action: "login.password", resource_type: "account", resource_id: null, outcome: "success" as const, client_address: "203.0.113.77", correlation_id: "c-old", prev_hash: GENESIS_HASH };
    await db().insertInto("audit_entry").values({ ...old, hash: entryHash(old) }).execute();

    await audit.recordFor(ctx(), { userId: "u-1", clientAddress: "203.0.113.78", correlationId: "c-1" }, { action: "login.password", resourceType: "account", outcome: "success" });
    await audit.recordFor(ctx(), { userId: "u-2", clientAddress: "2001:db8:abcd:12::1", correlationId: "c-2" }, { action: "login.password", resourceType: "account", outcome: "failure" });
    await audit.recordFor(ctx(), { userId: "u-3", clientAddress: "::ffff:198.51.100.9", correlationId: "c-3" }, { action: "login.password", resourceType: "account", outcome: "failure" });
    const rows = await db().selectFrom("audit_entry").select(["seq", "client_address"]).orderBy("seq").execute();
    expect(rows.map((r) => r.client_address)).toEqual(["203.0.113.77", "203.0.113.0/24", "2001:db8:abcd::/48", "198.51.100.0/24"]);
    expect(await verifyAuditChain(ctx().database)).toMatchObject({ ok: true, entries: 4 });
  });
});

describe("auditAddress", () => {
  it("reduces IPv4 to /24 and IPv6 to /48, keeps markers, drops nothing else", () => {
    expect(auditAddress("10.1.2.3")).toBe("10.1.2.0/24");
    expect(auditAddress("2001:db8::1")).toBe("2001:db8:0::/48");
    expect(auditAddress("fe80::1%eth0")).toBe("fe80:0:0::/48");
    expect(auditAddress("::1")).toBe("0:0:0::/48");
    expect(auditAddress("2001:0db8:00ab:ffff:1:2:3:4")).toBe("2001:db8:ab::/48");
    expect(auditAddress("cli")).toBe("cli");
    expect(auditAddress("")).toBeNull();
    expect(auditAddress(null)).toBeNull();
  });
});
