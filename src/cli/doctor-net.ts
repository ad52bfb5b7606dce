import type { Config } from "../platform/config";
import { type Check, isLocalHost, maskUrl, ok, problem, warning } from "./doctor-checks";

/**
 * `schakel doctor`'s checks of what Schakel talks to (decision 0068): the mail server, the single sign-on
 * provider, and the settings production needs. Short timeouts: doctor answers within seconds.
 */
export const NET_TIMEOUT_MS = 5000;

/** The settings a production installation needs beyond those `loadConfig` already refuses. */
export function productionChecks(config: Config): Check[] {
  if (!config.production) return [];
  const out: Check[] = [];
  const url = config.SCHAKEL_PUBLIC_URL;
  if (!url) out.push(warning("SCHAKEL_PUBLIC_URL is not set: links and the single sign-on return address need the installation's https address"));
  else if (new URL(url).protocol !== "https:") out.push(problem(`SCHAKEL_PUBLIC_URL is ${url}: production is served over https only (session cookies are secure-only)`));
  else out.push(ok(`SCHAKEL_PUBLIC_URL is ${url}`));
  if (!isLocalHost(config.HOST) && config.SCHAKEL_TRUSTED_PROXIES.length === 0) {
    out.push(warning(`HOST=${config.HOST} listens beyond this machine and SCHAKEL_TRUSTED_PROXIES is not set: behind a reverse proxy every client gets the proxy's address (login throttle, audit log); set the proxy's address, or HOST=127.0.0.1 with the proxy on this machine`));
  } else if (config.SCHAKEL_TRUSTED_PROXIES.length > 0) {
    out.push(ok(`trusted reverse proxies: ${config.SCHAKEL_TRUSTED_PROXIES.join(", ")}`));
  }
  return out;
}

/** Error text without the SMTP password, should a library ever echo it. */
function clean(message: string, secret: string): string {
  return secret ? message.split(secret).join("***") : message;
}

/**
 * The mail server (SMTP_URL): connect, EHLO and, with user information in the URL, log in (nodemailer's
 * verify). Outside development, a server that offers no STARTTLS on a plain smtp:// URL gets a warning:
 * mail would go unencrypted.
 */
export async function smtpCheck(config: Config): Promise<Check[]> {
  const url = config.SMTP_URL;
  if (!url) return [];
  const parsed = new URL(url);
  const shown = maskUrl(url);
  const secret = decodeURIComponent(parsed.password);
  const { default: nodemailer } = await import("nodemailer");
  const verify = (extra: Record<string, unknown>) => {
    const transport = nodemailer.createTransport({ url, connectionTimeout: NET_TIMEOUT_MS, greetingTimeout: NET_TIMEOUT_MS, socketTimeout: NET_TIMEOUT_MS, ...extra });
    return transport.verify().finally(() => transport.close());
  };
  try {
    await verify({});
  } catch (e) {
    return [problem(`the mail server ${shown} (SMTP_URL) does not answer as expected: ${clean((e as Error).message, secret)}`)];
  }
  // nodemailer takes TLS from the scheme (a "secure" query parameter does not override it) or requireTLS=true.
  const secure = parsed.protocol === "smtps:";
  const tlsRequired = parsed.searchParams.get("requireTLS") === "true";
  if (secure || tlsRequired) return [ok(`the mail server ${shown} answers over TLS`)];
  if (config.NODE_ENV === "development") return [ok(`the mail server ${shown} answers (TLS not checked in development)`)];
  try {
    await verify({ requireTLS: true });
    return [ok(`the mail server ${shown} answers and offers STARTTLS`)];
  } catch (e) {
    return [warning(`the mail server ${shown} answers but offers no STARTTLS (${clean((e as Error).message, secret)}): mail goes unencrypted; use smtps:// or a server with STARTTLS`)];
  }
}

async function getJson(url: string): Promise<{ json?: Record<string, unknown>; error?: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(NET_TIMEOUT_MS), headers: { accept: "application/json" }, redirect: "error" });
    if (!res.ok) return { error: `HTTP ${res.status}` };
    const json = (await res.json()) as unknown;
    if (!json || typeof json !== "object" || Array.isArray(json)) return { error: "the answer is not a JSON object" };
    return { json: json as Record<string, unknown> };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return { error: err.name === "TimeoutError" ? `no answer within ${NET_TIMEOUT_MS / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message) };
  }
}

const sameUrl = (a: string, b: string) => {
  try {
    return new URL(a).href.replace(/\/+$/, "") === new URL(b).href.replace(/\/+$/, "");
  } catch {
    return false;
  }
};

/**
 * The single sign-on provider (OIDC_ISSUER): its discovery document must name the configured issuer and
 * its JWKS (the keys ID tokens are checked with) must be reachable and hold keys.
 */
export async function oidcCheck(config: Config): Promise<Check[]> {
  const issuer = config.OIDC_ISSUER;
  if (!issuer) return [];
  const shown = maskUrl(issuer);
  if (new URL(issuer).protocol !== "https:" && config.NODE_ENV !== "test") {
    return [problem(`OIDC_ISSUER ${shown} is not https: Schakel talks to a single sign-on provider over https only`)];
  }
  const discoveryUrl = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const discovery = await getJson(discoveryUrl);
  if (!discovery.json) return [problem(`the single sign-on provider ${shown} (OIDC_ISSUER) does not answer its discovery document ${maskUrl(discoveryUrl)}: ${discovery.error}`)];
  const named = String(discovery.json.issuer ?? "");
  if (!sameUrl(named, issuer)) return [problem(`the single sign-on provider's discovery document names the issuer "${maskUrl(named)}", not OIDC_ISSUER ${shown}: ID tokens would be refused; set OIDC_ISSUER exactly as the provider names itself`)];
  const jwksUri = typeof discovery.json.jwks_uri === "string" ? discovery.json.jwks_uri : "";
  if (!jwksUri) return [problem(`the single sign-on provider ${shown} names no jwks_uri in its discovery document`)];
  const jwks = await getJson(jwksUri);
  const keys = Array.isArray(jwks.json?.keys) ? (jwks.json.keys as unknown[]).length : 0;
  if (!jwks.json) return [problem(`the single sign-on provider's keys (${maskUrl(jwksUri)}) cannot be fetched: ${jwks.error}`)];
  if (keys === 0) return [problem(`the single sign-on provider's key set (${maskUrl(jwksUri)}) holds no keys`)];
  return [ok(`the single sign-on provider ${shown} answers: discovery document with this issuer, ${keys} signing key${keys === 1 ? "" : "s"}`)];
}
