/**
 * A realistic but fictional LIVC register for all of Flanders from 2019, built on the real
 * reference data: most municipalities in an LIVC, inter-municipal LIVCs per police zone, about two
 * dozen without an LIVC on 10 March 2020 (with recorded obstacles), a few dormant or dissolved cells,
 * and one merger (Hasselt + Kortessem) whose parts were in different LIVCs: needs a decision.
 * People's names are invented.
 */
import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";
import { ensureDemoUser } from "../identity/service";
import { municipalitiesOn } from "../reference/service";
import { auditRegistryChange } from "./audit";
import type { LifeStatus } from "./migrations";
import { importObstacles, importRegister, livcByCode, listLivcs, recordMergerDecision, registerTimeline } from "./service";
import * as store from "./store";

const FIRST = ["An", "Bart", "Katrien", "Wim", "Sofie", "Jeroen", "Els", "Koen", "Lotte", "Pieter", "Nele", "Tom", "Inge", "Dries", "Griet", "Stijn", "Hanne", "Joris", "Leen", "Maarten"];
const LAST = ["Vermaelen", "De Witte", "Goossenaerts", "Van Hoorebeke", "Claeysens", "Deprez", "Wouters-Lemmens", "Van den Broucke", "Moens", "Verstappen", "Baeyens", "De Clercq-Smet", "Lauwerysen", "Timmerijns", "Vanhaecht"];

/** Deterministic pseudo-random numbers from a text (FNV-1a): the demo is the same on every install. */
function rand(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100000) / 100000;
}
const pick = <T>(list: readonly T[], seed: string) => list[Math.floor(rand(seed) * list.length)];
const person = (seed: string) => `${pick(FIRST, `${seed}f`)} ${pick(LAST, `${seed}l`)}`;

function dateBetween(from: string, to: string, seed: string): string {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return new Date(a + Math.floor(rand(seed) * ((b - a) / 86400000)) * 86400000).toISOString().slice(0, 10);
}

const MERGER_PARTS = new Set(["11002", "11007", "11056", "23023", "23024", "23032", "37007", "37012", "37015", "37018", "44012", "44034", "44040", "44043", "44045", "44048", "44073", "46003", "46013", "46014", "71022", "71057", "71069", "73006", "73009", "73032", "73040", "73083"]);
const REASONS = ["few_cases", "capacity", "legal_uncertainty", "partner_reluctance", "other_platform"] as const;

