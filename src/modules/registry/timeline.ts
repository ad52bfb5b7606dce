/**
 * The register's rules over time, as pure functions over rows loaded once (no database here).
 *
 * - A membership row is stored as given. It belongs to the version of its municipality that
 *   exists in its period (the register's calendar starts 2019-01-01, so an earlier joined_on counts
 *   from then) and is clipped to that version: a municipality dissolved on 2025-01-01 stops being a
 *   member then, whatever left_on says.
 * - A municipality formed on 2025-01-01 continues the LIVC of its parts when all parts were in the
 *   same LIVC on 2024-12-31; otherwise it is not guessed: without an LIVC and listed under
 *   needs_decision until an administrator records a merger decision.
 * - An LIVC covers its members only while its life status is neither "being set up" nor "dissolved"
 *   (no status recorded = established: imported LIVCs have none).
 * - An obstacle belongs to the version of its municipality in force on the day it was recorded. A
 *   municipality formed on 2025-01-01 shows the obstacles of its parts, marked with the former
 *   municipality (name + code), and counts each category once, flagged as inherited when only a
 *   part recorded it (decision 0033). An ended obstacle counts until the day before its ended_on
 *   (decision 0044).
 */
import type { LifeStatus, ObstacleReason } from "./migrations";
import { extend } from "../../platform/objects";

export const CALENDAR_START = "2019-01-01";
export const MERGER_DAY = "2025-01-01";
export const LAST_DAY_BEFORE_MERGER = "2024-12-31";

export interface MunicipalityVersion {
  nis: string;
  name: string;
  province: string;
  /** Police zone before 2025 (for a version that starts in 2025: its zone). */
  policeZone: string | null;
  /** Police zone from 2025-01-01 (zones were redrawn with the mergers). */
  policeZoneFrom2025: string | null;
  validFrom: string;
  /** Last day it exists (inclusive), null = still exists. */
  validTo: string | null;
  /** For a municipality formed on 2025-01-01: the NIS codes of its parts (dissolved on 2024-12-31). */
  parts: string[];
}

export interface MembershipRow {
  id: string;
  livc_id: string;
  nis: string;
  joined_on: string;
  left_on: string | null;
}
export interface StatusRow { livc_id: string; status: LifeStatus; from_on: string }
export interface DecisionRow { nis: string; decision: "livc" | "none"; livc_id: string | null }
/** ended_on: the first day the obstacle no longer applies (absent or null: it still applies). */
export interface ObstacleRow { nis: string; recorded_on: string; reason: ObstacleReason; note: string; ended_on?: string | null }
/** An obstacle as shown for a municipality on a date; `formerly` = recorded for a part of a 2025 merger. */
export interface ObstacleOn extends ObstacleRow { formerly: { nis: string; name: string } | null }
/** A category counted once for a municipality; inherited = recorded only for its former parts. */
export interface ReasonOn { reason: ObstacleReason; inherited: boolean }
export interface LivcRef { id: string; code: string; name: string }

export interface RegisterData {
  versions: MunicipalityVersion[];
  livcs: LivcRef[];
  memberships: MembershipRow[];
  statuses: StatusRow[];
  decisions: DecisionRow[];
  obstacles: ObstacleRow[];
}

/** A half-open period [from, to); to null = open. */
export interface Period { from: string; to: string | null }

export type CoverageState = "own" | "inter" | "none" | "needs_decision";

export interface MunicipalityCoverage {
  nis: string;
  name: string;
  province: string;
  policeZone: string | null;
  state: CoverageState;
  livcId: string | null;
}

export interface CoverageOn {
  date: string;
  set: "2019" | "2025";
  municipalities: MunicipalityCoverage[];
  /** Active LIVCs on the date with their covered members (NIS codes). */
  livcMembers: Map<string, string[]>;
}

const dayAfter = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

