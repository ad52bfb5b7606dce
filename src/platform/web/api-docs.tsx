import { Layout } from "./layout";
import type { ViewContext } from "./view";
import { ScrollRegion } from "./fields";

export interface OpenApiSpec {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, { summary?: string; description?: string; tags?: string[] }>>;
}

/** A readable, script-free rendering of the OpenAPI document; the machine-readable one is /api/docs/json. */
export function ApiDocsPage({ ctx, spec }: { ctx: ViewContext; spec: OpenApiSpec }) {
  const ops = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), ...op })),
  );
  return (
    <Layout ctx={ctx} title={ctx.t("footer.api")}>
      <h1>{ctx.t("footer.api")}</h1>
      <p class="lead" lang="en">
        {spec.info.title}: {spec.info.description}
      </p>
      {ctx.locale === "en" ? null : <p>{ctx.t("apidocs.english")}</p>}
      <p>
        {ctx.t("apidocs.machine")} <a href="/api/docs/json">/api/docs/json</a>
      </p>
      <ScrollRegion label={ctx.t("footer.api")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{ctx.t("apidocs.col.method")}</th>
              <th scope="col">{ctx.t("apidocs.col.path")}</th>
              <th scope="col">{ctx.t("apidocs.col.description")}</th>
            </tr>
          </thead>
          <tbody>
            {ops.map((op) => (
              <tr>
                <td>
                  <code>{op.method}</code>
                </td>
                <td>
                  <code>{op.path}</code>
                </td>
                <td lang="en">
                  {op.summary ? <strong>{op.summary}</strong> : null} {op.description}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </Layout>
  );
}
