import type { SchakelModule } from "..";
import { adviceRoutes } from "./advice-routes";
import { awarenessCli } from "./cli";
import { seedAwarenessDemo } from "./demo";
import { awarenessRoutes } from "./routes";
import { surveyRoutes } from "./survey-routes";

export const awarenessModule: SchakelModule = {
  name: "awareness",
  routes(app, ctx) {
    awarenessRoutes(app, ctx);
    adviceRoutes(app, ctx);
    surveyRoutes(app, ctx);
  },
  cli: awarenessCli,
  seedDemo: seedAwarenessDemo,
};
