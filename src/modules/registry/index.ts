import type { SchakelModule } from "..";
import type { AppContext } from "../../platform/context";
import type { Database } from "../../platform/db";
import { consultationsOf, invitedSectorCount } from "../partners/service";
import { registryCli } from "./cli";
import { seedRegistryDemo } from "./demo";
import { registryRoutes } from "./routes";
import { CALENDAR_START, readinessSources } from "./service";

// Readiness facts from the partners module (sectors invited; consultations held), plugged in here
// because partners itself reads the registry service.
readinessSources.partnerSectorsInvited = (db, livcId, date) => invitedSectorCount(db, livcId, date);
readinessSources.lastConsultationOn = async (db, livcId, date) => {
  const held = (await consultationsOf({ database: { db } as Database } as AppContext, livcId, CALENDAR_START, date)).filter((c) => c.status === "held");
  return held.at(-1)?.held_on ?? null;
};

/** The LIVC register: LIVCs, their municipalities over time, status, frameworks, obstacles, merger decisions. */
export const registryModule: SchakelModule = {
  name: "registry",
  routes: registryRoutes,
  cli: registryCli,
  seedDemo: seedRegistryDemo,
};
