/**
 * Where the advice gets its facts about local participation. The advice logic (advice.ts) only
 * sees this narrow interface, so it is tested with a constructed source.
 *
 * The partners module (issue 5: organisations per municipality, LIVC partner memberships,
 * attendance) will supply the participation data. Until it exists, the platform source below
 * reads what the platform has: the LIVC register (registry service: which LIVC covers a
 * municipality, its readiness checklist) and the identity tables (organisations and their
 * sector, LIVC memberships that name an organisation). Organisations are not yet registered per
 * municipality, so "sectors present locally" is empty and the report says so.
 */
import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { isSector, type Sector } from "../identity/sectors";
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
  /** Case consultations held in the last 12 months (null: not recorded on the platform). */
  consultations: number | null;
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
  /** Whether sectorsPresentIn has real data (false until the partners module supplies it). */
  readonly hasLocalOrganisations: boolean;
}

export function platformParticipationSource(db: Kysely<DB>): ParticipationSource {
  const sectorCache = new Map<string, Promise<Sector[]>>();
  const readinessCache = new Map<string, Promise<{ done: number; total: number }>>();
  let governments: { date: string; list: Promise<LocalGovernment[]> } | null = null;

  const sectorsTakingPartIn = (livcId: string, date: string) => {
    const key = `${livcId}@${date}`;
    if (!sectorCache.has(key)) {
      sectorCache.set(
        key,
        db
          .selectFrom("membership")
          .innerJoin("organisation", "organisation.id", "membership.organisation_id")
          .select("organisation.sector")
          .distinct()
          .where("membership.livc_id", "=", livcId)
          .where("membership.valid_from", "<=", date)
          .where((eb) => eb.or([eb("membership.valid_to", "is", null), eb("membership.valid_to", ">", date)]))
          .execute()
          .then((rows) => rows.map((r) => r.sector).filter(isSector).sort()),
      );
    }
    return sectorCache.get(key)!;
  };

  const localGovernmentsOn = (date: string) => {
    if (governments?.date !== date) {
      governments = {
        date,
        list: registerTimeline(db).then(({ timeline }) => {
          const coverage = timeline.coverageOn(date);
          const livcNames = new Map(timeline.data.livcs.map((l) => [l.id, l.name]));
          return coverage.municipalities.map((m) => ({
            nis: m.nis,
            name: m.name,
            province: m.province,
            livcId: m.livcId,
            livcName: m.livcId ? (livcNames.get(m.livcId) ?? null) : null,
          }));
        }),
      };
    }
    return governments.list;
  };

  return {
    hasLocalOrganisations: false,
    localGovernmentsOn,
    sectorsPresentIn: async () => [],
    sectorsTakingPartIn,
    async activityOf(nis, date) {
      const gov = (await localGovernmentsOn(date)).find((g) => g.nis === nis);
      if (!gov?.livcId) return { hasLivc: false, consultations: null, partnerSectors: 0, readinessDone: 0, readinessTotal: 0 };
      const livcId = gov.livcId;
      if (!readinessCache.has(livcId)) {
        readinessCache.set(
          livcId,
          livcDetail(db, livcId, date).then((d) => ({ done: d ? d.readiness.filter((r) => r.done).length : 0, total: d ? d.readiness.length : 0 })),
        );
      }
      const r = await readinessCache.get(livcId)!;
      return { hasLivc: true, consultations: null, partnerSectors: (await sectorsTakingPartIn(livcId, date)).length, readinessDone: r.done, readinessTotal: r.total };
    },
  };
}

/** Organisations to address a survey link to (identity's organisation table, read-only). */
export const listOrganisations = (db: Kysely<DB>) => db.selectFrom("organisation").select(["id", "name", "sector"]).orderBy("name").execute();
export const organisationById = (db: Kysely<DB>, id: string) =>
  db.selectFrom("organisation").select(["id", "name", "sector"]).where("id", "=", id).executeTakeFirst();
