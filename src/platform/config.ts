import { isIP } from "node:net";
import { z } from "zod";
import { extend } from "./objects";

/**
 * Configuration comes from environment variables only, validated once at start.
 * A bad value stops the process with exit code 2 and a message naming the variable.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`Configuration error: ${variable} ${expected}`);
  }
}

const portNumber = z.coerce.number().int().min(0).max(65535);

/** The years a one-off closing day (SCHAKEL_EXTRA_HOLIDAYS "YYYY-MM-DD") may name. */
export const CLOSING_DAY_YEARS = { from: 2019, to: 2100 } as const;

/**
 * SCHAKEL_EXTRA_HOLIDAYS: the municipality's own closing days on top of Belgium's legal public
 * holidays (decision 0029), comma-separated: "MM-DD" closes that day every year (e.g. "07-11,12-26"),
 * "YYYY-MM-DD" closes that one date only (a bridge day, e.g. "2027-05-07"; years 2019-2100).
 * Returns the items sorted, without duplicates, or the first bad item.
 */
export function parseClosingDays(value: string): { days: string[] } | { bad: string } {
  const days = new Set<string>();
  for (const item of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const full = /^(\d{4})-\d{2}-\d{2}$/.exec(item);
    // "MM-DD" is checked in a leap year: "02-29" is accepted (it closes 29 February in leap years), "02-30" is not.
    const date = full ? item : /^\d{2}-\d{2}$/.test(item) ? `2024-${item}` : "";
    const d = new Date(`${date}T00:00:00Z`);
    const real = date !== "" && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
    const year = full ? Number(full[1]) : CLOSING_DAY_YEARS.from;
    if (!real || year < CLOSING_DAY_YEARS.from || year > CLOSING_DAY_YEARS.to) return { bad: item };
    days.add(item);
  }
  return { days: [...days].sort() };
}

const closingDays = z.string().transform((value, c) => {
  const parsed = parseClosingDays(value);
  if ("bad" in parsed) {
    c.addIssue({
      code: "custom",
      message: `must be comma-separated closing days, month-day (mm-dd, every year) or a date (yyyy-mm-dd, that day only, ${CLOSING_DAY_YEARS.from}-${CLOSING_DAY_YEARS.to}), e.g. "07-11,12-26,2027-05-07"; "${parsed.bad.slice(0, 20)}" is not one`,
    });
    return z.NEVER;
  }
  return parsed.days;
});

/** Named address ranges a proxy list may use (those of Fastify's proxy-addr). */
export const PROXY_RANGE_NAMES = ["loopback", "linklocal", "uniquelocal"] as const;

/**
 * SCHAKEL_TRUSTED_PROXIES (decision 0064): the reverse proxies whose X-Forwarded-For / -Proto / -Host are
 * believed, comma-separated: IP addresses, CIDR ranges ("10.0.0.0/8", "fd00::/8") or the names loopback,
 * linklocal, uniquelocal. Unset: no proxy is trusted and the socket's address is the client's.
 */
export function parseProxyList(value: string): { proxies: string[] } | { bad: string } {
  const proxies: string[] = [];
  for (const item of value.split(",").map((x) => x.trim()).filter(Boolean)) {
    if ((PROXY_RANGE_NAMES as readonly string[]).includes(item)) {
      proxies.push(item);
      continue;
    }
    const [address, prefix, extra] = item.split("/");
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const okPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || extra !== undefined || !okPrefix) return { bad: item };
    proxies.push(item);
  }
  return { proxies };
}

