/**
 * Issue 9: the optimised analyseParticipation and its narrower loader give the same figures as the
 * algorithm and loader before the rewrite (analysis-reference.ts, and the old "read everything"
 * loader rebuilt below from the store's full reads), on random data sets in memory and in the
 * database on both dialects.
 */
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { addDays } from "../../platform/db/values";
import { SECTOR_KEYS } from "../identity/sectors";
import { registerTimeline } from "../registry/service";
import { type AnalysisInput, analyseParticipation, periodStart } from "./analysis";
import { referenceAnalysis } from "./analysis-reference";
import { participationReport } from "./report";
import * as store from "./store";
import { makeLivc, makeOrg } from "./testkit";

/** mulberry32: a small seeded PRNG, so a failing data set can be rebuilt from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const chance = (p: number) => next() < p;
  return { int, pick, chance };
}

const START = "2022-01-01";
const day = (n: number) => addDays(START, n);
const STATUSES = ["pending", "accepted", "declined", "expired", "withdrawn"] as const;
const REASONS = ["professional_secrecy", "trust", "not_relevant", "no_capacity", "other", "bogus", null] as const;

/** A random input with the awkward cases: unknown sectors and organisations, seats without an organisation, duplicates. */
function randomInput(seed: number, date: string): AnalysisInput {
  const r = prng(seed);
  const nis = Array.from({ length: 12 }, (_, i) => `N${i}`);
  const livcs = Array.from({ length: r.int(1, 9) }, (_, i) => ({ id: `L${i}`, code: `C${r.int(0, 99)}-${i}`, name: `LIVC ${i}`, nis: nis.filter(() => r.chance(0.25)) }));
  const organisations = Array.from({ length: r.int(5, 40) }, (_, i) => ({ id: `O${i}`, sector: r.chance(0.05) ? "no_such_sector" : r.pick(SECTOR_KEYS) }));
  const orgIds = [...organisations.map((o) => o.id), "O-unknown"];
  const livcIds = [...livcs.map((l) => l.id), "L-not-active"];
  const seats = Array.from({ length: r.int(0, 60) }, () => {
    const from = r.int(0, 1500);
    return { livc_id: r.pick(livcIds), organisation_id: r.chance(0.1) ? null : r.pick(orgIds), from_on: day(from), to_on: r.chance(0.5) ? null : day(from + r.int(0, 600)) };
  });
  const invitations = Array.from({ length: r.int(0, 120) }, () => {
    const sent = r.int(0, 1500);
    const status = r.pick(STATUSES);
    const responded = status === "pending" || (status === "expired" && r.chance(0.7)) ? null : day(sent + r.int(0, 30));
    return {
      livc_id: r.pick(livcIds),
      organisation_id: r.pick(orgIds),
      sent_on: day(sent),
      expires_on: day(sent + r.int(0, 28)),
      status,
      responded_on: responded,
      decline_reason: status === "declined" ? r.pick(REASONS) : null,
    };
  });
  const consultations = Array.from({ length: r.int(0, 80) }, (_, i) => ({ id: `K${i}`, livc_id: r.pick(livcIds), held_on: day(r.int(0, 1500)) }));
  const attendance = consultations.flatMap((c) =>
    Array.from({ length: r.int(0, 6) }, () => ({ consultation_id: c.id, organisation_id: r.pick(orgIds), attended: r.chance(0.5) ? (r.chance(0.5) ? 1 : true) : r.chance(0.5) ? 0 : false })),
  );
  const organisationMunicipalities = organisations.flatMap((o) => nis.filter(() => r.chance(0.15)).map((n) => ({ organisation_id: o.id, nis: n })));
  return { date, livcs, organisations, seats, invitations, consultations, attendance, organisationMunicipalities };
}

it("gives the same figures as the earlier algorithm on 300 random inputs", () => {
  let nonTrivial = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const date = day(prng(seed * 7).int(200, 1600));
    const input = randomInput(seed, date);
    const expected = referenceAnalysis(input);
    expect(analyseParticipation(input), `seed ${seed}`).toEqual(expected);
    if (expected.by_livc.some((row) => row.attendance_rate !== null && row.invitations.sent > 0)) nonTrivial++;
  }
  // The data sets exercise attendance and invitations, not only empty LIVCs.
  expect(nonTrivial).toBeGreaterThan(100);
});

