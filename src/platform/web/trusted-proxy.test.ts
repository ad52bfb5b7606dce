import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { ConfigError, loadConfig, parseProxyList } from "../config";
import { buildApp } from "./app";

describe("SCHAKEL_TRUSTED_PROXIES (decision 0064)", () => {
  it("takes addresses, CIDR ranges and the named ranges; a bad item names the variable and the item", () => {
    expect(loadConfig({}).SCHAKEL_TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig({ SCHAKEL_TRUSTED_PROXIES: " 127.0.0.1, 10.0.0.0/8 ,fd00::/8,::1,loopback" }).SCHAKEL_TRUSTED_PROXIES).toEqual(["127.0.0.1", "10.0.0.0/8", "fd00::/8", "::1", "loopback"]);
    for (const bad of ["*", "true", "10.0.0.0/33", "fd00::/129", "proxy.example", "10.0.0.1/8/8", "1.2.3.4/x", "2"]) {
      expect(parseProxyList(`127.0.0.1,${bad}`)).toEqual({ bad });
      expect(() => loadConfig({ SCHAKEL_TRUSTED_PROXIES: `127.0.0.1,${bad}` })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ SCHAKEL_TRUSTED_PROXIES: "everyone" })).toThrow(/^Configuration error: SCHAKEL_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges .*"everyone" is not one/);
  });
});

/**
 * Over real sockets from 127.0.0.1: a reverse proxy on the same machine. The client's address decides
 * the login throttle's address key and the audit log's network; only a trusted proxy may name it.
 */
for (const dialect of activeDialects()) {
  describe(`the client address behind a reverse proxy [${dialect}]`, () => {
    const servers: { ctx: TestContext; app: FastifyInstance; base: string }[] = [];
    const start = async (extra: Record<string, string>) => {
      const ctx = await openTestContext(dialect, extra);
      const app = await buildApp(ctx, { logger: false });
      await app.listen({ host: "127.0.0.1", port: 0 });
      const a = app.server.address();
      const s = { ctx, app, base: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}` };
      servers.push(s);
      return s;
    };
    let trusted: Awaited<ReturnType<typeof start>>;
    let untrusted: Awaited<ReturnType<typeof start>>;
    let none: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      trusted = await start({ SCHAKEL_TRUSTED_PROXIES: "127.0.0.1" });
      untrusted = await start({ SCHAKEL_TRUSTED_PROXIES: "10.1.2.3" });
      none = await start({});
    }, 60_000);
    afterAll(async () => {
      for (const s of servers) {
        await s.app.close();
        await s.ctx.close();
      }
    });

    /** One failed password login as `client` (X-Forwarded-For), through the real login form. */
    const failedLogin = async (s: typeof trusted, client: string, email: string) => {
      const page = await fetch(`${s.base}/login`, { headers: { "x-forwarded-for": client } });
      const cookie = (page.headers.getSetCookie() ?? []).map((c) => c.split(";")[0]).join("; ");
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await fetch(`${s.base}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "x-forwarded-for": client, "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ _csrf: csrf, email, password: "not the password", next: "/" }).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    };
    const lastLoginAddress = async (s: typeof trusted) =>
      (await s.ctx.database.db.selectFrom("audit_entry").select("client_address").where("action", "=", "login.password").orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow()).client_address;

    it("a trusted proxy names the client: the audit log keeps the client's network and each client has its own throttle", async () => {
      expect(await failedLogin(trusted, "203.0.113.7", "someone@example.invalid")).toBe(401);
      expect(await lastLoginAddress(trusted)).toBe("203.0.113.0/24");
      // The client's own address behind a chain of proxies: the last address before the trusted one.
      expect(await failedLogin(trusted, "192.0.2.1, 198.51.100.20", "someone@example.invalid")).toBe(401);
      expect(await lastLoginAddress(trusted)).toBe("198.51.100.0/24");

      // The 10th failure from one address blocks it for a second (different accounts: no account delay); A only.
      for (let i = 0; i < 10; i++) expect(await failedLogin(trusted, "203.0.113.50", `a${i}@example.invalid`)).toBe(401);
      expect(await failedLogin(trusted, "203.0.113.50", "a-next@example.invalid")).toBe(429);
      expect(await failedLogin(trusted, "198.51.100.99", "b@example.invalid")).toBe(401);
    });

    it("without SCHAKEL_TRUSTED_PROXIES, or from a peer not in it, X-Forwarded-For is ignored: the socket's address counts", async () => {
      expect(await failedLogin(none, "203.0.113.7", "someone@example.invalid")).toBe(401);
      expect(await lastLoginAddress(none)).toBe("127.0.0.0/24");
      expect(await failedLogin(untrusted, "203.0.113.7", "someone@example.invalid")).toBe(401);
      expect(await lastLoginAddress(untrusted)).toBe("127.0.0.0/24");
      // So a spoofed header cannot dodge the throttle: every attempt counts against the one real address.
      for (let i = 0; i < 10; i++) await failedLogin(none, `203.0.113.${i + 1}`, `c${i}@example.invalid`);
      expect(await failedLogin(none, "198.51.100.1", "d@example.invalid")).toBe(429);
    });

    it("the proxy's X-Forwarded-Proto https makes the language cookie Secure; from an untrusted peer it does not", async () => {
      const cookieOf = async (s: typeof trusted) => {
        const res = await fetch(`${s.base}/login?lang=fr`, { headers: { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" } });
        await res.arrayBuffer();
        return (res.headers.getSetCookie() ?? []).find((c) => c.startsWith("schakel_lang=") || /lang/i.test(c.split("=")[0])) ?? "";
      };
      expect(await cookieOf(trusted)).toMatch(/; Secure/i);
      expect(await cookieOf(untrusted)).not.toMatch(/; Secure/i);
    });
  });
}
