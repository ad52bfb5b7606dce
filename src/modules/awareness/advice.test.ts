import { describe, expect, it } from "vitest";
import type { Sector } from "../identity/sectors";
import { adviceForAll, adviceForLivc, adviceForOne, type SectorObjections } from "./advice";
import type { Activity, LocalGovernment, ParticipationSource } from "./participation";

/** A constructed town with known facts: the advice must follow them exactly. */
function source(facts: { gov: LocalGovernment; present: Sector[]; livcSectors?: Sector[]; activity: Activity }[]): ParticipationSource {
  return {
    localGovernmentsOn: async () => facts.map((f) => f.gov),
    sectorsPresentIn: async (nis) => facts.find((f) => f.gov.nis === nis)?.present ?? [],
    sectorsTakingPartIn: async (livcId) => facts.find((f) => f.gov.livcId === livcId)?.livcSectors ?? [],
    activityOf: async (nis) => facts.find((f) => f.gov.nis === nis)!.activity,
  };
}
const gov = (nis: string, name: string, livcId: string | null): LocalGovernment => ({ nis, name, province: "Limburg", livcId, livcName: livcId ? `LIVC ${name}` : null });
const act = (hasLivc: boolean, consultations: number, partnerSectors: number, readinessDone: number): Activity => ({
  hasLivc,
  consultations,
  partnerSectors,
  readinessDone,
  readinessTotal: 6,
});

const objections: SectorObjections = new Map([
  ["clb", [{ objection: "professional_secrecy", organisations: 7 }, { objection: "trust_in_police", organisations: 2 }]],
  ["youth_work", [{ objection: "unclear_role", organisations: 5 }]],
  ["caw", [{ objection: "professional_secrecy", organisations: 3 }, { objection: "workload_capacity", organisations: 1 }]],
  ["school_secondary", [{ objection: "legal_uncertainty", organisations: 9 }]],
]);

describe("advice per municipality", () => {
  const town = {
    gov: gov("99001", "Proefdorp", "livc-1"),
    present: ["clb", "youth_work", "caw", "local_police", "school_primary"] as Sector[],
    livcSectors: ["local_police", "caw"] as Sector[],
    activity: act(true, 2, 2, 4),
  };

  it("names exactly the sectors present but not taking part, with the objections they reported", async () => {
    const found = await adviceForOne(source([town]), objections, "99001", "2025-06-01");
    const advice = found!.advice;
    expect(advice.missing).toEqual([
      { sector: "clb", objections: [{ objection: "professional_secrecy", organisations: 7 }, { objection: "trust_in_police", organisations: 2 }] },
      { sector: "school_primary", objections: [] },
      { sector: "youth_work", objections: [{ objection: "unclear_role", organisations: 5 }] },
    ]);
    // caw takes part, so its objections (workload) do not appear; school_secondary is not present.
    expect(advice.talkingPoints).toEqual(["professional_secrecy", "trust_in_police", "unclear_role"]);
  });

  it("treats every present sector as missing where there is no LIVC", async () => {
    const noLivc = { gov: gov("99002", "Zonderdorp", null), present: ["caw"] as Sector[], activity: act(false, 0, 0, 0) };
    const advice = (await adviceForOne(source([noLivc]), objections, "99002", "2025-06-01"))!.advice;
    expect(advice.missing.map((m) => m.sector)).toEqual(["caw"]);
    expect(advice.talkingPoints).toEqual(["professional_secrecy", "workload_capacity"]);
  });

  it("orders the least active local governments first: no LIVC, then fewer consultations, partner sectors, readiness", async () => {
    const all = await adviceForAll(
      source([
        { gov: gov("1", "Actiefstad", "a"), present: [], activity: act(true, 10, 6, 6) },
        { gov: gov("2", "Geenlivc", null), present: [], activity: act(false, 0, 0, 0) },
        { gov: gov("3", "Weinigoverleg", "c"), present: [], activity: act(true, 1, 5, 6) },
        { gov: gov("4", "Weinigpartners", "d"), present: [], activity: act(true, 10, 1, 6) },
        { gov: gov("5", "Halfklaar", "e"), present: [], activity: act(true, 10, 1, 2) },
        { gov: gov("6", "Aageenlivc", null), present: [], activity: act(false, 0, 0, 0) },
      ]),
      objections,
      "2025-06-01",
    );
    expect(all.map((a) => a.government.name)).toEqual(["Aageenlivc", "Geenlivc", "Weinigoverleg", "Halfklaar", "Weinigpartners", "Actiefstad"]);
    expect(all.map((a) => a.position)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("gives an LIVC the sectors present in any member municipality that are not its partners", async () => {
    const a = { gov: gov("10", "Eerste", "livc-x"), present: ["clb", "caw"] as Sector[], livcSectors: ["caw"] as Sector[], activity: act(true, 1, 1, 1) };
    const b = { gov: gov("11", "Tweede", "livc-x"), present: ["youth_work"] as Sector[], livcSectors: ["caw"] as Sector[], activity: act(true, 1, 1, 1) };
    const advice = await adviceForLivc(source([a, b]), objections, "livc-x", "2025-06-01");
    expect(advice!.missing.map((m) => m.sector)).toEqual(["clb", "youth_work"]);
    expect(advice!.members.map((m) => m.nis)).toEqual(["10", "11"]);
  });
});