/** The later of two YYYY-MM-DD dates. */
export const laterDate = (a: string, b: string) => [a, b].sort()[1];
const maxDate = laterDate;
const minEnd = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);
export const covers = (p: Period, date: string) => p.from <= date && (p.to === null || date < p.to);
export const overlaps = (a: Period, b: Period) => (b.to === null || a.from < b.to) && (a.to === null || b.from < a.to);

export const versionKey = (v: Pick<MunicipalityVersion, "nis" | "validFrom">) => `${v.nis}@${v.validFrom}`;

/**
 * Where a membership row really counts: the first version of its municipality that exists in the
 * row's period, clipped to that version. Null when the NIS code exists on no day of the period.
 */
export function effectivePeriod(
  row: { joined_on: string; left_on: string | null },
  versions: readonly MunicipalityVersion[],
): (Period & { version: MunicipalityVersion }) | null {
  const from = maxDate(row.joined_on, CALENDAR_START);
  if (row.left_on !== null && row.left_on <= from) return null;
  for (const v of versions) {
    const vEnd = v.validTo === null ? null : dayAfter(v.validTo);
    const p = { from: maxDate(from, v.validFrom), to: minEnd(row.left_on, vEnd) };
    if (p.to === null || p.from < p.to) return extend(p, { version: v });
  }
  return null;
}

type Resolution = { kind: "continue"; livcId: string; until: string | null } | { kind: "needs_decision" } | { kind: "none" };

export class RegisterTimeline {
  readonly versionsByNis = new Map<string, MunicipalityVersion[]>();
  /** Effective explicit memberships per municipality version, sorted by start. */
  private readonly periodsByVersion = new Map<string, (Period & { livcId: string; rowId: string })[]>();
  private readonly statusesByLivc = new Map<string, StatusRow[]>();
  private readonly decided = new Map<string, DecisionRow>();
  private readonly resolutions = new Map<string, Resolution>();
  private readonly obstaclesByNis = new Map<string, ObstacleRow[]>();
  readonly livcs: Map<string, LivcRef>;

  constructor(readonly data: RegisterData) {
    this.livcs = new Map(data.livcs.map((l) => [l.id, l]));
    for (const v of data.versions) {
      const list = this.versionsByNis.get(v.nis) ?? [];
      list.push(v);
      this.versionsByNis.set(v.nis, list);
    }
    for (const list of this.versionsByNis.values()) list.sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    for (const m of data.memberships) {
      const p = effectivePeriod(m, this.versionsByNis.get(m.nis) ?? []);
      if (!p) continue;
      const key = versionKey(p.version);
      const list = this.periodsByVersion.get(key) ?? [];
      list.push({ from: p.from, to: p.to, livcId: m.livc_id, rowId: m.id });
      this.periodsByVersion.set(key, list);
    }
    for (const list of this.periodsByVersion.values()) list.sort((a, b) => a.from.localeCompare(b.from));
    for (const s of data.statuses) {
      const list = this.statusesByLivc.get(s.livc_id) ?? [];
      list.push(s);
      this.statusesByLivc.set(s.livc_id, list);
    }
    for (const list of this.statusesByLivc.values()) list.sort((a, b) => a.from_on.localeCompare(b.from_on));
    for (const d of data.decisions) this.decided.set(d.nis, d);
    for (const o of data.obstacles) {
      const list = this.obstaclesByNis.get(o.nis) ?? [];
      list.push(o);
      this.obstaclesByNis.set(o.nis, list);
    }
    for (const v of data.versions) if (v.parts.length > 0) this.resolutions.set(versionKey(v), this.resolveMerger(v));
  }

  versionOn(nis: string, date: string): MunicipalityVersion | undefined {
    return this.versionsByNis.get(nis)?.find((v) => v.validFrom <= date && (v.validTo === null || date <= v.validTo));
  }

  versionsOn(date: string): MunicipalityVersion[] {
    return this.data.versions.filter((v) => v.validFrom <= date && (v.validTo === null || date <= v.validTo));
  }

  /** The LIVC a version's explicit membership rows put it in on a date (ignores life status). */
  explicitLivcOn(v: MunicipalityVersion, date: string): string | null {
    const list = this.periodsByVersion.get(versionKey(v));
    if (!list) return null;
    for (const p of list) if (covers(p, date)) return p.livcId;
    return null;
  }

