/**
 * Shared set-up for the attack suite: the real app listening on a loopback port with the demo data
 * set, fresh attacker accounts, the registered routes (walked generically, so modules that land
 * later are attacked too) and victim identifiers read from the database.
 */
import type { RouteOptions } from "fastify";
import { sql } from "kysely";
import type { LivcRole } from "../../src/platform/policy/actor";
import type { Permission } from "../../src/platform/policy/permissions";
import { registeredRoutes } from "../../src/platform/web/app";
import { createUser, type TestUser } from "../support/auth";
import { startTestServer, type TestServer } from "../support/browser";
import { HttpClient } from "../stress/support/http";

/** Route permissions whose objects are global by design (register, aggregates, administration, own account). */
export const GLOBAL_PERMISSIONS = new Set<Permission>(["public", "authenticated", "registry.read", "registry.manage", "monitoring.read", "awareness.manage", "admin.accounts", "audit.export"]);

export interface Route {
  method: string;
  url: string;
  permission: string;
  params: string[];
}

export interface Tally {
  tried: number;
  succeeded: number;
  examples: string[];
}

export class Scoreboard {
  readonly kinds = new Map<string, Tally>();
  record(kind: string, success: boolean, what: string) {
    const t = this.kinds.get(kind) ?? { tried: 0, succeeded: 0, examples: [] };
    t.tried++;
    if (success) {
      t.succeeded++;
      if (t.examples.length < 10) t.examples.push(what);
    }
    this.kinds.set(kind, t);
  }
  print(): string {
    const lines = [...this.kinds].map(([k, t]) => `${k.padEnd(28)} tried ${String(t.tried).padStart(6)}, succeeded ${t.succeeded}${t.examples.length ? `: ${t.examples.join(" | ")}` : ""}`);
    const text = lines.join("\n");
    console.log(`[attack suite]\n${text}`);
    return text;
  }
  figures() {
    return Object.fromEntries([...this.kinds].map(([k, t]) => [k, { tried: t.tried, succeeded: t.succeeded }]));
  }
  failures() {
    return [...this.kinds].filter(([, t]) => t.succeeded > 0).map(([k, t]) => `${k}: ${t.succeeded} of ${t.tried} succeeded (${t.examples.join(" | ")})`);
  }
}

export function routesOf(server: TestServer): Route[] {
  const all = registeredRoutes.get(server.app) as RouteOptions[];
  const out: Route[] = [];
  for (const r of all) {
    for (const method of [r.method].flat()) {
      if (method === "HEAD") continue;
      out.push({ method, url: r.url, permission: String((r.config as { permission?: string } | undefined)?.permission ?? "none"), params: [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]) });
    }
  }
  return out;
}

export const fill = (url: string, values: Record<string, string>) => url.replace(/:([A-Za-z_]+)/g, (_, p: string) => encodeURIComponent(values[p] ?? values.id ?? "x"));

export interface Attacker {
  label: string;
  user: TestUser;
  client: HttpClient;
  livcId: string;
}

export interface Arena {
  server: TestServer;
  routes: Route[];
  gentId: string;
  otherLivcId: string;
  attackers: Attacker[];
  admin: HttpClient;
  adminUser: TestUser;
  analyst: HttpClient;
  /** Identifiers of objects of LIVC Gent and of objects nobody invited the attackers to. */
  victimValues: string[];
  resourceTypes: string[];
  close(): Promise<void>;
}

type AnyRow = Record<string, unknown>;

export async function openArena(): Promise<Arena> {
  const server = await startTestServer({ demo: true });
  const db = server.ctx.database.db;
  const reports = await db.selectFrom("report").select(["livc_id"]).execute();
  const counts = new Map<string, number>();
  for (const r of reports) if (r.livc_id) counts.set(r.livc_id, (counts.get(r.livc_id) ?? 0) + 1);
  const gentId = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const other = await db.selectFrom("livc").select("id").where("id", "!=", gentId).orderBy("id").executeTakeFirstOrThrow();
  const otherLivcId = other.id;

  const roles: LivcRole[] = ["chair", "coordinator", "information_officer", "partner_member", "reporter"];
  const specs: { label: string; livcId: string; role: LivcRole }[] = [
    ...roles.map((role) => ({ label: `${role}@other-LIVC`, livcId: otherLivcId, role })),
    { label: "partner_member@Gent (not invited)", livcId: gentId, role: "partner_member" },
    { label: "reporter@Gent (not the reporter)", livcId: gentId, role: "reporter" },
  ];
  const attackers: Attacker[] = [];
  for (const s of specs) {
    const user = await createUser(server.ctx, { roles: [{ livcId: s.livcId, role: s.role }] });
    attackers.push({ label: s.label, user, client: await new HttpClient(server.baseUrl).login(user), livcId: s.livcId });
  }
  const adminUser = await createUser(server.ctx, { platformRoles: ["admin"] });
  const admin = await new HttpClient(server.baseUrl).login(adminUser);
  const analyst = await new HttpClient(server.baseUrl).login(await createUser(server.ctx, { platformRoles: ["regional_analyst"] }));

  // Victims: up to 3 rows of every table that belongs to an LIVC or hangs off an LIVC's object.
  const owned = /^(livc_id|case_id|consultation_id|report_id|form_id|invitation_id)$/;
  const values = new Set<string>();
  for (const t of await db.introspection.getTables()) {
    const cols = t.columns.map((c) => c.name);
    if (!cols.includes("id") || !cols.some((c) => owned.test(c))) continue;
    let q = db.selectFrom(t.name as "report").selectAll() as unknown as { where: (...a: unknown[]) => unknown; limit: (n: number) => { execute(): Promise<AnyRow[]> } };
    if (cols.includes("livc_id")) q = (q as unknown as { where: (a: string, b: string, c: string) => typeof q }).where("livc_id", "!=", otherLivcId);
    const rows = await q.limit(process.env.SCHAKEL_STRESS === "1" ? 3 : 1).execute();
    for (const r of rows) {
      values.add(String(r.id));
      if (typeof r.reference === "string") values.add(r.reference);
    }
  }
  values.add(gentId);
  const types = await sql<{ t: string }>`select distinct resource_type as t from audit_entry order by 1`.execute(db);
  return {
    server,
    routes: routesOf(server),
    gentId,
    otherLivcId,
    attackers,
    admin,
    adminUser,
    analyst,
    victimValues: [...values],
    resourceTypes: types.rows.map((r) => r.t).slice(0, process.env.SCHAKEL_STRESS === "1" ? 12 : 4),
    close: () => server.close(),
  };
}

/** Runs async jobs with bounded concurrency. */
export async function pool<T>(items: T[], width: number, job: (item: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (i < items.length) await job(items[i++]);
    }),
  );
}
