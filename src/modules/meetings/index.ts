import type { SchakelModule } from "..";
import { meetingsRoutes } from "./routes";

/** Case consultations: scheduling, the confidentiality gate, attendance, minutes (demo data: cases module). */
export const meetingsModule: SchakelModule = {
  name: "meetings",
  routes: meetingsRoutes,
};