const proxyList = z.string().transform((value, c) => {
  const parsed = parseProxyList(value);
  if ("bad" in parsed) {
    c.addIssue({ code: "custom", message: `must be comma-separated IP addresses or CIDR ranges of your reverse proxies (or ${PROXY_RANGE_NAMES.join(", ")}), e.g. "127.0.0.1,10.0.0.0/8"; "${parsed.bad.slice(0, 40)}" is not one` });
    return z.NEVER;
  }
  return parsed.proxies;
});

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: portNumber.default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/.+|sqlite:.+)$/, "must start with postgres:// or sqlite:")
    .optional(),
  // PostgreSQL: send the app's fixed queries as named statements (parsed once per connection). "off" for
  // a connection pooler that cannot keep them (e.g. PgBouncer in transaction mode before 1.21).
  SCHAKEL_PG_NAMED_STATEMENTS: z.enum(["on", "off"]).default("on"),
  // PostgreSQL: reads asked for in the same turn go together on one pipelined connection (decision 0081).
  // "off" for a connection pooler that cannot pipeline.
  SCHAKEL_PG_READ_BATCH: z.enum(["on", "off"]).default("on"),
  SCHAKEL_MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/=_-]{43,}$/, "must be a base64 key of at least 32 bytes")
    .optional(),
  SCHAKEL_KEY_FILE: z.string().min(1).optional(),
  SCHAKEL_PUBLIC_URL: z.string().url().optional(),
  SCHAKEL_TRUSTED_PROXIES: proxyList.default([]),
  SCHAKEL_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SCHAKEL_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(72).default(10),
  SCHAKEL_RETENTION_YEARS: z.coerce.number().min(0.1).max(30).default(6),
  SCHAKEL_RETENTION_MINOR_YEARS: z.coerce.number().min(0.1).max(30).default(3),
  SCHAKEL_SCREENING_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(10),
  SCHAKEL_EXTRA_HOLIDAYS: closingDays.default([]),
  // The daily jobs' Brussels wall-clock time, HH:MM (decision 0069).
  SCHAKEL_DAILY_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day HH:MM (00:00-23:59), Brussels time, e.g. 02:30").default("02:30"),
  SMTP_URL: z.string().regex(/^smtps?:\/\/.+/, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().email().default("schakel@localhost"),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.string().url().optional(),
  OIDC_POST_LOGOUT_REDIRECT_URI: z.string().url().optional(),
  OIDC_PROVIDER_NAME: z.string().min(1).max(60).optional(),
  OIDC_MFA_AMR: z.string().default("mfa,otp,hwk,swk"),
  OIDC_MFA_ACR: z.string().default(""),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof schema> & {
  databaseUrl: string;
  production: boolean;
};

const expectations: Record<string, string> = {
  PORT: "must be a whole number between 0 and 65535",
  NODE_ENV: "must be one of development, production, test",
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? "environment");
    const got = cleaned[variable];
    throw new ConfigError(
      variable,
      `${expectations[variable] ?? issue.message.charAt(0).toLowerCase() + issue.message.slice(1)}${got === undefined ? "" : ` (got "${String(got).slice(0, 40)}")`}`,
    );
  }
  const c = parsed.data;
  const production = c.NODE_ENV === "production";
  if (production) {
    if (!c.SCHAKEL_MASTER_KEY && !c.SCHAKEL_KEY_FILE) {
      throw new ConfigError(
        "SCHAKEL_MASTER_KEY",
        "is required in production (or set SCHAKEL_KEY_FILE to a key file)",
      );
    }
    if (!c.DATABASE_URL) {
      throw new ConfigError("DATABASE_URL", "is required in production (postgres://... or sqlite:PATH)");
    }
    // Every notice mail links to the installation (ops audit s8, 10): without it they pointed at http://HOST:PORT.
    if (c.SMTP_URL && !c.SCHAKEL_PUBLIC_URL) {
      throw new ConfigError("SCHAKEL_PUBLIC_URL", "is required in production when SMTP_URL is set: the e-mails link to it (e.g. https://schakel.gemeente.be)");
    }
  }
  if (c.OIDC_ISSUER && !c.OIDC_CLIENT_ID) {
    throw new ConfigError("OIDC_CLIENT_ID", "is required when OIDC_ISSUER is set");
  }
  if (c.OIDC_ISSUER && !c.OIDC_REDIRECT_URI && !c.SCHAKEL_PUBLIC_URL) {
    throw new ConfigError("OIDC_REDIRECT_URI", "is required when OIDC_ISSUER is set (or set SCHAKEL_PUBLIC_URL)");
  }
  return extend(c, { databaseUrl: c.DATABASE_URL ?? "sqlite:./data/schakel.db", production });
}
