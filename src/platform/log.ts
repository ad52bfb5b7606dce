import type { FastifyServerOptions } from "fastify";
import type { Config } from "./config";

/**
 * Logs carry no personal data: requests are logged by method, route pattern and status;
 * query strings, bodies, cookies and authorisation headers never reach the log.
 */
export const REDACT_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  "req.body",
  "res.headers['set-cookie']",
  "*.password",
  "*.name",
  "*.birth_date",
  "*.email",
  "*.totp",
];

export function logOptions(config: Config): FastifyServerOptions["logger"] {
  return {
    level: config.NODE_ENV === "test" ? "silent" : config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: {
      req: (req: { method: string; url: string; routeOptions?: { url?: string }; id: string }) => ({
        method: req.method,
        route: req.routeOptions?.url ?? req.url.split("?")[0],
        id: req.id,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
