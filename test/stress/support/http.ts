/**
 * A small HTTP client for tests against a real server process (fetch, loopback only): a cookie jar,
 * the real login flow (password, then TOTP) and CSRF-aware form and JSON posts.
 */
import { freshTotp, type TestUser } from "../../support/auth";

export interface Answer {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
  cookies: string[];
}

export class HttpClient {
  readonly cookies = new Map<string, string>();
  csrf = "";
  constructor(public baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(method: string, url: string, opts: { body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
    if (!url.startsWith("/")) throw new Error("loopback paths only");
    const res = await fetch(this.baseUrl + url, {
      method,
      redirect: "manual",
      headers: { cookie: this.cookieHeader(), ...(opts.headers ?? {}) },
      body: typeof opts.body === "string" || opts.body === undefined ? opts.body : new Uint8Array(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    const cookies = res.headers.getSetCookie();
    for (const c of cookies) {
      const [pair, ...attrs] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = value === "" || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]) < Date.now()));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text(), headers: res.headers, cookies };
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request("GET", url, { headers });
  }

  /** A urlencoded form post; adds this session's CSRF token unless _csrf is given. */
  form(url: string, fields: Record<string, string | string[]>, opts: { csrf?: string | null } = {}) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== null && !("_csrf" in fields)) p.append("_csrf", token);
    return this.request("POST", url, { body: p.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  json(method: string, url: string, payload: unknown, opts: { csrf?: string | null } = {}) {
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    return this.request(method, url, {
      body: JSON.stringify(payload),
      headers: { "content-type": "application/json", accept: "application/json", ...(token ? { "x-csrf-token": token } : {}) },
    });
  }

  /** The real login: GET /login, POST /login, GET/POST /login/mfa; then the CSRF token from /api/v1/me. */
  async login(user: TestUser): Promise<this> {
    const page = await this.get("/login");
    const r1 = await this.form("/login", { email: user.email, password: user.password, next: "/" }, { csrf: csrfOf(page.body) });
    if (r1.status !== 303 || r1.location !== "/login/mfa") throw new Error(`login: password step answered ${r1.status} ${r1.location ?? ""}`);
    const mfa = await this.get("/login/mfa");
    const r2 = await this.form("/login/mfa", { code: await freshTotp(user) }, { csrf: csrfOf(mfa.body) });
    if (r2.status !== 303) throw new Error(`login: TOTP step answered ${r2.status}`);
    const me = await this.get("/api/v1/me", { accept: "application/json" });
    if (me.status !== 200) throw new Error(`login: /api/v1/me answered ${me.status}`);
    this.csrf = JSON.parse(me.body).csrf_token;
    return this;
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no CSRF field on the page");
  return m[1];
}
