import type { SchakelModule } from "..";
import { privacyRoutes } from "./routes";

/** The DPO's record of processing (GDPR art. 30): /privacy and its download (decision 0054). */
export const privacyModule: SchakelModule = {
  name: "privacy",
  routes: privacyRoutes,
};
