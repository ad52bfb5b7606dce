/**
 * The public survey page, reached by a link without an account. Nothing here is logged or audited
 * (an audit entry carries a time and an address, which would make an anonymous answer traceable).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { h } from "preact";
import type { AppContext } from "../../platform/context";
import { sendPage, viewContext } from "../../platform/web/view";
import { tokenParam } from "./schema";
import { LinkUnknownError, LinkUsedError, linkState, questionnaire, submitResponse } from "./service";
import { SurveyMessagePage, SurveyPage } from "./views/survey";

const publicPage = { config: { permission: "public" as const } };

const asValues = (body: Record<string, unknown>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]));

export function surveyRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;
  const token = (request: FastifyRequest) => {
    const p = tokenParam.safeParse(request.params);
    return p.success ? p.data.token : null;
  };

  app.get("/survey/:token", publicPage, async (request, reply) => {
    const tk = token(request);
    const view = viewContext(request);
    const state = tk ? await linkState(db, tk) : ({ state: "unknown" } as const);
    if (state.state === "unknown") return sendPage(reply, h(SurveyMessagePage, { ctx: view, state: "unknown" }), 404);
    if (state.state === "used") return sendPage(reply, h(SurveyMessagePage, { ctx: view, state: "used" }), 410);
    const questions = await questionnaire(db, state.link.campaign_id);
    return sendPage(reply, h(SurveyPage, { ctx: view, token: tk!, kind: state.link.kind, questions, values: {}, errors: [] }));
  });

  app.post("/survey/:token", publicPage, async (request, reply) => {
    const tk = token(request);
    const view = viewContext(request);
    if (!tk) return sendPage(reply, h(SurveyMessagePage, { ctx: view, state: "unknown" }), 404);
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const result = await submitResponse(ctx.database, tk, body);
      if (!result.ok) {
        const state = await linkState(db, tk);
        const kind = state.state === "open" ? state.link.kind : "anonymous";
        const errors = result.errors.map((e) => ({ field: e.field, message: view.t(`aw.survey.error.${e.code}`) }));
        return sendPage(reply, h(SurveyPage, { ctx: view, token: tk, kind, questions: result.questions, values: asValues(body), errors }), 400);
      }
    } catch (e) {
      if (e instanceof LinkUsedError) return sendPage(reply, h(SurveyMessagePage, { ctx: view, state: "used" }), 410);
      if (e instanceof LinkUnknownError) return sendPage(reply, h(SurveyMessagePage, { ctx: view, state: "unknown" }), 404);
      throw e;
    }
    return reply.redirect("/survey/thanks", 303);
  });

  app.get("/survey/thanks", publicPage, async (request, reply) => sendPage(reply, h(SurveyMessagePage, { ctx: viewContext(request), state: "done" })));
}
