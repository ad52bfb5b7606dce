/**
 * Crash safety: the real server is killed with SIGKILL during concurrent writes, again and again.
 * After every restart each write that was acknowledged (201) must still be there; at the end SQLite's
 * integrity check says "ok" and `schakel audit verify` passes. npm test: 50 kills with short bursts;
 * SCHAKEL_STRESS=1: 200 kills with longer bursts.
 */
import SQLite from "better-sqlite3";
import { expect, it } from "vitest";
import { createUser } from "../support/auth";
import { openTestContext } from "../support/db";
import { reportFigures } from "./support/figures";
import { HttpClient } from "./support/http";
import { freePort, newMasterKey, runCli, STRESS, serverEnv, startServerProcess } from "./support/process";

const KILLS = STRESS ? 200 : 50;
const WRITERS = STRESS ? 8 : 4;
const BURST_MS: [number, number] = STRESS ? [200, 1500] : [60, 250];

it(`survives ${KILLS} SIGKILLs during concurrent writes without losing an acknowledged write`, async () => {
  const started = performance.now();
  const key = newMasterKey();
  const ctx = await openTestContext("sqlite", { SCHAKEL_MASTER_KEY: key });
  const admin = await createUser(ctx, { platformRoles: ["admin"] });
  const databaseUrl = ctx.database.url;
  const file = databaseUrl.replace(/^sqlite:/, "");
  await ctx.close();

  const env = serverEnv(databaseUrl, key);
  const port = await freePort();
  const acked: string[] = [];
  let attempted = 0;
  let inFlightLost = 0;
  let client: HttpClient | undefined;
  let n = 0;

  for (let cycle = 0; cycle < KILLS; cycle++) {
    const server = await startServerProcess(env, { port });
    try {
      client ??= await new HttpClient(server.baseUrl).login(admin);
      // The session lives in the database: it must survive every crash.
      const me = await client.get("/api/v1/me", { accept: "application/json" });
      expect(me.status, `session lost after crash ${cycle}`).toBe(200);
      let stop = false;
      const writer = async () => {
        while (!stop) {
          const i = n++;
          attempted++;
          try {
            const r = await client!.json("POST", "/api/v1/admin/accounts", { display_name: `Crash ${i}`, email: `crash-${i}@test.schakel.invalid` });
            if (r.status === 201) acked.push(JSON.parse(r.body).id);
            else if (!stop) throw new Error(`write answered ${r.status}: ${r.body.slice(0, 200)}`);
          } catch (e) {
            if (!stop) throw e;
            inFlightLost++;
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, writer);
      const burst = BURST_MS[0] + Math.random() * (BURST_MS[1] - BURST_MS[0]);
      await new Promise((r) => setTimeout(r, burst));
      stop = true;
      await server.kill("SIGKILL");
      await Promise.all(writers);
    } finally {
      await server.kill("SIGKILL");
    }
  }

  const native = new SQLite(file);
  const integrity = native.pragma("integrity_check", { simple: true });
  const present = new Set((native.prepare("select id from app_user").all() as { id: string }[]).map((r) => r.id));
  const audited = new Set((native.prepare("select resource_id from audit_entry where action = 'account.create'").all() as { resource_id: string }[]).map((r) => r.resource_id));
  native.close();
  const missing = acked.filter((id) => !present.has(id));
  const unaudited = acked.filter((id) => !audited.has(id));
  const verify = runCli(["audit", "verify"], env);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  reportFigures("crash", { kills: KILLS, writers: WRITERS, attempted, acknowledged: acked.length, inFlightLost, missing: missing.length, unaudited: unaudited.length, integrity, auditVerify: verify.status === 0 ? "ok" : verify.stderr.trim(), seconds });

  expect(acked.length).toBeGreaterThan(KILLS);
  expect(missing).toEqual([]);
  expect(unaudited).toEqual([]);
  expect(integrity).toBe("ok");
  expect(verify.stderr).toBe("");
  expect(verify.status).toBe(0);
  expect(verify.stdout).toMatch(/Audit log intact/);
}, 1_800_000);
