/**
 * Fictional partners on top of the registry's demo LIVCs: many LIVCs with only the police and the
 * municipality (chair, information officer, prevention official), some rich in partners, a few with
 * one social partner; declines with reasons, expired and pending invitations, a year of
 * consultations with attendance, and local services never invited. Deterministic on every install.
 */
import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";
import { audit } from "../../platform/audit";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { ensureDemoUser, ensureOrganisation } from "../identity/service";
import type { Sector } from "../identity/sectors";
import { livcByCode, registerTimeline } from "../registry/service";
import { periodStart } from "./analysis";
import { DECLINE_REASONS } from "./migrations";
import * as store from "./store";

function rand(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100000) / 100000;
}
const pick = <T>(list: readonly T[], seed: string) => list[Math.floor(rand(seed) * list.length)];

const RICH: readonly Sector[] = ["ocmw_social_service", "caw", "clb", "youth_work", "school_secondary", "integration_service", "justice_house", "neighbourhood_street_work", "mental_health_cgg"];
const ORG_NAME: Partial<Record<Sector, string>> = {
  local_police: "Lokale politie",
  prevention_service: "Preventiedienst",
  ocmw_social_service: "OCMW",
  caw: "CAW",
  clb: "CLB",
  youth_work: "Jeugdwerk",
  school_secondary: "Secundaire school",
  integration_service: "Integratiedienst",
  justice_house: "Justitiehuis",
  neighbourhood_street_work: "Straathoekwerk",
  mental_health_cgg: "CGG",
  child_family: "Huis van het Kind",
  sport_sociocultural: "Sportdienst",
};