/**
 * The loader before issue 9: every organisation, seat and invitation; all attendance lines of the period.
 * Structural invitations only (decision 0052: one-case consultation invitations stay out of the figures).
 */
async function referenceLoad(db: Parameters<typeof participationReport>[0], date: string): Promise<AnalysisInput> {
  const { timeline } = await registerTimeline(db);
  const livcs = [...timeline.coverageOn(date).livcMembers.entries()].map(([id, nis]) => {
    const ref = timeline.livcs.get(id);
    return { id, code: ref?.code ?? id, name: ref?.name ?? id, nis };
  });
  return {
    date,
    livcs,
    organisations: await store.allOrganisations(db),
    seats: await store.allPartners(db),
    invitations: (await store.allInvitations(db)).filter((i) => i.kind === "structural"),
    consultations: await store.heldConsultationsBetween(db, periodStart(date), date),
    attendance: await store.attendanceBetween(db, periodStart(date), date),
    organisationMunicipalities: await store.allOrganisationMunicipalities(db),
  };
}

describeEachDialect("Participation figures from the database equal the earlier loader and algorithm", (ctx) => {
  const DATES = ["2022-06-30", "2023-03-01", "2023-12-31", "2024-02-29", "2024-09-15", "2025-06-30", "2026-01-01"];

  it("on a random data set of 6 LIVCs, 30 organisations and ~1,000 rows", async () => {
    const r = prng(2026);
    const nis = ["12025", "44021", "24062", "31005", "71016", "73022"];
    const livcs: string[] = [];
    for (const [i, n] of nis.entries()) livcs.push(await makeLivc(ctx(), `LIVC Eq ${i}`, [n], i === 5 ? "2023-06-01" : "2019-01-01"));
    const orgs: string[] = [];
    for (let i = 0; i < 30; i++) orgs.push(await makeOrg(ctx(), `Org Eq ${i}`, r.pick(SECTOR_KEYS)));
    const db = ctx().database.db;
    await db.transaction().execute(async (trx) => {
      for (const o of orgs) await store.setOrganisationMunicipalities(trx, o, nis.filter(() => r.chance(0.3)));
      for (let i = 0; i < 60; i++) {
        const from = r.int(0, 1400);
        await store.insertPartner(trx, {
          livc_id: r.pick(livcs),
          seat: r.pick(["partner", "partner", "information_officer", "chair"] as const),
          organisation_id: r.chance(0.1) ? null : r.pick(orgs),
          user_id: null,
          from_on: day(from),
          to_on: r.chance(0.5) ? null : day(from + r.int(0, 500)),
        });
      }
      for (let i = 0; i < 150; i++) {
        const sent = r.int(0, 1500);
        const id = await store.insertInvitation(trx, {
          livc_id: r.pick(livcs),
          organisation_id: r.pick(orgs),
          kind: r.pick(["structural", "consultation"] as const),
          consultation_id: null,
          case_ref: null,
          invited_by: null,
          sent_on: day(sent),
          expires_on: day(sent + 14),
        });
        const status = r.pick(STATUSES);
        if (status === "pending") continue;
        const responded = status === "expired" ? null : day(sent + r.int(0, 20));
        const reason = status === "declined" ? r.pick(["professional_secrecy", "trust", "not_relevant", "no_capacity", "other"] as const) : null;
        await store.closeInvitation(trx, id, { status, responded_on: responded, responded_by: null, decline_reason: reason });
      }
      for (let i = 0; i < 160; i++) {
        const c = await store.insertConsultation(trx, { livc_id: r.pick(livcs), held_on: day(r.int(0, 1500)), status: r.pick(["held", "held", "held", "planned", "cancelled"] as const) });
        for (const o of orgs.filter(() => r.chance(0.15))) {
          await store.upsertAttendance(trx, { consultation_id: c, user_id: null, organisation_id: o, sector: "other", attended: r.chance(0.6) });
        }
      }
    });
    let compared = 0;
    for (const date of DATES) {
      const expected = referenceAnalysis(await referenceLoad(db, date));
      expect(await participationReport(db, date), date).toEqual(expected);
      if (expected.by_sector.some((s) => s.attendance_expected > 0) && expected.by_sector.some((s) => s.invitations.sent > 0)) compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
