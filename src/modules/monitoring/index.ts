import type { SchakelModule } from "..";
import { monitoringCli } from "./cli";
import { monitoringRoutes } from "./routes";

/** Regional coverage of LIVCs: report, dashboard, map, downloads. Reads the register through registry/service.ts only. */
export const monitoringModule: SchakelModule = {
  name: "monitoring",
  routes: monitoringRoutes,
  cli: monitoringCli,
};
