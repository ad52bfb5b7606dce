import type { SchakelModule } from "..";
import { registryCli } from "./cli";
import { seedRegistryDemo } from "./demo";
import { registryRoutes } from "./routes";

/** The LIVC register: LIVCs, their municipalities over time, status, frameworks, obstacles, merger decisions. */
export const registryModule: SchakelModule = {
  name: "registry",
  routes: registryRoutes,
  cli: registryCli,
  seedDemo: seedRegistryDemo,
};
