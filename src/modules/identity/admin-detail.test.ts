import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";

/** The <form> elements opened while a <p> is still open, in the HTML as written. */
function formsInsideParagraphs(html: string): number {
  let open = 0;
  let found = 0;
  for (const m of html.matchAll(/<(\/?)(p|form)\b[^>]*>/g)) {
    if (m[2] === "p") open = Math.max(0, open + (m[1] ? -1 : 1));
    else if (!m[1] && open > 0) found++;
  }
  return found;
}

/**
 * The administrator's account page: its action forms must not sit inside a <p> (a browser
 * closes the paragraph at <form>, leaving an empty <p></p> and the forms outside it).
 */
describeEachDialect("administrator's account page markup", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let adminId: string;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const user = await createUser(ctx(), { platformRoles: ["admin"] });
    adminId = user.id;
    admin = await login(app, user);
  });
  afterAll(async () => app?.close());

  it("the check itself sees a form inside a paragraph", () => {
    expect(formsInsideParagraphs('<p>a <form method="post"><button>x</button></form></p>')).toBe(1);
    expect(formsInsideParagraphs('<p>a</p><div><form method="post"></form></div>')).toBe(0);
  });

  it("puts the account's action forms in a div, none inside a <p> (another account and the administrator's own)", async () => {
    const other = await createUser(ctx());
    for (const id of [other.id, adminId]) {
      const page = await app.inject({ method: "GET", url: `/admin/accounts/${id}`, headers: admin.headers() });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<div class="form-group" id="account-actions">');
      expect(page.body).toContain(`action="/admin/accounts/${id}/reset-link"`);
      expect(formsInsideParagraphs(page.body)).toBe(0);
      expect(page.body).not.toContain("<p></p>");
    }
  });
});
