/**
 * The second round: advice per local government. Pure logic over a ParticipationSource and the
 * survey's objections per sector, so it is tested with constructed facts.
 *
 * Ordering ranks municipalities (public bodies), never people: least active first, by facts in
 * this order: no LIVC before an LIVC, fewer consultations, fewer partner sectors, fewer readiness
 * items done; then by name. No score is computed: each fact is compared in turn.
 */
import type { Sector } from "../identity/sectors";
import { OBJECTIONS, type Objection } from "./objections";
import type { Activity, LocalGovernment, ParticipationSource } from "./participation";
import { extend } from "../../platform/objects";

export interface MissingSector { sector: Sector; objections: { objection: Objection; organisations: number }[] }

export interface Advice {
  government: LocalGovernment;
  activity: Activity;
  /** 1 = least active. */
  position: number;
  present: Sector[];
  takingPart: Sector[];
  missing: MissingSector[];
  /** Objections named by the missing sectors, in taxonomy order: one talking point each. */
  talkingPoints: Objection[];
}

export type SectorObjections = Map<Sector, { objection: Objection; organisations: number }[]>;

export function compareActivity(a: { activity: Activity; name: string }, b: { activity: Activity; name: string }): number {
  return (
    Number(a.activity.hasLivc) - Number(b.activity.hasLivc) ||
    a.activity.consultations - b.activity.consultations ||
    a.activity.partnerSectors - b.activity.partnerSectors ||
    a.activity.readinessDone - b.activity.readinessDone ||
    a.name.localeCompare(b.name, "nl")
  );
}

async function adviceFor(source: ParticipationSource, gov: LocalGovernment, objections: SectorObjections, date: string): Promise<Omit<Advice, "position">> {
  const [present, takingPart, activity] = await Promise.all([
    source.sectorsPresentIn(gov.nis, date),
    gov.livcId ? source.sectorsTakingPartIn(gov.livcId, date) : Promise.resolve([] as Sector[]),
    source.activityOf(gov.nis, date),
  ]);
  const joined = new Set(takingPart);
  const missing = [...new Set(present)]
    .filter((s) => !joined.has(s))
    .sort()
    .map((sector) => ({ sector, objections: objections.get(sector) ?? [] }));
  const named = new Set(missing.flatMap((m) => m.objections.map((o) => o.objection)));
  return { government: gov, activity, present: [...new Set(present)].sort(), takingPart: [...joined].sort(), missing, talkingPoints: OBJECTIONS.filter((o) => named.has(o)) };
}

/** Advice for every local government on the date, least active first. */
export async function adviceForAll(source: ParticipationSource, objections: SectorObjections, date: string): Promise<Advice[]> {
  const govs = await source.localGovernmentsOn(date);
  const all: Omit<Advice, "position">[] = [];
  for (const g of govs) all.push(await adviceFor(source, g, objections, date));
  return all
    .sort((a, b) => compareActivity({ activity: a.activity, name: a.government.name }, { activity: b.activity, name: b.government.name }))
    .map((a, i) => extend(a, { position: i + 1 }));
}

export async function adviceForOne(source: ParticipationSource, objections: SectorObjections, nis: string, date: string): Promise<{ advice: Advice; of: number } | null> {
  const all = await adviceForAll(source, objections, date);
  const advice = all.find((a) => a.government.nis === nis);
  return advice ? { advice, of: all.length } : null;
}

/**
 * Advice for one LIVC: the sectors present in any of its municipalities that are not partners of
 * the LIVC. Activity is the LIVC's own (the same for each member municipality).
 */
export async function adviceForLivc(source: ParticipationSource, objections: SectorObjections, livcId: string, date: string) {
  const members = (await source.localGovernmentsOn(date)).filter((g) => g.livcId === livcId);
  if (members.length === 0) return null;
  const present = new Set<Sector>();
  for (const m of members) for (const s of await source.sectorsPresentIn(m.nis, date)) present.add(s);
  const takingPart = new Set(await source.sectorsTakingPartIn(livcId, date));
  const missing = [...present].filter((s) => !takingPart.has(s)).sort().map((sector) => ({ sector, objections: objections.get(sector) ?? [] }));
  const named = new Set(missing.flatMap((m) => m.objections.map((o) => o.objection)));
  return { livcId, livcName: members[0].livcName, members, missing, talkingPoints: OBJECTIONS.filter((o) => named.has(o)) };
}
