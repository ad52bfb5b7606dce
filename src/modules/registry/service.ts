import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import type { AuditWho } from "../../platform/audit";
import type { Database } from "../../platform/db";
import { auditRegistryChange } from "./audit";
import type { LifeStatus, ObstacleReason } from "./migrations";
import { type CandidateRow, existsInPeriod, findOverlaps, type Overlap } from "./rules";
import * as store from "./store";
import { municipalityVersions } from "./municipalities";
import { CALENDAR_START, laterDate, RegisterTimeline } from "./timeline";
import { addDays } from "../../platform/db/values";
import { extend } from "../../platform/objects";

export { LIFE_STATUSES, type LifeStatus, OBSTACLE_REASONS, type ObstacleReason } from "./migrations";
export { importObstacles, importRegister, RegistryImportError } from "./importer";
export type { CoverageOn, CoverageState, MunicipalityCoverage } from "./timeline";
export { CALENDAR_START, MERGER_DAY, RegisterTimeline } from "./timeline";
export { municipalityVersions } from "./municipalities";

// ---------------------------------------------------------------------------------------------
// Reading: the whole register as one timeline, cached per register revision.

const timelineCache = new WeakMap<Kysely<DB>, { revision: number; timeline: Promise<RegisterTimeline> }>();

export async function registerTimeline(db: Kysely<DB>): Promise<{ revision: number; timeline: RegisterTimeline }> {
  const revision = await store.revision(db);
  const cached = timelineCache.get(db);
  if (cached && cached.revision === revision) return { revision, timeline: await cached.timeline };
  const timeline = (async () => {
    const [versions, rows] = await Promise.all([municipalityVersions(db), store.loadAll(db)]);
    return new RegisterTimeline({ versions, ...rows });
  })();
  timelineCache.set(db, { revision, timeline });
  timeline.catch(() => timelineCache.delete(db));
  return { revision, timeline: await timeline };
}

export const registerRevision = (db: Kysely<DB>) => store.revision(db);

export const listLivcs = (db: Kysely<DB>) => store.listLivcs(db);
export const livcById = (db: Kysely<DB>, id: string) => store.livcById(db, id);
export const livcByCode = (db: Kysely<DB>, code: string) => store.livcByCode(db, code);
export const obstaclesOf = (db: Kysely<DB>, nis: string) => store.obstaclesOfNis(db, nis);
export const frameworksOf = (db: Kysely<DB>, livcId: string) => store.frameworksOfLivc(db, livcId);
export { correctObstacle, endObstacle, obstacleById, obstacleHistory } from "./obstacles";

/** Everything the LIVC page shows. */
export async function livcDetail(db: Kysely<DB>, id: string, today: string) {
  const livc = await store.livcById(db, id);
  if (!livc) return null;
  const { timeline } = await registerTimeline(db);
  const [memberships, statuses, frameworks] = await Promise.all([
    store.membershipsOfLivc(db, id),
    store.statusesOfLivc(db, id),
    store.frameworksOfLivc(db, id),
  ]);
  const coverage = timeline.coverageOn(today);
  const membersToday = coverage.municipalities.filter((m) => {
    const v = timeline.versionOn(m.nis, today);
    return v && timeline.memberLivcOn(v, today).livcId === id;
  });
  const nameOf = (nis: string) => timeline.versionsByNis.get(nis)?.at(-1)?.name ?? nis;
  const zones = [...new Set(membersToday.map((m) => m.policeZone).filter((z): z is string => !!z))].sort();
  return {
    livc,
    status: timeline.statusOn(id, today),
    membersToday,
    memberships: memberships.map((m) => extend(m, { name: nameOf(m.nis) })),
    statuses,
    frameworks,
    zones,
    readiness: await readiness(db, livc, frameworks, today),
  };
}

// ---------------------------------------------------------------------------------------------
// Readiness: a checklist of facts, never a score.

/**
 * Facts other modules provide, plugged in by the composition root (registry/index.ts) so the
 * registry does not import modules that import it. Defaults until a source is plugged in: partner
 * sectors count 0 and the last consultation is unknown.
 */
export const readinessSources = {
  partnerSectorsInvited: async (_db: Kysely<DB>, _livcId: string, _date: string): Promise<number> => 0,
  lastConsultationOn: async (_db: Kysely<DB>, _livcId: string, _date: string): Promise<string | null> => null,
};

export type ReadinessKey = "chair" | "coordinator" | "info_officer" | "framework" | "partners" | "last_consultation";
export interface ReadinessItem { key: ReadinessKey; done: boolean; value: string | number | null }

