import { randomUUID } from "node:crypto";
import zlib from "node:zlib";
import compress from "@fastify/compress";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import helmet from "helmet";
import swagger from "@fastify/swagger";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from "fastify";
import { h } from "preact";
import { schakelModules } from "../../modules";
import type { AppContext } from "../context";
import { DatabaseUnavailableError, ping } from "../db";
import { isLocale, type Locale } from "../i18n";
import { logOptions } from "../log";
import { scheduleDailyJobs } from "../daily";
import { setMailLog } from "../mail";
import { registerAuthHooks } from "../auth/hooks";
import { authorizeRoute } from "../policy";
import "../policy/permissions";
import { registerAssets } from "./assets";
import { ApiDocsPage, type OpenApiSpec } from "./api-docs";
import { ErrorPage, type ErrorStatus } from "./error-pages";
import { sendPage, viewContext } from "./view";

export interface BuildOptions {
  logger?: boolean;
  demoMode?: boolean;
  /** Where log lines go (tests read them back); default stdout. */
  logStream?: NodeJS.WritableStream;
}

/** Routes as registered, for the test that every route declares a permission. */
export const registeredRoutes = new WeakMap<FastifyInstance, RouteOptions[]>();

/** The remembered UI language (an explicit choice: ?lang=, the account page, or the account's language at login). */
export const LANG_COOKIE = "schakel_lang";

export function rememberLocale(request: FastifyRequest, reply: FastifyReply, locale: Locale) {
  reply.setCookie(LANG_COOKIE, locale, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax", httpOnly: true, secure: request.protocol === "https" });
}

export async function buildApp(ctx: AppContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false ? false : logOptions(ctx.config, options.logStream),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Request lines are logged once, in onResponse, by route pattern only (no query strings).
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify made a pino child (bindings serialised through the redaction) for every request, ~4% of a
    // small authenticated request (issue 9 profile); most requests never log. Made on first use instead.
    childLoggerFactory: lazyChildLogger,
    // Only the reverse proxies named in SCHAKEL_TRUSTED_PROXIES may say who the client is (X-Forwarded-For,
    // -Proto, -Host; decision 0064): the client's address feeds the login throttle and the audit log.
    trustProxy: ctx.config.SCHAKEL_TRUSTED_PROXIES.length > 0 ? [...ctx.config.SCHAKEL_TRUSTED_PROXIES] : false,
    bodyLimit: 256 * 1024,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { ignoreTrailingSlash: true },
  });
  const routes: RouteOptions[] = [];
  registeredRoutes.set(app, routes);
  app.addHook("onRoute", (route) => {
    routes.push(route);
  });
  app.decorate("demoMode", options.demoMode ?? false);
  app.decorate("ctx", ctx);
  app.decorateRequest("locale", "nl");
  app.decorateRequest("actor", null);

  // Security headers (helmet's, with our CSP) are computed ONCE and set on every reply: @fastify/helmet
  // rebuilt the helmet middleware, parsing the CSP directives, on every request (issue 9 profile: ~12%
  // of a small authenticated request).
  const securityHeaders = staticSecurityHeaders(ctx.config.production);
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  // Brotli's default quality (11) costs ~100 ms on a 300 KB page. Rendered pages are compressed at quality 1
// (issue 9, session 18: interleaved medians on the 15.7 KB case list, q3 73 us / 4,394 B, q1 42 us / 4,788 B;
// case page 50 -> 32 us, 2,891 -> 3,085 B; a window under 22 bits changed nothing; server CPU a view
// -3.5% on the case list and page, -7.6% on the login page, in 7-8 of 8 interleaved pairs). The 9% more
// bytes keep every page far under its 60 KB budget. Static assets are compressed once at start (assets.ts).
// Rendered pages (strings up to 512 KB) are compressed in one synchronous call: the plugin's default on
// a 2-core machine (8 KB) sent every larger page through a stream pipeline whose overhead cost more
// than the compression itself (case list: 4.0 -> 2.5 ms a request in process). Streams (CSV) stay streams.
// Each page's length is given to brotli as its size hint (BROTLI_PARAM_SIZE_HINT): without it the encoder
// prepares for its whole 4 MB window on every call. Same bytes out; measured on this machine (session 20):
// 7.9 KB 34 -> 21 us, 17 KB 59 -> 33 us, 258 KB 432 -> 347 us.
  await app.register(compress, { threshold: 1024, syncThreshold: 512 * 1024, encodings: ["br", "gzip"], brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }, zlib: sizeHintedZlib });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  // JSON bodies nested deeper than any payload of ours are refused (400): deep nesting overflowed the stack (500) in handlers.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, text, done) => {
    try {
      const value = JSON.parse(String(text));
      if (depthOf(value, 0) > MAX_JSON_DEPTH) return done(Object.assign(new Error("JSON body nested too deeply"), { statusCode: 400 }));
      done(null, value);
    } catch {
      done(Object.assign(new Error("Malformed JSON body"), { statusCode: 400 }));
    }
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Schakel API",
        version: "1",
        description: "JSON interface of Schakel. Regional figures are aggregates; counts of 1 to 4 are shown as \"<5\".",
      },
    },
    hideUntagged: true,
  });

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-correlation-id", request.id);
    request.locale = pickLocale(request, reply);
    done();
  });
  // Session -> request.actor (onRequest), then CSRF (preHandler, after the body is parsed), then the route permission.
  registerAuthHooks(app, ctx);
  app.addHook("preHandler", async (request, reply) => {
    if (reply.sent) return reply;
    return authorizeRoute(request, reply);
  });
  if (levelEnabled(app.log, "debug")) {
    app.addHook("onResponse", (request, reply, done) => {
      request.log.debug({ req: request, res: reply, ms: Math.round(reply.elapsedTime) }, "request completed");
      done();
    });
  }
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    done(null, typeof payload === "string" ? htmlSafeJson(reply, payload) : payload);
  });

  app.setNotFoundHandler({ preHandler: async () => {} }, (request, reply) => sendError(request, reply, 404));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return sendError(request, reply, status);
  });

  // Zod validates in the handlers (one schema per payload); route JSON schemas only document the API.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  registerAssets(app);
  registerOperationalRoutes(app, ctx);
  for (const mod of schakelModules()) {
    if (mod.routes) await app.register(async (scope) => mod.routes!(scope, ctx));
  }
  scheduleDailyJobs(app, ctx);
  // Mail failures are logged as warnings (kind and error code only) through the app's logger (decision 0069).
  if (options.logger !== false) setMailLog(app.log);
  return app;
}

function registerOperationalRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get("/healthz", { config: { permission: "public" } }, async () => ({ status: "ok" }));
  app.get("/readyz", { config: { permission: "public" } }, async (_request, reply) => {
    const ok = await ping(ctx.database);
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ready" : "database unavailable" });
  });
  app.get("/api/docs/json", { config: { permission: "public" } }, async () => app.swagger());
  app.get("/api/docs", { config: { permission: "public" } }, async (request, reply) =>
    sendPage(reply, h(ApiDocsPage, { ctx: viewContext(request), spec: app.swagger() as unknown as OpenApiSpec })),
  );
}

const MAX_JSON_DEPTH = 32;

function depthOf(value: unknown, depth: number): number {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== "object") return depth;
  let max = depth + 1;
  for (const v of Object.values(value)) max = Math.max(max, depthOf(v, depth + 1));
  return max;
}

function statusOf(error: FastifyError): ErrorStatus {
  if (error instanceof DatabaseUnavailableError || isConnectionError(error)) return 503;
  const code = error.statusCode ?? 500;
  if (code === 429) return 429;
  if (code === 403) return 403;
  if (code === 404) return 404;
  if (code >= 400 && code < 500) return 400;
  return 500;
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return ["ECONNREFUSED", "ECONNRESET", "57P01", "57P03", "08006", "08001", "08003", "SQLITE_BUSY"].includes(code) ||
    /Connection terminated|connect ECONNREFUSED|not queryable|terminating connection|database system is (shutting down|starting up)|server closed the connection/.test(String((error as Error).message));
}

export function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith("/api/") || (request.headers.accept ?? "").startsWith("application/json");
}

export function sendError(request: FastifyRequest, reply: FastifyReply, status: ErrorStatus, message?: string) {
  if (status === 503) reply.header("retry-after", "5");
  if (wantsJson(request)) {
    const t = viewContext(request).t;
    return reply.code(status).send({
      error: t(`error.${status}.title`),
      message: message ?? t(`error.${status}.body`),
      correlation_id: request.id,
    });
  }
  return sendPage(reply, h(ErrorPage, { ctx: viewContext(request), status }), status);
}

function pickLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(asked)) {
    rememberLocale(request, reply, asked);
    return asked;
  }
  const remembered = request.cookies?.[LANG_COOKIE];
  if (isLocale(remembered)) return remembered;
  const header = (request.headers["accept-language"] ?? "").toLowerCase();
  for (const part of header.split(",")) {
    const tag = part.trim().slice(0, 2);
    if (isLocale(tag)) return tag;
  }
  return "nl";
}

declare module "fastify" {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export const PERMISSIONS_POLICY = "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()";

/**
 * node:zlib for @fastify/compress, whose synchronous brotli call gets the payload's length as its size hint
 * (the plugin passes the same options object to every call). Everything else is node:zlib itself.
 */
const sizeHintedZlib: typeof zlib = Object.create(zlib, {
  brotliCompressSync: {
    value: (buffer: Buffer, options: zlib.BrotliOptions = {}) =>
      zlib.brotliCompressSync(buffer, Object.assign({}, options, { params: Object.assign({}, options.params, { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buffer.length }) })),
  },
});

/** The headers helmet sets with our configuration, captured once from a throwaway response. */
function staticSecurityHeaders(production: boolean): Record<string, string> {
  const captured: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      captured[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete captured[name.toLowerCase()];
    },
  };
  helmet(HELMET_OPTIONS(production))({} as never, res as never, (error?: unknown) => {
    if (error) throw error;
  });
  // Helmet sets no Permissions-Policy: no page of Schakel needs a camera, microphone, location, payment,
  // USB, sensors or screen capture, so none may ask (ops audit s8).
  captured["permissions-policy"] = PERMISSIONS_POLICY;
  return captured;
}

const HELMET_OPTIONS = (production: boolean): Parameters<typeof helmet>[0] => ({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "no-referrer" },
  });

type Bindings = Parameters<FastifyBaseLogger["child"]>[0];
type ChildLoggerOptions = Parameters<FastifyBaseLogger["child"]>[1];
/** pino's isLevelEnabled; Fastify's stand-in logger (logger: false) has none and logs nothing. */
const levelEnabled = (logger: FastifyBaseLogger, level: string): boolean => {
  const check = (logger as FastifyBaseLogger & { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled;
  return typeof check === "function" && check.call(logger, level);
};

class LazyRequestLogger {
  #child: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}
  get #real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.opts);
    return this.#child;
  }
  get level() {
    return this.#child?.level ?? this.parent.level;
  }
  set level(value: string) {
    this.#real.level = value;
  }
  fatal(...a: Parameters<FastifyBaseLogger["fatal"]>) {
    this.#real.fatal(...a);
  }
  error(...a: Parameters<FastifyBaseLogger["error"]>) {
    this.#real.error(...a);
  }
  warn(...a: Parameters<FastifyBaseLogger["warn"]>) {
    this.#real.warn(...a);
  }
  info(...a: Parameters<FastifyBaseLogger["info"]>) {
    if (levelEnabled(this.parent, "info")) this.#real.info(...a);
  }
  debug(...a: Parameters<FastifyBaseLogger["debug"]>) {
    if (levelEnabled(this.parent, "debug")) this.#real.debug(...a);
  }
  trace(...a: Parameters<FastifyBaseLogger["trace"]>) {
    if (levelEnabled(this.parent, "trace")) this.#real.trace(...a);
  }
  silent() {}
  child(bindings: Bindings, opts?: ChildLoggerOptions) {
    return this.#real.child(bindings, opts);
  }
  isLevelEnabled(level: string) {
    return levelEnabled(this.#real, level);
  }
}

/** A request logger that makes its pino child (with the request id) only when something is logged. */
function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

const JSON_HTML_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/**
 * JSON text with <, > and & written as \u003c, \u003e, \u0026 (the same value for every JSON parser):
 * a JSON answer holding text people typed (a display name, a note) is then inert even where it ends up
 * parsed as HTML (a mis-set content type, a proxy or viewer that sniffs), on top of nosniff. In JSON
 * these characters occur only inside strings, where the escape is equivalent. Found by the XSS suite
 * once display names became editable (GET /api/v1/me echoed the markup).
 */
export function htmlSafeJson(reply: FastifyReply, payload: string): string {
  // The content type first: an HTML page (the most common string) is not searched at all.
  const type = reply.getHeader("content-type");
  if (typeof type !== "string" || !/^application\/(?:[\w.+-]+\+)?json\b/.test(type)) return payload;
  if (!/[<>&]/.test(payload)) return payload;
  return payload.replace(/[<>&]/g, (c) => JSON_HTML_ESCAPES[c]);
}
