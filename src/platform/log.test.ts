import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestContext, type TestContext } from "../../test/support/db";
import { buildApp } from "./web/app";

/** Captures real pino output from the app, then looks for personal data in it. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => lines.join("") };
}

describe("logs carry no personal data (pino redaction)", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext("sqlite");
    ctx.config = { ...ctx.config, LOG_LEVEL: "debug" };
  });
  afterAll(async () => ctx?.close());

  it("censors personal fields, bodies, query strings and cookies in request and application logs", async () => {
    const out = capture();
    const app = await buildApp(ctx, { logStream: out.stream });
    app.post("/test-log", { config: { permission: "public" } }, async (request) => {
      request.log.info({ person: { full_name: "Ayşe Yılmaz", birth_date: "2005-07-14" }, email: "ayse@example.be", name: "Ayşe Yılmaz" }, "handled a report");
      request.log.error({ err: Object.assign(new Error("duplicate key"), { detail: "Key (email)=(ayse@example.be) already exists." }) }, "request failed");
      return { ok: true };
    });
    await app.inject({
      method: "POST",
      url: "/test-log?name=Ay%C5%9Fe",
      headers: {
        "content-type": "application/json",
        cookie: `__Host-schakel_session=secret-session-token; __Host-schakel_csrf=${"c".repeat(40)}`,
        "x-csrf-token": "c".repeat(40),
      },
      payload: { full_name: "Ayşe Yılmaz", password: "hunter2-hunter2" },
    });
    // A login with an address in the body.
    await app.inject({ method: "POST", url: "/login", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "email=ayse%40example.be&password=hunter2-hunter2" });
    await app.close();
    const text = out.text();
    expect(text).toContain("handled a report");
    expect(text).toContain("[redacted]");
    for (const secret of ["Ayşe", "Yılmaz", "2005-07-14", "ayse@example.be", "hunter2", "secret-session-token"]) expect(text, secret).not.toContain(secret);
  });

  it("request log lines carry the request's correlation id (the request logger is made on first use)", async () => {
    const out = capture();
    const app = await buildApp(ctx, { logStream: out.stream });
    app.get("/test-log-id", { config: { permission: "public" } }, async (request) => {
      request.log.warn("something to say");
      return { ok: true };
    });
    const logged = await app.inject({ method: "GET", url: "/test-log-id" });
    const quiet = await app.inject({ method: "GET", url: "/healthz" });
    await app.close();
    const lines = out.text().trim().split("\n").map((l) => JSON.parse(l) as { reqId?: string; msg?: string });
    const id = String(logged.headers["x-correlation-id"]);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((l) => l.msg === "something to say")?.reqId).toBe(id);
    // LOG_LEVEL debug: one "request completed" line per request, with its own id.
    expect(lines.filter((l) => l.msg === "request completed").map((l) => l.reqId)).toEqual([id, String(quiet.headers["x-correlation-id"])]);
  });
});
