import { h } from "preact";
import type { SchakelModule } from "..";
import { whoOf } from "../../platform/audit";
import { sendPage, viewContext } from "../../platform/web/view";
import { StartPage, WelcomePage } from "./views";
import { waitingFor } from "./waiting";
import { extend } from "../../platform/objects";

export const homeModule: SchakelModule = {
  name: "home",
  routes(app, ctx) {
    // Anonymous visitors get the welcome; a signed-in person what waits for them (decision 0059).
    app.get("/", { config: { permission: "public" } }, async (request, reply) => {
      const actor = request.actor;
      if (!actor) return sendPage(reply, h(WelcomePage, { ctx: viewContext(request) }));
      return sendPage(reply, h(StartPage, { ctx: viewContext(request), waiting: await waitingFor(ctx, extend(whoOf(request), { actor })) }));
    });
  },
};
