import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, CookieJar, csrfFromHtml, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { buildApp } from "../../platform/web/app";
import { ensureOrganisation } from "../identity/service";
import { setOrganisationMunicipalities } from "../partners/service";
import { addStandardQuestionnaire } from "./questionnaire";
import { createAnonymousLinks, createCampaign, createOrganisationLink, questionnaire } from "./service";

const FORM = "application/x-www-form-urlencoded";

/** Text of a PDF through poppler's pdftotext, whitespace collapsed. */
function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schakel-pdf-")), "advice.pdf");
  fs.writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
}

describeEachDialect("awareness routes", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let campaignId: string;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    campaignId = await createCampaign(ctx().database.db, { name: "Ronde 2025", year: 2025, description: "" });
    await addStandardQuestionnaire(ctx().database.db, campaignId);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  /** Answers the survey as a visitor without an account: GET the page (CSRF cookie), then POST. */
  async function answerSurvey(token: string, pick: (qs: Awaited<ReturnType<typeof questionnaire>>) => [string, string][]) {
    const jar = new CookieJar();
    const page = await app.inject({ method: "GET", url: `/survey/${token}` });
    jar.take(page);
    const qs = await questionnaire(ctx().database.db, campaignId);
    const body = new URLSearchParams([["_csrf", page.statusCode === 200 ? csrfFromHtml(page.body) : "x"], ...pick(qs)]).toString();
    const headers = { cookie: jar.header(), "content-type": FORM };
    return { page, body, headers, res: await app.inject({ method: "POST", url: `/survey/${token}`, headers, payload: body }) };
  }
  const complete = (objections: string[]) => (qs: Awaited<ReturnType<typeof questionnaire>>): [string, string][] => [
    [`q_${qs[0].id}`, qs[0].options[1].id],
    ...qs[1].options.filter((o) => objections.includes(o.objection ?? "")).map((o): [string, string] => [`q_${qs[1].id}`, o.id]),
    [`q_${qs[2].id}`, "4"],
    [`q_${qs[4].id}`, "=cmd|' /C calc'!A0"],
  ];

  it("offers on the link form only the organisations found by a name search, and keeps the one chosen on a refused form", async () => {
    const tag = `Zoekorg ${Date.now() % 100000}`;
    const wanted = await ensureOrganisation(ctx(), { name: `${tag} CAW`, sector: "caw" });
    await ensureOrganisation(ctx(), { name: "Andere Dienst Elders", sector: "clb" });
    const options = (html: string) => [...html.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const empty = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/links/new`, headers: analyst.headers() });
    expect(empty.statusCode).toBe(200);
    expect(options(empty.body)).toEqual([]);
    const found = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/links/new?org_q=${encodeURIComponent(tag.toLowerCase())}`, headers: analyst.headers() });
    expect(options(found.body)).toEqual([wanted]);
    expect(found.body).toContain(`value="${tag.toLowerCase()}"`);
    // A refused form (no province for a named link) keeps the organisation chosen in the list.
    const refused = await app.inject({ method: "POST", url: `/awareness/campaigns/${campaignId}/links/new`, headers: analyst.headers({ form: true }), payload: analyst.form({ kind: "organisation", organisation_id: wanted, province: "", count: "1" }) });
    expect(refused.statusCode).toBe(400);
    expect(options(refused.body)).toEqual([wanted]);
    expect(refused.body).toContain(`<option value="${wanted}" selected`);
  });

  it("lets an organisation answer without an account, once; a second use gets a clear page", async () => {
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "clb", "Limburg", 1);
    const first = await answerSurvey(link.token, complete(["professional_secrecy"]));
    expect(first.page.statusCode).toBe(200);
    expect(first.page.body).toContain("Neemt uw organisatie vandaag deel aan een LIVC?");
    expect(first.res.statusCode).toBe(303);
    expect(first.res.headers.location).toBe("/survey/thanks");
    // Opening the link again shows the "already used" page; replaying the filled form is refused.
    const again = await app.inject({ method: "GET", url: `/survey/${link.token}` });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain("Deze link is al gebruikt");
    const replay = await app.inject({ method: "POST", url: `/survey/${link.token}`, headers: first.headers, payload: first.body });
    expect(replay.statusCode).toBe(410);
    expect(replay.body).toContain("Deze link is al gebruikt");
  });

  it("keeps the answers and links the error summary when a required question is missing", async () => {
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "clb", "Limburg", 1);
    const { res } = await answerSurvey(link.token, (qs) => [[`q_${qs[4].id}`, "Mijn bewaarde tekst"]]);
    expect(res.statusCode).toBe(400);
    const qs = await questionnaire(ctx().database.db, campaignId);
    expect(res.body).toContain(`href="#q_${qs[0].id}"`);
    expect(res.body).toContain("Mijn bewaarde tekst");
  });

  it("answers an unknown token with 404 and refuses a post without the CSRF token", async () => {
    expect((await app.inject({ method: "GET", url: `/survey/${"A".repeat(43)}` })).statusCode).toBe(404);
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "clb", "Limburg", 1);
    const res = await app.inject({ method: "POST", url: `/survey/${link.token}`, headers: { "content-type": FORM }, payload: "x=1" });
    expect(res.statusCode).toBe(403);
  });

  it("keeps the analysis for analysts: others are refused", async () => {
    const member = await login(app, await createUser(ctx(), {}));
    expect((await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/analysis`, headers: member.headers() })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/analysis` })).statusCode).toBe(303);
    const page = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/analysis`, headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('aria-hidden="true"');
    // One clb response naming professional secrecy: shown as <5, never as 1.
    expect(page.body).toMatch(/<th scope="row">Beroepsgeheim<\/th><td>&lt;5<\/td>/);
  });

  it("exports the analysis as CSV with formulas neutralised", async () => {
    const links = await createAnonymousLinks(ctx().database.db, campaignId, "caw", "Antwerpen", 5);
    for (const l of links) await answerSurvey(l.token, complete(["workload_capacity"]));
    const res = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/analysis.csv`, headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    expect(res.body).toContain("'=cmd|' /C calc'!A0");
    expect(res.body).not.toMatch(/;=cmd/);
    expect(res.body).toContain("sector;caw;5;objection;workload_capacity;5;100");
  });

  it("builds the advice PDF for one municipality naming the missing sectors, their objections and the talking points", async () => {
    const db = ctx().database.db;
    // Genk (71016): a youth centre works there and named trust in the police; it takes part in no LIVC.
    const youth = await ensureOrganisation(ctx(), { name: "Jeugdhuis Proef Genk", sector: "youth_work" });
    await setOrganisationMunicipalities(ctx(), {}, youth, ["71016"]);
    const link = await createOrganisationLink(ctx(), campaignId, youth, "Limburg");
    await answerSurvey(link.token, complete(["trust_in_police"]));

    const page = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/advice/71016`, headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Jeugdwerk");
    const res = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/advice/71016/pdf`, headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    const text = pdfText(res.rawPayload);
    expect(text).toContain("Advies sensibiliseringsronde: Genk");
    expect(text).toContain("Jeugdwerk");
    expect(text).toContain("Vertrouwen in de politie (<5 organisaties)");
    expect(text).toContain("consensus van alle leden");
    expect(text).toContain("geen onderzoek");
    // Objections of sectors that are not missing in Genk do not appear.
    expect(text).not.toContain("Werklast of capaciteit");
    expect(text).toContain("Dit rangschikt gemeenten, nooit personen");

    const sent = await app.inject({
      method: "POST",
      url: `/awareness/campaigns/${campaignId}/advice/71016/sent`,
      headers: analyst.headers({ form: true }),
      payload: analyst.form({ sent_on: "2025-10-01" }),
    });
    expect(sent.statusCode).toBe(303);
    const list = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/advice`, headers: analyst.headers() });
    expect(list.body).toMatch(/Genk<\/a><\/th><td>[^<]*<\/td><td>Jeugdwerk<\/td><td>1 oktober 2025<\/td>/);
    expect(await db.selectFrom("awareness_advice_sent").select("nis").execute()).toEqual([{ nis: "71016" }]);
  }, 30_000);

  it("gives an LIVC its advice: the sectors present in its municipalities that are not its partners", async () => {
    const livcId = await makeTestLivc(ctx().database, {}, livcInput("PROEF-GENK", "LIVC Proef Genk", { chair_name: "Voorzitter" }), ["71016"]);
    const page = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/advice/livc/${livcId}`, headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("LIVC Proef Genk");
    expect(page.body).toContain("Genk");
    expect(page.body).toMatch(/Jeugdwerk:\s*Vertrouwen in de politie \(&lt;5 organisaties\)/);
    const unknown = await app.inject({ method: "GET", url: `/awareness/campaigns/${campaignId}/advice/livc/nope`, headers: analyst.headers() });
    expect(unknown.statusCode).toBe(404);
  });
});