  /** Effective explicit periods of a version (for overlap checks and the LIVC page). */
  periodsOf(v: MunicipalityVersion) {
    return this.periodsByVersion.get(versionKey(v)) ?? [];
  }

  private resolveMerger(v: MunicipalityVersion): Resolution {
    const parts = v.parts.map((nis) => this.versionOn(nis, LAST_DAY_BEFORE_MERGER)).filter((p): p is MunicipalityVersion => !!p);
    const livcOfParts = parts.map((p) => this.explicitLivcOn(p, LAST_DAY_BEFORE_MERGER));
    if (livcOfParts.every((l) => l === null)) return { kind: "none" };
    const first = livcOfParts[0];
    if (first === null || livcOfParts.some((l) => l !== first)) return { kind: "needs_decision" };
    // The continued membership ends when the first part's own row said it would end.
    let until: string | null = null;
    for (const nis of v.parts) {
      for (const m of this.data.memberships) {
        if (m.nis !== nis || m.livc_id !== first) continue;
        if (covers({ from: maxDate(m.joined_on, CALENDAR_START), to: m.left_on }, LAST_DAY_BEFORE_MERGER)) until = minEnd(until, m.left_on);
      }
    }
    if (until !== null && until <= MERGER_DAY) return { kind: "none" };
    return { kind: "continue", livcId: first, until };
  }

  /** Is this merged municipality waiting for an administrator's decision (any date)? */
  awaitsDecision(v: MunicipalityVersion): boolean {
    return this.resolutions.get(versionKey(v))?.kind === "needs_decision" && !this.decided.has(v.nis);
  }

  /** Merged municipalities whose parts were not all in the same LIVC, decided or not. */
  mergerCases(): { version: MunicipalityVersion; parts: { nis: string; name: string; livcId: string | null }[]; decision: DecisionRow | null }[] {
    const out = [];
    for (const v of this.data.versions) {
      if (this.resolutions.get(versionKey(v))?.kind !== "needs_decision") continue;
      const parts = v.parts.map((nis) => {
        const p = this.versionOn(nis, LAST_DAY_BEFORE_MERGER);
        return { nis, name: p?.name ?? nis, livcId: p ? this.explicitLivcOn(p, LAST_DAY_BEFORE_MERGER) : null };
      });
      out.push({ version: v, parts, decision: this.decided.get(v.nis) ?? null });
    }
    return out.sort((a, b) => a.version.nis.localeCompare(b.version.nis));
  }

  /** The LIVC a municipality version is a member of on a date (explicit rows, else merger continuation). */
  memberLivcOn(v: MunicipalityVersion, date: string): { livcId: string | null; awaiting: boolean } {
    const explicit = this.explicitLivcOn(v, date);
    if (explicit) return { livcId: explicit, awaiting: false };
    const r = this.resolutions.get(versionKey(v));
    if (!r || date < MERGER_DAY || this.decided.has(v.nis)) return { livcId: null, awaiting: false };
    if (r.kind === "needs_decision") return { livcId: null, awaiting: true };
    if (r.kind === "continue") {
      // An explicit row for the merged municipality is a later decision: continuation stops there.
      const firstExplicit = this.periodsOf(v)[0]?.from ?? null;
      if (covers({ from: MERGER_DAY, to: minEnd(r.until, firstExplicit) }, date)) return { livcId: r.livcId, awaiting: false };
    }
    return { livcId: null, awaiting: false };
  }

  statusOn(livcId: string, date: string): LifeStatus | null {
    let current: LifeStatus | null = null;
    for (const s of this.statusesByLivc.get(livcId) ?? []) {
      if (s.from_on <= date) current = s.status;
      else break;
    }
    return current;
  }

  isActiveOn(livcId: string, date: string): boolean {
    const s = this.statusOn(livcId, date);
    return s !== "being_set_up" && s !== "dissolved";
  }

