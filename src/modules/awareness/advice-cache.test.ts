/**
 * The advice is cached per input revision (decision 0037): a second request is served from the
 * cache, and a change in each input family (awareness responses, consultation sessions, invitations,
 * seats, the register; awareness sessions and questions bump the token too) shows on the next page.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { ensureOrganisation } from "../identity/service";
import { addSeat, createConsultation, sendInvitation, setOrganisationMunicipalities } from "../partners/service";
import { addFramework } from "../registry/service";
import { addStandardQuestionnaire } from "./questionnaire";
import type { SessionInput } from "./schema";
import {
  addQuestion,
  addSession,
  adviceRevision,
  createAnonymousLinks,
  createCampaign,
  livcAdvice,
  municipalityAdvice,
  questionnaire,
  submitResponse,
} from "./service";

const who = { actor: null };
const NIS = "44021"; // Gent: the same municipality in the 2019 and the 2025 set.

describeEachDialect("awareness advice cache", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let campaignId: string;
  let livcId: string;
  let cawOrg: string;
  const today = todayInBrussels();

  beforeAll(async () => {
    const c = ctx();
    app = await buildApp(c, { logger: false });
    analyst = await login(app, await createUser(c, { platformRoles: ["regional_analyst"] }));
    campaignId = await createCampaign(c.database.db, { name: "Ronde cache", year: 2025, description: "" });
    await addStandardQuestionnaire(c.database.db, campaignId);
    livcId = await makeTestLivc(c.database, who, livcInput("CACHE", "LIVC Cachestad"), [NIS]);
    cawOrg = await ensureOrganisation(c, { name: "CAW Cachestad", sector: "caw" });
    await setOrganisationMunicipalities(c, who, cawOrg, [NIS]);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const page = async () => {
    const res = await app.inject({ url: `/awareness/campaigns/${campaignId}/advice/${NIS}`, headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const readinessDone = (html: string) => Number(/checklist van het register: (\d+) van \d+ punten/.exec(html)![1]);

  /** The advice object of the municipality: the same object while nothing changed. */
  const advice = async () => (await municipalityAdvice(ctx(), campaignId, NIS, today))!.advice;

  it("serves the same computed advice while no input changes (frozen, not recomputed)", async () => {
    const first = await advice();
    expect(await advice()).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.missing)).toBe(true);
    const livc = await livcAdvice(ctx(), campaignId, livcId, today);
    expect(await livcAdvice(ctx(), campaignId, livcId, today)).toBe(livc);
    const html = await page();
    expect(html).toContain("Casusoverleggen gehouden in de laatste 12 maanden: 0");
    expect(html).toContain("Sectoren met een partner aan tafel: 0");
    expect(html).not.toContain("Beroepsgeheim");
  });

  it("an awareness response: the objection its sector named appears", async () => {
    const before = await advice();
    const db = ctx().database.db;
    const [link] = await createAnonymousLinks(db, campaignId, "caw", "Oost-Vlaanderen", 1);
    const qs = await questionnaire(db, campaignId);
    const secrecy = qs[1].options.find((o) => o.objection === "professional_secrecy")!;
    const r = await submitResponse(ctx().database, link.token, { [`q_${qs[0].id}`]: qs[0].options[1].id, [`q_${qs[1].id}`]: secrecy.id, [`q_${qs[2].id}`]: "3" });
    expect(r.ok).toBe(true);
    expect(await advice()).not.toBe(before);
    expect(await page()).toContain("Beroepsgeheim");
  });

  it("a consultation session held: the count of consultations goes up", async () => {
    const before = await advice();
    await createConsultation(ctx(), who, { livcId, heldOn: addDays(today, -10), status: "held" });
    expect(await advice()).not.toBe(before);
    expect(await page()).toContain("Casusoverleggen gehouden in de laatste 12 maanden: 1");
  });

  it("an invitation: the register's readiness counts an invited partner sector", async () => {
    const done = readinessDone(await page());
    const other = await ensureOrganisation(ctx(), { name: "CLB Cachestad", sector: "clb" });
    await sendInvitation(ctx(), who, { livcId, organisationId: other, kind: "structural", today });
    expect(readinessDone(await page())).toBe(done + 1);
  });

  it("a seat: the sector takes part and is no longer missing", async () => {
    const before = await advice();
    expect(before.missing.map((m) => m.sector)).toEqual(["caw"]);
    await addSeat(ctx(), who, { livcId, seat: "partner", organisationId: cawOrg, fromOn: addDays(today, -1) });
    const after = await advice();
    expect(after.missing).toEqual([]);
    const html = await page();
    expect(html).toContain("Sectoren met een partner aan tafel: 1");
    expect(html).not.toContain("Beroepsgeheim");
    expect((await livcAdvice(ctx(), campaignId, livcId, today))!.missing).toEqual([]);
  });

  it("the register: an adopted framework counts in the readiness", async () => {
    const done = readinessDone(await page());
    await addFramework(ctx().database, who, livcId, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: addDays(today, -1) });
    expect(readinessDone(await page())).toBe(done + 1);
  });

  it("an awareness session and a new question replace the awareness token (the key changes)", async () => {
    const db = ctx().database.db;
    const r0 = await adviceRevision(db);
    await addSession(db, campaignId, { held_on: addDays(today, -3), sectors: ["caw"], province: null, municipalities: [NIS], participants: 12, materials: "" } as SessionInput);
    const r1 = await adviceRevision(db);
    expect(r1).not.toBe(r0);
    const before = await advice();
    await addQuestion(db, campaignId, { kind: "text", text_nl: "Nog iets?", text_fr: "Autre chose ?", required: false, options: [] });
    expect(await adviceRevision(db)).not.toBe(r1);
    expect(await advice()).not.toBe(before);
  });
});
