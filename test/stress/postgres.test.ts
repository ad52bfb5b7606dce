/**
 * PostgreSQL under faults, with real server processes on a cluster this file starts and stops itself:
 * - two instances behind a client that alternates between them: sessions, login throttling and the
 *   audit chain are shared (they all live in the database);
 * - outage: PostgreSQL stopped mid-run, pages answer 503 with the plain message, no stack trace and no
 *   half-written data; PostgreSQL started again, Schakel recovers by itself (the pg pool reconnects).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openContext } from "../../src/platform/bootstrap";
import { createUser, type TestUser } from "../support/auth";
import { testConfig } from "../support/db";
import { type Cluster, postgresAvailable, startCluster } from "../support/postgres-cluster";
import { reportFigures } from "./support/figures";
import { HttpClient } from "./support/http";
import { newMasterKey, runCli, STRESS, type ServerProcess, serverEnv, startServerProcess } from "./support/process";

const available = !process.env.SCHAKEL_SKIP_POSTGRES && postgresAvailable();

/** Sends each request to the next instance in turn. */
class AlternatingClient extends HttpClient {
  private i = 0;
  constructor(private readonly bases: string[]) {
    super(bases[0]);
  }
  override request(...args: Parameters<HttpClient["request"]>) {
    this.baseUrl = this.bases[this.i++ % this.bases.length];
    return super.request(...args);
  }
}

