import type { FastifyServerOptions } from "fastify";
import type { Config } from "./config";

/**
 * Logs carry no personal data: requests are logged by method, route pattern and status;
 * query strings, bodies, cookies and authorisation headers never reach the log. Known personal
 * field names are censored wherever they appear (two levels deep), and database error details,
 * which can echo values, are dropped. A test (log.test.ts) proves it on real log output.
 */
const PERSONAL_FIELDS = ["password", "name", "full_name", "first_name", "last_name", "display_name", "birth_date", "date_of_birth", "email", "address", "phone", "totp", "secret", "narrative", "description", "notes", "plain"];

export const REDACT_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  "req.headers['x-csrf-token']",
  "req.body",
  "req.query",
  "res.headers['set-cookie']",
  "err.detail",
  "err.parameters",
  "err.where",
  "err.sql",
  ...PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

export function logOptions(config: Config, stream?: NodeJS.WritableStream): FastifyServerOptions["logger"] {
  return {
    level: config.NODE_ENV === "test" && !stream ? "silent" : config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: {
      req: (req: { method: string; url: string; routeOptions?: { url?: string }; id: string }) => ({
        method: req.method,
        route: req.routeOptions?.url ?? req.url.split("?")[0],
        id: req.id,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    ...(stream ? { stream } : {}),
  };
}
