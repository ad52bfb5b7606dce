// A real login over HTTP (password, then TOTP), as a browser does it: the benchmark then sends the
// session cookie (and the CSRF token for POSTs) with every request.
import { generate } from "otplib";

export interface HttpSession {
  cookie: string;
  csrf: string;
}

const FORM = "application/x-www-form-urlencoded";
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const lastStep = new Map<string, number>();

function mergeCookies(jar: Map<string, string>, res: Response) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    const name = pair.slice(0, i);
    const value = pair.slice(i + 1);
    if (value === "" || /max-age=0/i.test(c)) jar.delete(name);
    else jar.set(name, value);
  }
}

/** Each TOTP time step is accepted once per account: successive logins wait for the next step when needed. */
async function freshCode(account: string, secret: string): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    for (const s of [step, step + 1]) {
      if (s > (lastStep.get(account) ?? 0)) {
        lastStep.set(account, s);
        return generate({ secret, epoch: s * 30 + 1 });
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Logs in; when another process used this account's current TOTP step already, tries again on a later step. */
export async function login(base: string, account: { email: string; password: string; totpSecret: string }): Promise<HttpSession> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loginOnce(base, account);
    } catch (e) {
      if (attempt >= 3 || !/TOTP step/.test((e as Error).message)) throw e;
    }
  }
}

async function loginOnce(base: string, account: { email: string; password: string; totpSecret: string }): Promise<HttpSession> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const go = async (method: string, path: string, form?: Record<string, string>) => {
    const res = await fetch(`${base}${path}`, { method, redirect: "manual", headers: { cookie: cookie(), ...(form ? { "content-type": FORM } : {}) }, body: form ? new URLSearchParams(form).toString() : undefined });
    mergeCookies(jar, res);
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  };
  const page = await go("GET", "/login");
  const pw = await go("POST", "/login", { _csrf: csrfOf(page.body), email: account.email, password: account.password, next: "/" });
  if (pw.status !== 303 || pw.location !== "/login/mfa") throw new Error(`login ${account.email}: password step answered ${pw.status} ${pw.location}`);
  const mfa = await go("GET", "/login/mfa");
  const done = await go("POST", "/login/mfa", { _csrf: csrfOf(mfa.body), code: await freshCode(`${base}|${account.email}`, account.totpSecret) });
  if (done.status !== 303) throw new Error(`login ${account.email}: TOTP step answered ${done.status}`);
  const me = await fetch(`${base}/api/v1/me`, { headers: { cookie: cookie() } });
  if (me.status !== 200) throw new Error(`login ${account.email}: /api/v1/me answered ${me.status}`);
  return { cookie: cookie(), csrf: ((await me.json()) as { csrf_token: string }).csrf_token };
}