describe.skipIf(!available)("PostgreSQL: two instances and an outage", () => {
  let cluster: Cluster;
  let url: string;
  let env: Record<string, string>;
  let servers: ServerProcess[] = [];
  let admin: TestUser;

  beforeAll(async () => {
    cluster = await startCluster();
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    await client.query("create database proof");
    await client.end();
    url = cluster.url.replace(/\/postgres$/, "/proof");
    const key = newMasterKey();
    const ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: key }) });
    admin = await createUser(ctx, { platformRoles: ["admin"] });
    await ctx.close();
    env = serverEnv(url, key);
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode !== null || s.child.signalCode !== null) console.log(`server ${s.baseUrl} had exited (${s.child.exitCode ?? s.child.signalCode}):\n${s.output().slice(-3000)}`);
    for (const s of servers) await s.kill("SIGKILL");
    cluster?.stop();
  });

  it("a session made through both instances works on each; login throttling is shared; the audit chain stays valid under concurrent writes on both", async () => {
    const bases = servers.map((s) => s.baseUrl);
    const client = await new AlternatingClient(bases).login(admin);
    for (const base of bases) {
      const me = await new HttpClient(base).request("GET", "/api/v1/me", { headers: { cookie: client.cookieHeader(), accept: "application/json" } });
      expect(me.status, `session on ${base}`).toBe(200);
    }

    // Throttling: wrong passwords alternating between the instances are counted together.
    const victim = await (async () => {
      const ctx = await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: env.SCHAKEL_MASTER_KEY }), migrate: false });
      try {
        return await createUser(ctx, {});
      } finally {
        await ctx.close();
      }
    })();
    const guesser = new AlternatingClient(bases);
    let checked = 0;
    let throttled = 0;
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      const page = await guesser.get("/login");
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
      const r = await guesser.form("/login", { email: victim.email, password: `wrong-${i}`, next: "/" }, { csrf: token });
      if (r.status === 429) throttled++;
      else checked++;
    }
    // 3 free guesses, then one per 1, 2, 4... seconds, counted in the shared table whichever instance answers.
    const allowance = 3 + 1 + Math.ceil(Math.log2((Date.now() - started) / 1000 + 1));
    expect(checked).toBeLessThanOrEqual(allowance);
    expect(throttled).toBeGreaterThanOrEqual(10 - allowance);

    // Concurrent audited writes on both instances.
    const perWriter = STRESS ? 100 : 15;
    const acked: string[] = [];
    let n = 0;
    const writer = async (base: string) => {
      const c = new HttpClient(base);
      for (const [k, v] of client.cookies) c.cookies.set(k, v);
      c.csrf = client.csrf;
      for (let i = 0; i < perWriter; i++) {
        const id = n++;
        const r = await c.json("POST", "/api/v1/admin/accounts", { display_name: `Twee ${id}`, email: `two-${id}@test.schakel.invalid` });
        expect(r.status, r.body).toBe(201);
        acked.push(JSON.parse(r.body).id);
      }
    };
    await Promise.all([...bases, ...bases, ...bases].map(writer));
    const verify = runCli(["audit", "verify"], env);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const rows = await db.query("select id from app_user where id = any($1)", [acked]);
    await db.end();
    reportFigures("two-instances", { instances: 2, sessionSharedOnBoth: true, wrongPasswords: 10, checked, throttled, writes: acked.length, present: rows.rowCount, auditVerify: verify.status === 0 ? "ok" : verify.stderr.trim() });
    expect(rows.rowCount).toBe(acked.length);
    expect(verify.stdout, verify.stderr).toMatch(/Audit log intact/);
    expect(verify.status).toBe(0);
  }, 300_000);

  it("PostgreSQL stops mid-run: 503 with the plain message, nothing half-written; it starts again and Schakel recovers by itself", async () => {
    const bases = servers.map((s) => s.baseUrl);
    const client = await new AlternatingClient(bases).login(admin);
    expect((await client.get("/account")).status).toBe(200);
    // Writers running while the database goes away.
    let stop = false;
    const outcomes: number[] = [];
    const acked: string[] = [];
    const tried: string[] = [];
    let seq = 0;
    const writer = async () => {
      while (!stop) {
        const email = `outage-${seq++}@test.schakel.invalid`;
        tried.push(email);
        const r = await client.json("POST", "/api/v1/admin/accounts", { display_name: "Uitval", email }).catch(() => ({ status: 0, body: "" }));
        outcomes.push(r.status);
        if (r.status === 201) acked.push(JSON.parse(r.body).id);
        else if (r.status !== 503) throw new Error(`during the outage a write answered ${r.status}: ${r.body.slice(0, 300)}`);
      }
    };
    const writers = [writer(), writer()];
    await new Promise((r) => setTimeout(r, 300));
    const haltedAt = performance.now();
    cluster.halt();
    const pages: { status: number; body: string; retry: string | null }[] = [];
    for (const path of ["/account", "/registry", "/api/v1/me", "/readyz", "/monitoring"]) {
      for (const base of bases) {
        const r = await new HttpClient(base).request("GET", path, { headers: { cookie: client.cookieHeader() } });
        pages.push({ status: r.status, body: r.body, retry: r.headers.get("retry-after") });
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(writers);
    for (const p of pages) {
      expect(p.status, p.body.slice(0, 300)).toBe(503);
      expect(p.body).not.toMatch(/\n\s+at |Error:|ECONNREFUSED|stack/);
    }
    const htmlPage = pages[0];
    expect(htmlPage.body).toContain("Schakel kan de databank nu niet bereiken");
    expect(htmlPage.retry).toBe("5");
    expect(outcomes.filter((s) => s === 503).length).toBeGreaterThan(0);

    cluster.resume();
    const resumedAt = performance.now();
    let recoveredAfterMs = -1;
    for (let i = 0; i < 120; i++) {
      const r = await client.get("/api/v1/me", { accept: "application/json" });
      if (r.status === 200) {
        recoveredAfterMs = Math.round(performance.now() - resumedAt);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(recoveredAfterMs).toBeGreaterThanOrEqual(0);
    for (const base of bases) {
      const c = new HttpClient(base);
      for (const [k, v] of client.cookies) c.cookies.set(k, v);
      c.csrf = client.csrf;
      const w = await c.json("POST", "/api/v1/admin/accounts", { display_name: "Na herstel", email: `after-${base.split(":")[2]}@test.schakel.invalid` });
      expect(w.status, w.body).toBe(201);
    }
    // Nothing half-written: every account row that exists from the outage window has its audit entry, and every acknowledged one exists.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const made = await db.query("select id from app_user where email = any($1)", [tried]);
    const audited = await db.query("select resource_id from audit_entry where action = 'account.create' and resource_id = any($1)", [made.rows.map((r) => r.id)]);
    await db.end();
    const verify = runCli(["audit", "verify"], env);
    reportFigures("outage", {
      writesDuringRun: outcomes.length,
      answered503: outcomes.filter((s) => s === 503).length,
      acknowledged: acked.length,
      pagesChecked: pages.length,
      outageMs: Math.round(resumedAt - haltedAt),
      recoveredAfterMs,
      auditVerify: verify.status === 0 ? "ok" : verify.stderr.trim(),
    });
    for (const id of acked) expect(made.rows.map((r) => r.id)).toContain(id);
    expect(audited.rowCount).toBe(made.rowCount);
    expect(verify.status, verify.stderr).toBe(0);
  }, 300_000);
});