export async function readiness(
  db: Kysely<DB>,
  livc: store.LivcRow,
  frameworks: store.FrameworkRow[],
  today: string,
): Promise<ReadinessItem[]> {
  const adopted = frameworks.filter((f) => f.adopted_on <= today).at(-1);
  const partners = await readinessSources.partnerSectorsInvited(db, livc.id, today);
  const last = await readinessSources.lastConsultationOn(db, livc.id, today);
  const named = (userId: string | null, name: string | null) => Boolean(userId || name?.trim());
  return [
    { key: "chair", done: named(livc.chair_user_id, livc.chair_name), value: livc.chair_name },
    { key: "coordinator", done: named(livc.coordinator_user_id, livc.coordinator_name), value: livc.coordinator_name },
    { key: "info_officer", done: named(livc.info_officer_user_id, livc.info_officer_name), value: livc.info_officer_name },
    { key: "framework", done: Boolean(adopted), value: adopted ? adopted.adopted_on : null },
    { key: "partners", done: partners > 0, value: partners },
    { key: "last_consultation", done: last !== null, value: last },
  ];
}

// ---------------------------------------------------------------------------------------------
// Writing: every change in one transaction, bumps the revision and goes to the audit log.

/** A change refused for a reason the user can fix; `code` picks the message, `params` fill it. */
export class RegistryRuleError extends Error {
  constructor(
    readonly code:
      | "unknown_nis"
      | "left_before_joined"
      | "overlap"
      | "unknown_livc"
      | "duplicate_code"
      | "not_merger"
      | "unknown_obstacle"
      | "ended_before_recorded"
      | "obstacle_duplicate"
      | "obstacle_unchanged",
    readonly params: Record<string, string> = {},
    readonly field?: string,
  ) {
    super(`${code} ${JSON.stringify(params)}`);
  }
}

export interface LivcInput {
  code: string;
  name: string;
  founded_on: string | null;
  chair_user_id: string | null;
  chair_name: string | null;
  coordinator_user_id: string | null;
  coordinator_name: string | null;
  info_officer_user_id: string | null;
  info_officer_name: string | null;
}

/** Work done in the same transaction after the LIVC is saved (e.g. the officers' role grants, each audited with { db: trx }). */
export type AlsoInTransaction = (trx: Kysely<DB>, livcId: string) => Promise<void>;

export async function createLivc(database: Database, who: AuditWho, input: LivcInput, also?: AlsoInTransaction): Promise<string> {
  if (await store.livcByCode(database.db, input.code)) throw new RegistryRuleError("duplicate_code", { code: input.code }, "code");
  return database.db.transaction().execute(async (trx) => {
    const id = await store.insertLivc(trx, input);
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.livc.create", { type: "livc", id, livcId: id });
    if (also) await also(trx, id);
    return id;
  });
}

export async function updateLivc(database: Database, who: AuditWho, id: string, input: LivcInput, also?: AlsoInTransaction): Promise<void> {
  const other = await store.livcByCode(database.db, input.code);
  if (other && other.id !== id) throw new RegistryRuleError("duplicate_code", { code: input.code }, "code");
  await database.db.transaction().execute(async (trx) => {
    await store.updateLivc(trx, id, input);
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.livc.update", { type: "livc", id, livcId: id });
    if (also) await also(trx, id);
  });
}

async function candidateRows(db: Kysely<DB>, nis: string): Promise<CandidateRow[]> {
  const livcs = new Map((await store.listLivcs(db)).map((l) => [l.id, l]));
  return (await store.membershipsOfNis(db, [nis])).map((m) => ({
    ref: m.id,
    livcId: m.livc_id,
    livcCode: livcs.get(m.livc_id)?.code ?? "?",
    livcName: livcs.get(m.livc_id)?.name ?? "?",
    nis: m.nis,
    joined_on: m.joined_on,
    left_on: m.left_on,
  }));
}

function overlapError(o: Overlap, proposedRef: string): RegistryRuleError {
  const other = o.a.ref === proposedRef ? o.b : o.a;
  return new RegistryRuleError(
    "overlap",
    { nis: o.nis, name: o.name, livc: `${other.livcCode} (${other.livcName})`, from: other.joined_on, to: other.left_on ?? "-" },
    "nis",
  );
}

async function checkMembership(db: Kysely<DB>, proposed: CandidateRow): Promise<void> {
  if (proposed.left_on !== null && proposed.left_on <= proposed.joined_on) throw new RegistryRuleError("left_before_joined", {}, "left_on");
  const ofNis = (await municipalityVersions(db)).filter((v) => v.nis === proposed.nis);
  if (!existsInPeriod(proposed, ofNis)) throw new RegistryRuleError("unknown_nis", { nis: proposed.nis }, "nis");
  const rows = (await candidateRows(db, proposed.nis)).filter((r) => r.ref !== proposed.ref);
  const overlap = findOverlaps([...rows, proposed], new Map([[proposed.nis, ofNis]])).find(
    (o) => o.a.ref === proposed.ref || o.b.ref === proposed.ref,
  );
  if (overlap) throw overlapError(overlap, proposed.ref);
}

