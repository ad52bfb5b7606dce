/**
 * Load: 100 concurrent sessions with a realistic mix of pages, API reads and audited writes against
 * the real server process on the demo data set (SQLite). npm test: 10 s; SCHAKEL_STRESS=1: 60 s.
 * Zero errors: every answer is the expected 2xx/3xx, no network error, no 5xx.
 */
import { expect, it } from "vitest";
import { createSession } from "../../src/platform/auth/session";
import { seedDemo } from "../../src/platform/demo";
import { createUser } from "../support/auth";
import { openTestContext } from "../support/db";
import { reportFigures } from "./support/figures";
import { HttpClient } from "./support/http";
import { newMasterKey, STRESS, serverEnv, startServerProcess } from "./support/process";

const SESSIONS = 100;
const SECONDS = STRESS ? 60 : 10;

type Step = { method: "GET" | "POST"; url: string; body?: () => unknown };

it(`${SESSIONS} concurrent sessions for ${SECONDS} s: zero errors`, async () => {
  const key = newMasterKey();
  const ctx = await openTestContext("sqlite", { SCHAKEL_MASTER_KEY: key });
  await seedDemo(ctx);
  const db = ctx.database.db;
  const gent = (await db.selectFrom("report").select("livc_id").where("livc_id", "is not", null).executeTakeFirstOrThrow()).livc_id!;
  let n = 0;
  const profiles: { weight: number; user: () => Promise<string>; steps: Step[] }[] = [
    {
      weight: 40,
      user: async () => (await createUser(ctx, { roles: [{ livcId: gent, role: "chair" }] })).id,
      steps: [{ method: "GET", url: "/" }, { method: "GET", url: "/partners" }, { method: "GET", url: `/partners/livc/${gent}` }, { method: "GET", url: "/registry" }, { method: "GET", url: "/monitoring" }, { method: "GET", url: "/invitations" }],
    },
    {
      weight: 30,
      user: async () => (await createUser(ctx, { roles: [{ livcId: gent, role: "reporter" }] })).id,
      steps: [{ method: "GET", url: "/" }, { method: "GET", url: "/reports/new" }, { method: "GET", url: "/reports" }, { method: "GET", url: "/account" }, { method: "GET", url: "/api/v1/me" }],
    },
    {
      weight: 20,
      user: async () => (await createUser(ctx, { platformRoles: ["regional_analyst"] })).id,
      steps: [{ method: "GET", url: "/monitoring" }, { method: "GET", url: "/api/v1/monitoring/coverage" }, { method: "GET", url: "/registry" }, { method: "GET", url: "/municipalities" }],
    },
    {
      weight: 10,
      user: async () => (await createUser(ctx, { platformRoles: ["admin"] })).id,
      steps: [
        { method: "GET", url: "/admin/accounts" },
        { method: "POST", url: "/api/v1/admin/accounts", body: () => ({ display_name: `Last ${n}`, email: `load-${n++}@test.schakel.invalid` }) },
        { method: "GET", url: "/registry" },
      ],
    },
  ];
  // One account per profile and per 10 sessions; each session is a real database session row.
  const sessions: { token: string; csrf: string; steps: Step[] }[] = [];
  for (const p of profiles) {
    const count = (SESSIONS * p.weight) / 100;
    let userId = "";
    for (let i = 0; i < count; i++) {
      if (i % 10 === 0) userId = await p.user();
      const s = await createSession(db, userId, "full", "password", null);
      sessions.push({ token: s.token, csrf: s.session.csrf_token, steps: p.steps });
    }
  }
  await ctx.close();

  const server = await startServerProcess(serverEnv(ctx.database.url, key, { LOG_LEVEL: "error" }));
  const latencies: number[] = [];
  const errors: string[] = [];
  const statuses = new Map<number, number>();
  try {
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      sessions.map(async (s, i) => {
        const c = new HttpClient(server.baseUrl);
        c.cookies.set("__Host-schakel_session", s.token);
        c.csrf = s.csrf;
        let k = i;
        while (performance.now() < until) {
          const step = s.steps[k++ % s.steps.length];
          const t0 = performance.now();
          try {
            const r = step.method === "GET" ? await c.get(step.url, step.url.startsWith("/api/") ? { accept: "application/json" } : {}) : await c.json("POST", step.url, step.body?.());
            latencies.push(performance.now() - t0);
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            if (r.status >= 400) errors.push(`${step.method} ${step.url} -> ${r.status}`);
          } catch (e) {
            errors.push(`${step.method} ${step.url}: ${(e as Error).message}`);
          }
        }
      }),
    );
  } finally {
    await server.kill("SIGTERM");
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0);
  reportFigures("load", {
    sessions: SESSIONS,
    seconds: SECONDS,
    requests: latencies.length,
    perSecond: Math.round(latencies.length / SECONDS),
    p50ms: pct(50),
    p95ms: pct(95),
    p99ms: pct(99),
    errors: errors.length,
    statuses: Object.fromEntries(statuses),
    firstErrors: errors.slice(0, 5),
  });
  expect(errors.slice(0, 10)).toEqual([]);
  expect(latencies.length).toBeGreaterThan(SESSIONS);
}, 600_000);