export async function seedRegistryDemo(ctx: AppContext): Promise<DemoAccount[]> {
  const { database } = ctx;
  const db = database.db;
  if ((await listLivcs(db)).length > 0) return [];
  const rows = (await municipalitiesOn(db, "2019-06-01")).sort((a, b) => a.nis.localeCompare(b.nis));
  const zones = new Map<string, typeof rows>();
  for (const m of rows) zones.set(m.police_zone ?? m.nis, [...(zones.get(m.police_zone ?? m.nis) ?? []), m]);
  const zoneOf = (nis: string) => rows.find((m) => m.nis === nis)!.police_zone!;
  const forced = new Set([zoneOf("73040"), zoneOf("71057")]);
  const interZones = [...zones].filter(([z, ms]) => forced.has(z) || (ms.length >= 3 && ms.length <= 6 && rand(z) < 0.35));
  const inInter = new Map<string, { code: string; name: string }>();
  for (const [zone, ms] of interZones) {
    const code = `IZ-${ms[0].police_zone_number ?? ms[0].nis}`;
    for (const m of ms) inInter.set(m.nis, { code, name: `LIVC-R ${zone.replace(/^PZ /, "")}` });
  }
  // About two dozen municipalities without an LIVC on 10 March 2020, chosen among the smaller ones.
  const late = rows
    .filter((m) => !inInter.has(m.nis) && !MERGER_PARTS.has(m.nis) && !["11002", "44021", "24062", "31005", "12025"].includes(m.nis))
    .sort((a, b) => rand(`late${a.nis}`) - rand(`late${b.nis}`))
    .slice(0, 24);
  const lateSet = new Set(late.map((m) => m.nis));

  const csv: string[] = ["livc_code,livc_name,nis,joined_on,left_on"];
  const interStart = new Map<string, string>();
  for (const m of rows) {
    const inter = inInter.get(m.nis);
    if (inter) {
      const start = interStart.get(inter.code) ?? dateBetween("2018-10-01", rand(`s${inter.code}`) < 0.9 ? "2019-06-01" : "2019-12-15", inter.code);
      interStart.set(inter.code, start);
      csv.push(`${inter.code},"${inter.name}",${m.nis},${start},`);
    } else if (!lateSet.has(m.nis)) {
      // Most cells existed by mid-2019 (public figure: 30 municipalities without on 15 June 2019).
      const until = rand(`s${m.nis}`) < 0.9 ? "2019-06-01" : "2020-02-28";
      csv.push(`LIVC-${m.nis},"LIVC ${m.name}",${m.nis},${dateBetween("2018-09-24", until, m.nis)},`);
    }
  }
  // Later: eight found their own LIVC, four pair up in two inter-municipal LIVCs, twelve stay without.
  for (const m of late.slice(0, 8)) csv.push(`LIVC-${m.nis},"LIVC ${m.name}",${m.nis},${dateBetween("2020-09-01", "2022-06-30", m.nis)},`);
  for (const [a, b] of [late.slice(8, 10), late.slice(10, 12)]) {
    const joined = dateBetween("2021-01-01", "2022-12-31", a.nis + b.nis);
    for (const m of [a, b]) csv.push(`IG-${a.nis}-${b.nis},"Intergemeentelijke LIVC ${a.name}-${b.name}",${m.nis},${joined},`);
  }
  const who = { actor: null };
  await importRegister(database, who, `${csv.join("\n")}\n`, { file: "demo" });

  const obstacles = ["nis,recorded_on,reason,note"];
  for (const [i, m] of late.entries()) {
    obstacles.push(`${m.nis},${dateBetween("2019-05-01", "2020-02-28", `o1${m.nis}`)},${REASONS[i % 5]},`);
    if (i % 3 === 0) obstacles.push(`${m.nis},${dateBetween("2019-09-01", "2020-03-01", `o2${m.nis}`)},${REASONS[(i + 2) % 5]},`);
    if (i === 5) obstacles.push(`${m.nis},2020-01-15,other,"Wacht op de nieuwe bestuursploeg"`);
  }
  await importObstacles(database, who, `${obstacles.join("\n")}\n`, { file: "demo-obstacles" });

  // Life status, people and frameworks for every LIVC, written in one transaction.
  const livcs = await listLivcs(db);
  const dissolvedCode = `LIVC-${rows.find((m) => !inInter.has(m.nis) && !lateSet.has(m.nis) && !MERGER_PARTS.has(m.nis) && rand(`d${m.nis}`) < 0.05)?.nis}`;
  await db.transaction().execute(async (trx) => {
    for (const l of livcs) {
      const members = await store.membershipsOfLivc(trx, l.id);
      const founded = members.map((m) => m.joined_on).sort()[0];
      const statuses: [LifeStatus, string][] = [];
      if (founded > "2020-06-01") statuses.push(["being_set_up", founded], ["operational", dateBetween(founded, "2023-06-30", `op${l.code}`)]);
      else statuses.push(["operational", founded]);
      if (l.code !== dissolvedCode && rand(`dormant${l.code}`) < 0.04) statuses.push(["dormant", "2022-09-01"]);
      if (l.code === dissolvedCode) {
        statuses.push(["dissolved", "2023-06-01"]);
        for (const m of members) await store.setMembershipLeftOn(trx, m.id, "2023-06-01");
      }
      for (const [status, from] of statuses) await store.upsertStatus(trx, l.id, status, from, null);
      const named = rand(`named${l.code}`);
      await store.updateLivc(trx, l.id, {
        founded_on: founded,
        chair_name: named < 0.92 ? person(`chair${l.code}`) : null,
        coordinator_name: named < 0.85 ? person(`coord${l.code}`) : null,
        info_officer_name: named < 0.75 ? person(`io${l.code}`) : null,
      });
      if (rand(`fw${l.code}`) < 0.85) {
        const adopted = dateBetween(founded, founded.slice(0, 4) === "2018" ? "2019-03-31" : "2023-12-31", `fwd${l.code}`);
        await store.insertFramework(trx, {
          livc_id: l.id,
          participants: "Burgemeester (voorzitter), LIVC-coördinator, information officer lokale politie, OCMW, preventiedienst; op uitnodiging: CLB, CAW, jeugdwerk, justitiehuis",
          purpose: "Casusoverleg over personen met verontrustende signalen van gewelddadige radicalisering, gericht op zorg en preventie",
          working_arrangements: "Maandelijks overleg; uitnodiging per casus; gedeeld beroepsgeheim volgens art. 458ter Sw.; terugkoppeling aan de LTF enkel met consensus",
          adopted_on: adopted,
        });
      }
    }
    await store.bumpRevision(trx);
    await auditRegistryChange(database, trx, who, "registry.demo.seed", { type: "livc", id: null });
  });
  const dissolvedNis = dissolvedCode.slice(5);
  if (/^\d{5}$/.test(dissolvedNis)) await importObstacles(database, who, `nis,recorded_on,reason,note\n${dissolvedNis},2023-05-10,capacity,\n`, { file: "demo-obstacles-2023" });

  // Mergers: an administrator already decided all cases except Hasselt + Kortessem.
  const { timeline } = await registerTimeline(db);
  for (const c of timeline.mergerCases()) {
    if (c.version.nis === "71072" || c.decision) continue;
    const livcId = c.parts.find((p) => p.livcId)?.livcId ?? null;
    await recordMergerDecision(database, who, c.version.nis, { decision: livcId ? "livc" : "none", livcId, joinedOn: "2025-01-01", note: "" });
  }
  return demoAccounts(ctx, await livcByCode(db, "LIVC-44021"));
}

/** A chair and a coordinator of LIVC Gent, so the per-LIVC register page can be tried. */
async function demoAccounts(ctx: AppContext, gent: store.LivcRow | undefined): Promise<DemoAccount[]> {
  if (!gent) return [];
  const chair = await ensureDemoUser(ctx, {
    email: "voorzitter.gent@demo.schakel.test",
    displayName: "Hilde Voorzitter (demo)",
    role: "chair, LIVC Gent",
    memberships: [{ livcId: gent.id, role: "chair" }],
  });
  const coordinator = await ensureDemoUser(ctx, {
    email: "coordinator.gent@demo.schakel.test",
    displayName: "Yusuf Coördinator (demo)",
    role: "coordinator, LIVC Gent",
    memberships: [{ livcId: gent.id, role: "coordinator" }],
  });
  await store.updateLivc(ctx.database.db, gent.id, {
    chair_user_id: chair.userId,
    chair_name: "Hilde Voorzitter (demo)",
    coordinator_user_id: coordinator.userId,
    coordinator_name: "Yusuf Coördinator (demo)",
  });
  await store.bumpRevision(ctx.database.db);
  return [chair.account, coordinator.account];
}
