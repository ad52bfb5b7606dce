/**
 * Where the advice gets its facts about local participation. The advice logic (advice.ts) only
 * sees this narrow interface, so it is tested with a constructed source.
 *
 * The partners module supplies the participation data: organisations registered as working in a
 * municipality (present locally), organisations holding a seat in an LIVC (taking part) and the
 * consultations held. The LIVC register (registry service) says which LIVC covers a municipality
 * and gives its readiness checklist.
 */
import type { AppContext } from "../../platform/context";
import { addDays } from "../../platform/db/values";
import { isSector, type Sector } from "../identity/sectors";
import { consultationsOf, findOrganisations, memberOrganisationsOn, organisationMunicipalities, organisations } from "../partners/service";
import { livcDetail, registerTimeline } from "../registry/service";

export interface LocalGovernment {
  nis: string;
  name: string;
  province: string;
  /** The LIVC covering the municipality on the date (own or inter-municipal), if any. */
  livcId: string | null;
  livcName: string | null;
}

/** Facts about how active a local government's LIVC is: counts of events, never a score of people. */
export interface Activity {
  hasLivc: boolean;
  /** Case consultations held in the 12 months up to the date. */
  consultations: number;
  partnerSectors: number;
  readinessDone: number;
  readinessTotal: number;
}

export interface ParticipationSource {
  localGovernmentsOn(date: string): Promise<LocalGovernment[]>;
  /** Sectors of organisations registered as working in the municipality. */
  sectorsPresentIn(nis: string, date: string): Promise<Sector[]>;
  /** Sectors of the organisations that are partners of the LIVC on the date. */
  sectorsTakingPartIn(livcId: string, date: string): Promise<Sector[]>;
  activityOf(nis: string, date: string): Promise<Activity>;
}

export function platformParticipationSource(ctx: AppContext): ParticipationSource {
  const db = ctx.database.db;
  const readinessCache = new Map<string, Promise<{ done: number; total: number }>>();
  let governments: { date: string; list: Promise<LocalGovernment[]> } | null = null;
  // One read of the organisation directory per source (a source lives for one report or request), made
  // on first use: a source whose caller never needs it (advice served from its cache) starts no reads that
  // could outlive the request (and the database, in tests: an unhandled rejection once it closed).
  let directoryRead: Promise<{ sectorOf: Map<string, Sector>; byNis: Map<string, Set<Sector>> }> | null = null;
  const directory = () => (directoryRead ??= readDirectory());
  const readDirectory = async () => {
    const orgs = await organisations(ctx);
    const sectorOf = new Map<string, Sector>();
    const byNis = new Map<string, Set<Sector>>();
    for (const o of orgs) {
      if (!isSector(o.sector)) continue;
      sectorOf.set(o.id, o.sector);
      for (const nis of await organisationMunicipalities(ctx, o.id)) {
        if (!byNis.has(nis)) byNis.set(nis, new Set());
        byNis.get(nis)!.add(o.sector);
      }
    }
    return { sectorOf, byNis };
  };

  const sectorsTakingPartIn = async (livcId: string, date: string): Promise<Sector[]> => {
    const { sectorOf } = await directory();
    const ids = await memberOrganisationsOn(ctx, livcId, date);
    return [...new Set(ids.map((id) => sectorOf.get(id)).filter((s): s is Sector => s !== undefined))].sort();
  };

  const localGovernmentsOn = (date: string) => {
    if (governments?.date !== date) {
      governments = {
        date,
        list: registerTimeline(db).then(({ timeline }) => {
          const coverage = timeline.coverageOn(date);
          return coverage.municipalities.map((m) => ({
            nis: m.nis,
            name: m.name,
            province: m.province,
            livcId: m.livcId,
            livcName: m.livcId ? (timeline.livcs.get(m.livcId)?.name ?? null) : null,
          }));
        }),
      };
    }
    return governments.list;
  };

  return {
    localGovernmentsOn,
    async sectorsPresentIn(nis) {
      return [...((await directory()).byNis.get(nis) ?? [])].sort();
    },
    sectorsTakingPartIn,
    async activityOf(nis, date) {
      const gov = (await localGovernmentsOn(date)).find((g) => g.nis === nis);
      if (!gov?.livcId) return { hasLivc: false, consultations: 0, partnerSectors: 0, readinessDone: 0, readinessTotal: 0 };
      const livcId = gov.livcId;
      if (!readinessCache.has(livcId)) {
        readinessCache.set(
          livcId,
          livcDetail(db, livcId, date).then((d) => ({ done: d ? d.readiness.filter((r) => r.done).length : 0, total: d ? d.readiness.length : 0 })),
        );
      }
      const r = await readinessCache.get(livcId)!;
      const held = (await consultationsOf(ctx, livcId, addDays(date, -365), date)).filter((c) => c.status === "held").length;
      return { hasLivc: true, consultations: held, partnerSectors: (await sectorsTakingPartIn(livcId, date)).length, readinessDone: r.done, readinessTotal: r.total };
    },
  };
}

/** Most organisations a search on the link form offers. */
export const LINK_ORGANISATION_LIMIT = 50;

/**
 * Organisations to offer on the link form (issue 9: all 3,000 in one dropdown made a 91 KB page):
 * those whose name contains the search text, at most LINK_ORGANISATION_LIMIT, plus the one chosen.
 */
export async function organisationsForLinks(ctx: AppContext, search: string, chosen: string | undefined): Promise<{ id: string; name: string; sector: Sector }[]> {
  const found = await findOrganisations(ctx, search, LINK_ORGANISATION_LIMIT, chosen ? [chosen] : []);
  return found.flatMap((o) => (isSector(o.sector) ? [{ id: o.id, name: o.name, sector: o.sector }] : []));
}

/** Organisations to address a survey link to (the partners module's directory). */
export async function listOrganisations(ctx: AppContext): Promise<{ id: string; name: string; sector: Sector }[]> {
  return (await organisations(ctx)).filter((o) => isSector(o.sector)).map((o) => ({ id: o.id, name: o.name, sector: o.sector as Sector }));
}
