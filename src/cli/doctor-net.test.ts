import { spawn } from "node:child_process";
import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl, testConfig } from "../../test/support/db";
import { appSettings, startProvider, type TestProvider } from "../../test/support/oidc-provider";
import { type SmtpReceiver, startSmtpReceiver } from "../../test/support/smtp";
import { loadConfig } from "../platform/config";
import { generateKeyText } from "../platform/crypto/master-key";
import { formatCheck } from "./doctor";
import { oidcCheck, productionChecks, smtpCheck } from "./doctor-net";

/**
 * `schakel doctor`'s mail, single sign-on and production-setting lines (decision 0068), against the real SMTP
 * receiver and OpenID provider the other tests use, and against a closed port.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const config = (extra: Record<string, string>) => testConfig("sqlite::memory:", extra);
const show = (checks: { ok: boolean; what: string; warn?: boolean }[]) => checks.map(formatCheck);

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("schakel doctor: the mail server", () => {
  let receiver: SmtpReceiver;
  let tls: SMTPServer;
  let tlsPort: number;
  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    // smtp-server offers STARTTLS with its own self-signed certificate.
    tls = new SMTPServer({ authOptional: true, disabledCommands: ["AUTH"], onData: (stream, _s, done) => stream.resume().on("end", () => done()) });
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    tlsPort = (tls.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await receiver?.stop();
    await new Promise<void>((resolve) => tls.close(() => resolve()));
  });

  it("ok when it answers and offers STARTTLS", async () => {
    const url = `smtp://127.0.0.1:${tlsPort}?tls.rejectUnauthorized=false`;
    expect(show(await smtpCheck(config({ SMTP_URL: url })))).toEqual([`ok       the mail server ${url} answers and offers STARTTLS`]);
  });

  it("answers without STARTTLS: a warning outside development, ok in development", async () => {
    const [line] = show(await smtpCheck(config({ SMTP_URL: receiver.url })));
    expect(line).toMatch(new RegExp(`^warning  the mail server ${receiver.url} answers but offers no STARTTLS \\(.+\\): mail goes unencrypted; use smtps:// or a server with STARTTLS$`));
    const dev = loadConfig({ NODE_ENV: "development", DATABASE_URL: "sqlite::memory:", SMTP_URL: receiver.url });
    expect(show(await smtpCheck(dev))).toEqual([`ok       the mail server ${receiver.url} answers (TLS not checked in development)`]);
  });

  it("PROBLEM for a closed port, without the password of the URL", async () => {
    const port = await closedPort();
    const checks = await smtpCheck(config({ SMTP_URL: `smtp://schakel:Geheim-123@127.0.0.1:${port}` }));
    expect(show(checks)).toEqual([`PROBLEM  the mail server smtp://***@127.0.0.1:${port} (SMTP_URL) does not answer as expected: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it("nothing when SMTP_URL is not set", async () => {
    expect(await smtpCheck(config({}))).toEqual([]);
  });
});

describe("schakel doctor: the single sign-on provider", () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider({ current: { sub: "doctor" } });
  });
  afterAll(async () => provider?.close());

  it("ok when discovery names the configured issuer and the key set holds keys", async () => {
    expect(show(await oidcCheck(config(appSettings(provider.issuer))))).toEqual([
      `ok       the single sign-on provider ${provider.issuer} answers: discovery document with this issuer, 1 signing key`,
    ]);
  });

  it("PROBLEM when the discovery document names another issuer", async () => {
    const other = provider.issuer.replace("127.0.0.1", "localhost");
    expect(show(await oidcCheck(config(appSettings(other))))).toEqual([
      `PROBLEM  the single sign-on provider's discovery document names the issuer "${provider.issuer}", not OIDC_ISSUER ${other}: ID tokens would be refused; set OIDC_ISSUER exactly as the provider names itself`,
    ]);
  });

  it("PROBLEM for a closed port, and for plain http outside the tests", async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}`;
    expect(show(await oidcCheck(config(appSettings(issuer))))).toEqual([
      `PROBLEM  the single sign-on provider ${issuer} (OIDC_ISSUER) does not answer its discovery document ${issuer}/.well-known/openid-configuration: ECONNREFUSED`,
    ]);
    const dev = loadConfig({ NODE_ENV: "development", DATABASE_URL: "sqlite::memory:", ...appSettings(provider.issuer) });
    expect(show(await oidcCheck(dev))).toEqual([`PROBLEM  OIDC_ISSUER ${provider.issuer} is not https: Schakel talks to a single sign-on provider over https only`]);
  });
});

describe("schakel doctor: production settings", () => {
  const production = (extra: Record<string, string>) =>
    loadConfig({ NODE_ENV: "production", DATABASE_URL: "sqlite:/tmp/x.db", SCHAKEL_MASTER_KEY: generateKeyText(), ...extra });

  it("warns without SCHAKEL_PUBLIC_URL and without trusted proxies on a non-loopback HOST; PROBLEM for http", () => {
    expect(show(productionChecks(production({ HOST: "0.0.0.0" })))).toEqual([
      "warning  SCHAKEL_PUBLIC_URL is not set: links and the single sign-on return address need the installation's https address",
      "warning  HOST=0.0.0.0 listens beyond this machine and SCHAKEL_TRUSTED_PROXIES is not set: behind a reverse proxy every client gets the proxy's address (login throttle, audit log); set the proxy's address, or HOST=127.0.0.1 with the proxy on this machine",
    ]);
    expect(show(productionChecks(production({ SCHAKEL_PUBLIC_URL: "http://schakel.gemeente.be" })))).toEqual([
      "PROBLEM  SCHAKEL_PUBLIC_URL is http://schakel.gemeente.be: production is served over https only (session cookies are secure-only)",
    ]);
  });

  it("ok with an https address and the proxies named; nothing outside production", () => {
    expect(show(productionChecks(production({ HOST: "0.0.0.0", SCHAKEL_PUBLIC_URL: "https://schakel.gemeente.be", SCHAKEL_TRUSTED_PROXIES: "10.0.0.5" })))).toEqual([
      "ok       SCHAKEL_PUBLIC_URL is https://schakel.gemeente.be",
      "ok       trusted reverse proxies: 10.0.0.5",
    ]);
    expect(productionChecks(config({ HOST: "0.0.0.0" }))).toEqual([]);
  });
});

// The real process: exit code 1 on a PROBLEM, the lines in order, no secret. Once (SQLite): each CLI start costs ~2 s.
describe("schakel doctor as a process", () => {
  it("exits 1 when the mail server is unreachable, prints the newest backup of --backups, and never the SMTP password or the key", async () => {
    const url = await freshDatabaseUrl("sqlite");
    const key = generateKeyText();
    const { openContext } = await import("../platform/bootstrap");
    await (await openContext({ config: testConfig(url, { SCHAKEL_MASTER_KEY: key }) })).close();
    const backups = fs.mkdtempSync(path.join(os.tmpdir(), "schakel-doctor-cli-"));
    fs.writeFileSync(path.join(backups, "schakel-2026-11-30.sbk"), "SCHAKEL-BACKUP 2\n{}\n");
    // Written now by this process's clock (what the doctor compares with), not by the file system's.
    fs.utimesSync(path.join(backups, "schakel-2026-11-30.sbk"), new Date(), new Date());
    const port = await closedPort();
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "test", DATABASE_URL: url, SCHAKEL_MASTER_KEY: key, SMTP_URL: `smtp://schakel:Geheim-123@127.0.0.1:${port}` };
    delete env.SCHAKEL_KEY_FILE;
    const child = spawn(process.execPath, [path.join(ROOT, "bin/schakel.js"), "doctor", "--backups", backups], { cwd: ROOT, env });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (out += c));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    fs.rmSync(backups, { recursive: true, force: true });
    expect(status, out).toBe(1);
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("ok       configuration is valid (NODE_ENV=test, PORT=3000, HOST=127.0.0.1)");
    expect(lines).toContain(`PROBLEM  the mail server smtp://***@127.0.0.1:${port} (SMTP_URL) does not answer as expected: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(lines.filter((l) => l.startsWith("PROBLEM"))).toHaveLength(1);
    expect(lines.some((l) => new RegExp(`^ok {7}the newest backup in ${backups} is schakel-2026-11-30\\.sbk, \\d+ minutes? old`).test(l)), out).toBe(true);
    expect(lines.some((l) => l.startsWith("ok       audit chain head:") || l === "ok       the audit log is empty")).toBe(true);
    expect(out).not.toContain("Geheim-123");
    expect(out).not.toContain(key);
  }, 60_000);
});
