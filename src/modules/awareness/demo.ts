/**
 * Demo data: a fictional 2025 campaign with a session in every province and survey answers from
 * fictional organisations of several sectors (per-organisation and anonymous links).
 */
import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";
import type { Sector } from "../identity/sectors";
import { ensureOrganisation } from "../identity/service";
import { setOrganisationMunicipalities } from "../partners/service";
import type { Objection } from "./objections";
import { addStandardQuestionnaire } from "./questionnaire";
import { addSession, createAnonymousLinks, createCampaign, createOrganisationLink, listCampaigns, questionnaire, submitResponse } from "./service";

const CITIES = [
  { nis: "11002", name: "Antwerpen", province: "Antwerpen", neighbours: ["13040"] },
  { nis: "44021", name: "Gent", province: "Oost-Vlaanderen", neighbours: ["46030"] },
  { nis: "71072", name: "Hasselt", province: "Limburg", neighbours: ["71016"] },
  { nis: "24062", name: "Leuven", province: "Vlaams-Brabant", neighbours: [] },
  { nis: "31005", name: "Brugge", province: "West-Vlaanderen", neighbours: [] },
];

const PROFILES: { sector: Sector; label: string; objections: Objection[] }[] = [
  { sector: "clb", label: "CLB", objections: ["professional_secrecy", "trust_in_police"] },
  { sector: "school_secondary", label: "Secundaire school", objections: ["legal_uncertainty", "workload_capacity"] },
  { sector: "youth_work", label: "Jeugdhuis", objections: ["trust_in_police", "unclear_role"] },
  { sector: "caw", label: "CAW", objections: ["professional_secrecy", "workload_capacity"] },
  { sector: "integration_service", label: "Integratiedienst", objections: ["unclear_role"] },
  { sector: "neighbourhood_street_work", label: "Straathoekwerk", objections: ["trust_in_police", "professional_secrecy"] },
];

const FREE_TEXT = [
  "Een korte schriftelijke uitleg over het gedeeld beroepsgeheim voor onze teams.",
  "Duidelijke afspraken over wat er met de terugkoppelingsfiche gebeurt.",
  "Overleg buiten de schooluren.",
  "Een vast aanspreekpunt bij de gemeente.",
];

export async function seedAwarenessDemo(ctx: AppContext): Promise<DemoAccount[] | undefined> {
  const db = ctx.database.db;
  if ((await listCampaigns(db)).length > 0) return undefined;
  const campaignId = await createCampaign(db, {
    name: "Sensibiliseringsronde LIVC-decreet 2025 (demo)",
    year: 2025,
    description: "Fictieve campagne: sessies met jeugd, welzijn en onderwijs over het LIVC, het decreet van 21 mei 2021 en het beroepsgeheim.",
  });
  await addStandardQuestionnaire(db, campaignId);
  for (const [i, city] of CITIES.entries()) {
    await addSession(db, campaignId, {
      held_on: `2025-0${3 + i}-1${i}`,
      sectors: ["clb", "school_secondary", "youth_work", "caw"],
      province: city.province,
      municipalities: [city.nis, ...city.neighbours],
      participants: 18 + i * 7,
      materials: "Presentatie LIVC en decreet; brochure gedeeld beroepsgeheim (art. 458ter Sw.); casusoefening",
    });
  }
  const questions = await questionnaire(db, campaignId);
  const [participation, objections, understanding, likelihood, help] = questions;
  const answer = async (token: string, named: Objection[], n: number) => {
    await submitResponse(ctx.database, token, {
      [`q_${participation.id}`]: participation.options[n % 3].id,
      [`q_${objections.id}`]: objections.options.filter((o) => o.objection && named.includes(o.objection)).map((o) => o.id),
      [`q_${understanding.id}`]: String((n % 5) + 1),
      [`q_${likelihood.id}`]: String(((n + 2) % 5) + 1),
      ...(n % 3 === 0 ? { [`q_${help.id}`]: FREE_TEXT[n % FREE_TEXT.length] } : {}),
    });
  };
  let n = 0;
  for (const city of CITIES) {
    for (const profile of PROFILES) {
      const orgId = await ensureOrganisation(ctx, { name: `${profile.label} ${city.name} (demo)`, sector: profile.sector });
      await setOrganisationMunicipalities(ctx, {}, orgId, [city.nis, ...city.neighbours]);
      const link = await createOrganisationLink(ctx, campaignId, orgId, city.province);
      // Not every organisation answers, and not every one names every objection of its sector.
      if (n % 4 !== 3) await answer(link.token, profile.objections.slice(0, n % 2 === 0 ? 2 : 1), n);
      n++;
    }
    for (const profile of PROFILES.slice(0, 3)) {
      const [anon] = await createAnonymousLinks(db, campaignId, profile.sector, city.province, 1);
      await answer(anon.token, profile.objections, n++);
    }
  }
  return undefined;
}