export async function addMembership(
  database: Database,
  who: AuditWho,
  livcId: string,
  m: { nis: string; joined_on: string; left_on: string | null },
): Promise<string> {
  const livc = await store.livcById(database.db, livcId);
  if (!livc) throw new RegistryRuleError("unknown_livc");
  await checkMembership(database.db, { ref: "new", livcId, livcCode: livc.code, livcName: livc.name, ...m });
  return database.db.transaction().execute(async (trx) => {
    const id = await store.insertMembership(trx, { livc_id: livcId, ...m });
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.membership.add", { type: "livc_membership", id, livcId });
    return id;
  });
}

export const membershipById = (db: Kysely<DB>, id: string) => store.membershipById(db, id);

/** Ends a membership (or reopens it with null). left_on is the first day it no longer counts. */
export async function setMembershipEnd(database: Database, who: AuditWho, membershipId: string, leftOn: string | null): Promise<void> {
  const m = await store.membershipById(database.db, membershipId);
  if (!m) throw new RegistryRuleError("unknown_livc");
  const livc = (await store.livcById(database.db, m.livc_id))!;
  await checkMembership(database.db, {
    ref: m.id,
    livcId: m.livc_id,
    livcCode: livc.code,
    livcName: livc.name,
    nis: m.nis,
    joined_on: m.joined_on,
    left_on: leftOn,
  });
  await database.db.transaction().execute(async (trx) => {
    await store.setMembershipLeftOn(trx, m.id, leftOn);
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.membership.end", { type: "livc_membership", id: m.id, livcId: m.livc_id });
  });
}

export async function setStatus(database: Database, who: AuditWho, livcId: string, status: LifeStatus, fromOn: string, note: string | null) {
  await database.db.transaction().execute(async (trx) => {
    await store.upsertStatus(trx, livcId, status, fromOn, note);
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.status.set", { type: "livc_status", id: null, livcId });
  });
}

export async function addFramework(
  database: Database,
  who: AuditWho,
  livcId: string,
  f: { participants: string; purpose: string; working_arrangements: string; adopted_on: string },
): Promise<number> {
  return database.db.transaction().execute(async (trx) => {
    const version = await store.insertFramework(trx, { livc_id: livcId, ...f });
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.framework.add", { type: "livc_framework", id: String(version), livcId });
    return version;
  });
}

export async function addObstacle(
  database: Database,
  who: AuditWho,
  o: { nis: string; recorded_on: string; reason: ObstacleReason; note: string },
): Promise<boolean> {
  const versions = (await municipalityVersions(database.db)).filter((v) => v.nis === o.nis);
  const day = laterDate(o.recorded_on, CALENDAR_START);
  if (!existsInPeriod({ joined_on: day, left_on: addDays(day, 1) }, versions)) throw new RegistryRuleError("unknown_nis", { nis: o.nis }, "nis");
  if (await store.obstacleExists(database.db, o)) return false;
  await database.db.transaction().execute(async (trx) => {
    await store.insertObstacle(trx, o);
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.obstacle.add", { type: "municipality_obstacle", id: o.nis });
  });
  return true;
}

/**
 * An administrator's decision for a merged municipality whose parts were not all in one LIVC:
 * join an LIVC (a membership from joinedOn, normally 2025-01-01) or no LIVC for now.
 */
export async function recordMergerDecision(
  database: Database,
  who: AuditWho,
  nis: string,
  d: { decision: "livc" | "none"; livcId: string | null; joinedOn: string; note: string },
): Promise<void> {
  const db = database.db;
  const { timeline } = await registerTimeline(db);
  if (!timeline.mergerCases().some((c) => c.version.nis === nis)) throw new RegistryRuleError("not_merger", { nis });
  let livc: store.LivcRow | undefined;
  if (d.decision === "livc") {
    livc = d.livcId ? await store.livcById(db, d.livcId) : undefined;
    if (!livc) throw new RegistryRuleError("unknown_livc", {}, "livc_id");
    await checkMembership(db, { ref: "decision", livcId: livc.id, livcCode: livc.code, livcName: livc.name, nis, joined_on: d.joinedOn, left_on: null });
  }
  await db.transaction().execute(async (trx) => {
    if (livc) await store.insertMembership(trx, { livc_id: livc.id, nis, joined_on: d.joinedOn, left_on: null });
    await store.saveDecision(trx, {
      nis,
      decision: d.decision,
      livc_id: livc?.id ?? null,
      joined_on: livc ? d.joinedOn : null,
      note: d.note,
      decided_by: who.actor?.userId ?? null,
    });
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.merger.decide", { type: "merger_decision", id: nis, livcId: livc?.id ?? null });
  });
}

export const mergerDecisionOf = (db: Kysely<DB>, nis: string) => store.decisionOf(db, nis);
