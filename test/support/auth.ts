/**
 * Test helpers for logged-in requests. They use the REAL login flow (password, then a TOTP code),
 * so a broken login breaks every route test that needs one.
 *
 *   const chair = await createUser(ctx(), { roles: [{ livcId, role: "chair" }] });
 *   const admin = await createUser(ctx(), { platformRoles: ["admin"] });
 *   const s = await login(app, chair);
 *   await app.inject({ method: "GET", url: "/account", headers: s.headers() });
 *   await app.inject({ method: "POST", url: "/api/v1/x", headers: s.headers({ json: true }), payload: {...} });  // JSON: x-csrf-token header
 *   await app.inject({ method: "POST", url: "/form", headers: s.headers({ form: true }), payload: s.form({ field: "v" }) }); // form: _csrf field
 *   const page = await loginInBrowser(page, chair);   // Playwright: fills the real login form
 *
 * createUser makes an active account with a strong random password and an enrolled TOTP secret.
 * login() may be called several times for one user: each call uses a fresh TOTP time step.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { LightMyRequestResponse } from "fastify";
import { generate } from "otplib";
import type { Page } from "playwright-core";
import type { PlatformRole } from "../../src/modules/identity/migrations";
import { createAccount } from "../../src/modules/identity/service";
import { newTotpSecret } from "../../src/platform/auth/totp";
import type { AppContext } from "../../src/platform/context";
import type { LivcRole } from "../../src/platform/policy/actor";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  displayName: string;
}

export interface LoginSession {
  /** "name=value; ..." to send as the cookie header. */
  cookie: string;
  csrfToken: string;
  /** Headers for app.inject: cookie always; json adds x-csrf-token and content-type; form adds content-type. */
  headers(opts?: { json?: boolean; form?: boolean }): Record<string, string>;
  /** A form body (urlencoded) with the CSRF field added. */
  form(fields?: Record<string, string>): string;
  jar: CookieJar;
}

let counter = 0;

export async function createUser(
  ctx: AppContext,
  opts: { roles?: { livcId: string; role: LivcRole; organisationId?: string | null }[]; platformRoles?: PlatformRole[]; organisationId?: string | null; displayName?: string; email?: string } = {},
): Promise<TestUser> {
  counter++;
  const email = opts.email ?? `user${counter}-${randomBytes(4).toString("hex")}@test.schakel.invalid`;
  const password = `Tst-${randomBytes(12).toString("base64url")}-pw`;
  const totpSecret = newTotpSecret();
  const displayName = opts.displayName ?? `Test Persoon ${counter}`;
  const id = await createAccount(ctx, {
    email,
    displayName,
    password,
    totpSecret,
    organisationId: opts.organisationId ?? null,
    platformRoles: opts.platformRoles ?? [],
    memberships: opts.roles ?? [],
  });
  return { id, email, password, totpSecret, displayName };
}

const lastStep = new Map<string, number>();

/** A TOTP code for a time step this user has not used yet (the server accepts each step once). */
export async function freshTotp(user: Pick<TestUser, "id" | "totpSecret">): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 1000);
    const step = Math.floor(now / 30);
    const used = lastStep.get(user.id) ?? -1;
    // One step of drift is accepted either way, so the next step is still valid now.
    for (const s of [step, step + 1]) {
      if (s > used) {
        lastStep.set(user.id, s);
        return generate({ secret: user.totpSecret, epoch: s * 30 + 1 });
      }
    }
    await new Promise((r) => setTimeout(r, (30 - (now % 30)) * 1000 + 50));
  }
}

export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === "";
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }
  get(name: string) {
    return this.cookies.get(name);
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export const csrfFromHtml = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no CSRF field on the page");
  return m[1];
};

const urlencoded = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = "application/x-www-form-urlencoded";

/** Logs in through the real forms: GET /login, POST /login, POST /login/mfa; then reads the CSRF token from /api/v1/me. */
export async function login(app: FastifyInstance, user: TestUser): Promise<LoginSession> {
  const jar = new CookieJar();
  const step = async (method: "GET" | "POST", url: string, payload?: Record<string, string>) => {
    const res = await app.inject({
      method,
      url,
      headers: { cookie: jar.header(), ...(payload ? { "content-type": FORM } : {}) },
      ...(payload ? { payload: urlencoded(payload) } : {}),
    });
    jar.take(res);
    return res;
  };
  const page = await step("GET", "/login");
  const afterPassword = await step("POST", "/login", { _csrf: csrfFromHtml(page.body), email: user.email, password: user.password, next: "/" });
  if (afterPassword.statusCode !== 303 || afterPassword.headers.location !== "/login/mfa") {
    throw new Error(`login: password step failed (${afterPassword.statusCode} ${afterPassword.headers.location ?? ""})`);
  }
  const mfaPage = await step("GET", "/login/mfa");
  const afterCode = await step("POST", "/login/mfa", { _csrf: csrfFromHtml(mfaPage.body), code: await freshTotp(user) });
  if (afterCode.statusCode !== 303) throw new Error(`login: TOTP step failed (${afterCode.statusCode})`);
  const me = await app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } });
  if (me.statusCode !== 200) throw new Error(`login: /api/v1/me answered ${me.statusCode}`);
  const csrfToken = me.json().csrf_token as string;
  const session: LoginSession = {
    jar,
    get cookie() {
      return jar.header();
    },
    csrfToken,
    headers(opts = {}) {
      return {
        cookie: jar.header(),
        ...(opts.json ? { "x-csrf-token": csrfToken, "content-type": "application/json", accept: "application/json" } : {}),
        ...(opts.form ? { "content-type": FORM } : {}),
      };
    },
    form(fields = {}) {
      return urlencoded({ ...fields, _csrf: csrfToken });
    },
  };
  return session;
}

/** Playwright: logs in through the real login form and the TOTP step; ends on the page after login. */
export async function loginInBrowser(page: Page, user: TestUser, next = "/"): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel(/E-mailadres|Adresse e-mail|E-mail address/).fill(user.email);
  await page.getByLabel(/^(Wachtwoord|Mot de passe|Password)$/).fill(user.password);
  await page.locator("form[action='/login'] button[type=submit]").click();
  await page.waitForURL(/\/login\/mfa/);
  await page.locator("#code").fill(await freshTotp(user));
  await page.locator("form[action='/login/mfa'] button[type=submit]").click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}