  coverageOn(date: string): CoverageOn {
    const versions = this.versionsOn(date);
    const memberOf = new Map<string, { livcId: string | null; awaiting: boolean }>();
    const livcMembers = new Map<string, string[]>();
    for (const v of versions) {
      const m = this.memberLivcOn(v, date);
      const livcId = m.livcId && this.isActiveOn(m.livcId, date) ? m.livcId : null;
      memberOf.set(v.nis, { livcId, awaiting: m.awaiting });
      if (livcId) {
        const list = livcMembers.get(livcId) ?? [];
        list.push(v.nis);
        livcMembers.set(livcId, list);
      }
    }
    const municipalities = versions
      .map((v): MunicipalityCoverage => {
        const m = memberOf.get(v.nis)!;
        const state: CoverageState = m.livcId
          ? (livcMembers.get(m.livcId)?.length ?? 0) > 1
            ? "inter"
            : "own"
          : m.awaiting
            ? "needs_decision"
            : "none";
        const policeZone = date >= MERGER_DAY ? (v.policeZoneFrom2025 ?? v.policeZone) : v.policeZone;
        return { nis: v.nis, name: v.name, province: v.province, policeZone, state, livcId: m.livcId };
      })
      .sort((a, b) => a.nis.localeCompare(b.nis));
    return { date, set: date >= MERGER_DAY ? "2025" : "2019", municipalities, livcMembers };
  }

  /** The obstacles recorded for one municipality version (recorded before its first version: the first). */
  private obstaclesOfVersion(v: MunicipalityVersion): ObstacleRow[] {
    const first = this.versionsByNis.get(v.nis)?.[0] === v;
    return (this.obstaclesByNis.get(v.nis) ?? []).filter(
      (o) => (first || o.recorded_on >= v.validFrom) && (v.validTo === null || o.recorded_on <= v.validTo),
    );
  }

  /** Each reason once (its first recording on or before the date that has not ended by then), in recording order. */
  private static firstPerReason(rows: readonly ObstacleRow[], date: string): ObstacleRow[] {
    const seen = new Set<string>();
    const out: ObstacleRow[] = [];
    for (const o of [...rows].sort((a, b) => a.recorded_on.localeCompare(b.recorded_on))) {
      if (o.recorded_on > date || (o.ended_on && o.ended_on <= date) || seen.has(o.reason)) continue;
      seen.add(o.reason);
      out.push(o);
    }
    return out;
  }

  /**
   * The obstacles shown for a municipality on a date: its own (each reason once), then, for a
   * municipality formed on 2025-01-01, those of each former part (each reason once per part),
   * marked with the part's name and code.
   */
  obstaclesOn(nis: string, date: string): ObstacleOn[] {
    const v = this.versionOn(nis, date);
    if (!v) return [];
    const own = RegisterTimeline.firstPerReason(this.obstaclesOfVersion(v), date).map((o) => extend(o, { formerly: null }));
    const inherited: ObstacleOn[] = [];
    for (const partNis of v.parts) {
      const part = this.versionOn(partNis, LAST_DAY_BEFORE_MERGER);
      if (!part || part === v) continue;
      for (const o of RegisterTimeline.firstPerReason(this.obstaclesOfVersion(part), date)) inherited.push(extend(o, { formerly: { nis: part.nis, name: part.name } }));
    }
    inherited.sort((a, b) => a.recorded_on.localeCompare(b.recorded_on) || a.nis.localeCompare(b.nis));
    return [...own, ...inherited];
  }

  /** The obstacle categories a municipality counts on a date: each once, inherited when only a former part recorded it. */
  reasonsOn(nis: string, date: string): ReasonOn[] {
    const byReason = new Map<ObstacleReason, boolean>();
    for (const o of this.obstaclesOn(nis, date)) {
      const inherited = o.formerly !== null;
      byReason.set(o.reason, (byReason.get(o.reason) ?? true) && inherited);
    }
    return [...byReason].map(([reason, inherited]) => ({ reason, inherited }));
  }
}