export async function seedPartnersDemo(ctx: AppContext): Promise<DemoAccount[]> {
  const db = ctx.database.db;
  if ((await db.selectFrom("livc_partner").select("id").limit(1).execute()).length > 0) return [];
  const today = todayInBrussels();
  const { timeline } = await registerTimeline(db);
  const coverage = timeline.coverageOn(today);
  const gent = await livcByCode(db, "LIVC-44021");
  // Random choices are seeded by the LIVC's code (stable), never by its id (a new UUID on every install).
  const livcs = [...coverage.livcMembers.entries()].map(([id, nis]) => ({ id, nis, name: timeline.livcs.get(id)?.name ?? id, key: timeline.livcs.get(id)?.code ?? nis.join(",") }));
  const org = async (sector: Sector, place: string, nis: string[]) => {
    const id = await ensureOrganisation(ctx, { name: `${ORG_NAME[sector] ?? "Dienst"} ${place} (demo)`, sector });
    await store.setOrganisationMunicipalities(db, id, nis);
    return id;
  };

  let cawGent: string | null = null;
  const plan: { livcId: string; key: string; police: string; prevention: string; partners: { org: string; from: string; low: boolean }[]; declined: { org: string; on: string }[]; pending: string[]; expired: string[]; never: string[] }[] = [];
  for (const l of livcs) {
    const place = l.name.replace(/^(LIVC-R|LIVC|Intergemeentelijke LIVC)\s*/, "");
    const r = rand(`kind${l.key}`);
    const isGent = l.id === gent?.id;
    const partnersCount = isGent ? 6 : r < 0.12 ? 3 + Math.floor(rand(`n${l.key}`) * 5) : r < 0.3 ? 1 : 0;
    const entry = { livcId: l.id, key: l.key, police: await org("local_police", place, l.nis), prevention: await org("prevention_service", place, l.nis), partners: [] as { org: string; from: string; low: boolean }[], declined: [] as { org: string; on: string }[], pending: [] as string[], expired: [] as string[], never: [] as string[] };
    const sectors = [...RICH].sort((a, b) => rand(`${l.key}${a}`) - rand(`${l.key}${b}`));
    for (const s of sectors.slice(0, partnersCount)) {
      const id = await org(s, place, l.nis);
      if (isGent && s === "caw") cawGent = id;
      entry.partners.push({ org: id, from: addDays(today, -Math.floor(200 + rand(`f${l.key}${s}`) * 1200)), low: rand(`low${l.key}${s}`) < 0.25 });
    }
    const rest = sectors.slice(partnersCount);
    if (isGent && !cawGent) cawGent = await org("caw", place, l.nis);
    if (rand(`dec${l.key}`) < 0.4 && rest[0]) entry.declined.push({ org: await org(rest[0], place, l.nis), on: addDays(today, -Math.floor(20 + rand(`d${l.key}`) * 300)) });
    if (rand(`exp${l.key}`) < 0.12 && rest[1]) entry.expired.push(await org(rest[1], place, l.nis));
    if (rand(`pen${l.key}`) < 0.06 && rest[2]) entry.pending.push(await org(rest[2], place, l.nis));
    if (rand(`nev${l.key}`) < 0.5 && rest[3]) entry.never.push(await org(rest[3], place, l.nis));
    plan.push(entry);
  }

  await db.transaction().execute(async (trx) => {
    for (const p of plan) {
      await store.insertPartner(trx, { livc_id: p.livcId, seat: "chair", organisation_id: null, user_id: null, from_on: "2019-01-01", to_on: null });
      await store.insertPartner(trx, { livc_id: p.livcId, seat: "information_officer", organisation_id: p.police, user_id: null, from_on: "2019-01-01", to_on: null });
      await store.insertPartner(trx, { livc_id: p.livcId, seat: "prevention_official", organisation_id: p.prevention, user_id: null, from_on: "2019-01-01", to_on: null });
      for (const m of p.partners) {
        const sent = addDays(m.from, -10);
        const inv = await store.insertInvitation(trx, { livc_id: p.livcId, organisation_id: m.org, kind: "structural", consultation_id: null, case_ref: null, invited_by: null, sent_on: sent, expires_on: addDays(sent, 14) });
        await store.closeInvitation(trx, inv, { status: "accepted", responded_on: m.from, responded_by: null });
        await store.insertPartner(trx, { livc_id: p.livcId, seat: "partner", organisation_id: m.org, user_id: null, from_on: m.from, to_on: null, invitation_id: inv });
      }
      for (const d of p.declined) {
        const sent = addDays(d.on, -5);
        const inv = await store.insertInvitation(trx, { livc_id: p.livcId, organisation_id: d.org, kind: "structural", consultation_id: null, case_ref: null, invited_by: null, sent_on: sent, expires_on: addDays(sent, 14) });
        const reason = pick(DECLINE_REASONS, `r${p.key}${d.on}`);
        await store.closeInvitation(trx, inv, { status: "declined", responded_on: d.on, responded_by: null, decline_reason: reason, decline_note: reason === "other" ? "Andere prioriteiten dit werkjaar" : null });
      }
      for (const [i, o] of p.expired.entries()) {
        const sent = addDays(today, -Math.floor(40 + rand(`e${p.key}${i}`) * 200));
        const inv = await store.insertInvitation(trx, { livc_id: p.livcId, organisation_id: o, kind: "structural", consultation_id: null, case_ref: null, invited_by: null, sent_on: sent, expires_on: addDays(sent, 14) });
        await store.closeInvitation(trx, inv, { status: "expired", responded_on: null, responded_by: null });
      }
      for (const o of p.pending) {
        await store.insertInvitation(trx, { livc_id: p.livcId, organisation_id: o, kind: "structural", consultation_id: null, case_ref: null, invited_by: null, sent_on: addDays(today, -3), expires_on: addDays(today, 11) });
      }
      // A year of monthly consultations where partners sit at the table.
      if (p.partners.length === 0) continue;
      for (let m = 0; m < 12; m++) {
        const on = addDays(periodStart(today), 14 + m * 30);
        if (on >= today) break;
        const c = await store.insertConsultation(trx, { livc_id: p.livcId, held_on: on, status: rand(`cx${p.key}${m}`) < 0.08 ? "cancelled" : "held" });
        await store.upsertAttendance(trx, { consultation_id: c, user_id: null, organisation_id: p.police, sector: "local_police", attended: rand(`ap${p.key}${m}`) < 0.95 });
        await store.upsertAttendance(trx, { consultation_id: c, user_id: null, organisation_id: p.prevention, sector: "prevention_service", attended: rand(`av${p.key}${m}`) < 0.9 });
        for (const part of p.partners.filter((x) => x.from <= on)) {
          const sector = (await store.organisationById(trx, part.org))!.sector;
          await store.upsertAttendance(trx, { consultation_id: c, user_id: null, organisation_id: part.org, sector, attended: rand(`a${p.key}${m}${sector}`) < (part.low ? 0.3 : 0.8) });
        }
      }
    }
    await audit.recordFor(ctx, { actor: null }, { action: "partners.demo.seed", resourceType: "livc_partner", outcome: "success" }, { db: trx });
  });

  if (!gent || !cawGent) return [];
  // The CAW of Gent gets a contact (demo account) and a pending invitation to one case consultation.
  const contact = await ensureDemoUser(ctx, { email: "contact.caw@demo.schakel.test", displayName: "Sanne Contactpersoon CAW (demo)", role: "partner contact, CAW Gent", organisationId: cawGent });
  await store.addContact(db, cawGent, contact.userId);
  await store.insertInvitation(db, { livc_id: gent.id, organisation_id: cawGent, kind: "consultation", consultation_id: null, case_ref: "GENT-2026-012", invited_by: null, sent_on: today, expires_on: addDays(today, 14) });
  return [contact.account];
}
