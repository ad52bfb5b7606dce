import type { SchakelModule } from "..";
import { adviceRoutes } from "./advice-routes";
import { failInterruptedJobs } from "./archive";
import { awarenessCli } from "./cli";
import { seedAwarenessDemo } from "./demo";
import { awarenessRoutes } from "./routes";
import { surveyRoutes } from "./survey-routes";

export const awarenessModule: SchakelModule = {
  name: "awareness",
  async routes(app, ctx) {
    // At start: archive jobs a stopped process left `running` are marked interrupted (decision 0069).
    await failInterruptedJobs(ctx);
    awarenessRoutes(app, ctx);
    adviceRoutes(app, ctx);
    surveyRoutes(app, ctx);
  },
  cli: awarenessCli,
  seedDemo: seedAwarenessDemo,
};
