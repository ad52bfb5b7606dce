import type { FastifyInstance } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { municipalityQuery, nisParam } from "./schema";
import { municipalitiesOn, municipalityHistory, municipalitySetOn } from "./service";
import { MunicipalityPage } from "./views/municipality";
import { RegisterPage } from "./views/register";

const apiMunicipality = z.object({
  nis: z.string(),
  name: z.string(),
  province: z.string(),
  arrondissement: z.string(),
  police_zone: z.string().nullable(),
});

export function referenceRoutes(app: FastifyInstance, { database }: AppContext) {
  app.get("/municipalities", { config: { permission: "public" } }, async (request, reply) => {
    const raw = request.query as Record<string, string | undefined>;
    const parsed = municipalityQuery.safeParse(raw);
    const ctx = viewContext(request);
    const date = parsed.success && parsed.data.date ? parsed.data.date : todayInBrussels();
    const q = parsed.success ? (parsed.data.q ?? "") : String(raw.q ?? "").slice(0, 100);
    const rows = await municipalitiesOn(database.db, date, q || undefined);
    return sendPage(
      reply,
      h(RegisterPage, {
        ctx,
        date,
        dateInput: String(raw.date ?? date),
        q,
        set: municipalitySetOn(date),
        rows,
        dateError: parsed.success ? undefined : ctx.t("ref.error.date"),
      }),
      parsed.success ? 200 : 400,
    );
  });

  app.get("/municipalities/:nis", { config: { permission: "public" } }, async (request, reply) => {
    const params = nisParam.safeParse(request.params);
    if (!params.success) return sendError(request, reply, 404);
    const history = await municipalityHistory(database.db, params.data.nis);
    if (!history) return sendError(request, reply, 404);
    return sendPage(reply, h(MunicipalityPage, { ctx: viewContext(request), history }));
  });

  app.get(
    "/api/v1/municipalities",
    {
      config: { permission: "public" },
      schema: {
        tags: ["reference"],
        summary: "Municipalities valid on a date",
        description: "All Flemish municipalities that exist on the date (default today), with province, arrondissement and police zone.",
        querystring: {
          type: "object",
          properties: {
            date: { type: "string", format: "date", description: "YYYY-MM-DD, on or after 2019-01-01" },
            q: { type: "string", description: "part of the name, or the start of the NIS code" },
          },
        },
        response: {
          200: z.toJSONSchema(z.object({ date: z.string(), set: z.string(), municipalities: z.array(apiMunicipality) })),
        },
      },
    },
    async (request, reply) => {
      const parsed = municipalityQuery.safeParse(request.query);
      if (!parsed.success) return sendError(request, reply, 400, parsed.error.issues[0].message);
      const date = parsed.data.date ?? todayInBrussels();
      const rows = await municipalitiesOn(database.db, date, parsed.data.q || undefined);
      return {
        date,
        set: municipalitySetOn(date),
        municipalities: rows.map((m) => ({
          nis: m.nis,
          name: m.name,
          province: m.province,
          arrondissement: m.arrondissement,
          police_zone: m.police_zone,
        })),
      };
    },
  );
}
