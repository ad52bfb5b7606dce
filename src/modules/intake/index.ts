import type { SchakelModule } from "..";
import { closingDayRoutes } from "./closing-days-routes";
import { regionalContactCli } from "./contacts-cli";
import { contactPointRoutes } from "./contacts-routes";
import { seedIntakeDemo } from "./demo";
import { discardRoutes } from "./discard-routes";
import { handoverRoutes } from "./handover-routes";
import { intakeRetentionConfig } from "./retention-config";
import { intakeRoutes } from "./routes";
import { reportRectifyRoutes } from "./rectify-routes";
import { supplementRoutes } from "./supplement-routes";

export const intakeModule: SchakelModule = {
  name: "intake",
  routes: (app, ctx) => {
    intakeRoutes(app, ctx);
    contactPointRoutes(app, ctx);
    closingDayRoutes(app, ctx);
    reportRectifyRoutes(app, ctx);
    supplementRoutes(app, ctx);
    discardRoutes(app, ctx);
    handoverRoutes(app, ctx);
    // A bad retention setting stops the server at start, naming the variable (decision 0053).
    intakeRetentionConfig();
  },
  seedDemo: seedIntakeDemo,
  cli(program, open) {
    const intake = program.command("intake").description("Reports (aanmeldingen) and screening");
    regionalContactCli(intake, open);
  },
};
