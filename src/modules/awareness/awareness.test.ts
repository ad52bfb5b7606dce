import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { ensureOrganisation } from "../identity/service";
import { addStandardQuestionnaire } from "./questionnaire";
import {
  addSession,
  AwarenessInputError,
  campaignAnalysis,
  createAnonymousLinks,
  createCampaign,
  createOrganisationLink,
  hashToken,
  LinkUsedError,
  linkState,
  questionnaire,
  sectorObjections,
  submitResponse,
} from "./service";

describeEachDialect("awareness survey", (ctx) => {
  let campaignId: string;
  const answer = async (token: string, objections: string[], scale: number, text?: string) => {
    const qs = await questionnaire(ctx().database.db, campaignId);
    const multiple = qs.find((q) => q.kind === "multiple")!;
    const body: Record<string, unknown> = {
      [`q_${qs[0].id}`]: qs[0].options[1].id,
      [`q_${multiple.id}`]: multiple.options.filter((o) => objections.includes(o.objection ?? "")).map((o) => o.id),
      [`q_${qs[2].id}`]: String(scale),
    };
    if (text) body[`q_${qs[4].id}`] = text;
    return submitResponse(ctx().database, token, body);
  };

  it("creates a campaign with the standard questionnaire", async () => {
    campaignId = await createCampaign(ctx().database.db, { name: "Sensibiliseringsronde 2025", year: 2025, description: "" });
    await addStandardQuestionnaire(ctx().database.db, campaignId);
    const qs = await questionnaire(ctx().database.db, campaignId);
    expect(qs.map((q) => q.kind)).toEqual(["single", "multiple", "scale", "scale", "text"]);
    expect(qs[1].options.map((o) => o.objection)).toContain("professional_secrecy");
  });

  it("stores only the hash of a 256-bit token", async () => {
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "clb", "Antwerpen", 1);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await ctx().database.db.selectFrom("awareness_link").select("token_hash").execute();
    expect(rows.map((r) => r.token_hash)).toContain(hashToken(link.token));
    expect(JSON.stringify(rows)).not.toContain(link.token);
  });

  it("refuses a survey link used twice", async () => {
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "youth_work", "Limburg", 1);
    expect((await answer(link.token, ["professional_secrecy"], 2)).ok).toBe(true);
    expect((await linkState(ctx().database.db, link.token)).state).toBe("used");
    await expect(answer(link.token, ["unclear_role"], 4)).rejects.toBeInstanceOf(LinkUsedError);
    const n = await ctx().database.db.selectFrom("awareness_response").select((e) => e.fn.countAll().as("n")).where("sector", "=", "youth_work").executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it("lets only one of two simultaneous submissions through", async () => {
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "caw", "Limburg", 1);
    const results = await Promise.allSettled([answer(link.token, ["workload_capacity"], 3), answer(link.token, ["workload_capacity"], 3)]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason instanceof LinkUsedError).length).toBe(1);
  });

  it("keeps the form answers when a required question is missing", async () => {
    const [link] = await createAnonymousLinks(ctx().database.db, campaignId, "caw", "Limburg", 1);
    const r = await submitResponse(ctx().database, link.token, {});
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(["required", "required"]);
    expect((await linkState(ctx().database.db, link.token)).state).toBe("open");
  });

  it("cannot trace an anonymous response to an organisation, a link or a moment", async () => {
    const db = ctx().database.db;
    const orgId = await ensureOrganisation(ctx(), { name: "CLB Test Antwerpen", sector: "clb" });
    const orgLink = await createOrganisationLink(ctx(), campaignId, orgId, "Antwerpen");
    const [anon] = await createAnonymousLinks(db, campaignId, "clb", "Antwerpen", 1);
    const auditBefore = await db.selectFrom("audit_entry").select((e) => e.fn.countAll().as("n")).executeTakeFirstOrThrow();
    await answer(orgLink.token, ["trust_in_police"], 4);
    await answer(anon.token, ["professional_secrecy", "legal_uncertainty"], 1, "Meer uitleg over het decreet");
    const responses = await db.selectFrom("awareness_response").selectAll().where("sector", "=", "clb").execute();
    const anonymous = responses.filter((r) => Number(r.anonymous) === 1);
    const named = responses.filter((r) => Number(r.anonymous) === 0);
    expect(named.map((r) => r.organisation_id)).toEqual([orgId]);
    expect(anonymous).toHaveLength(1);
    // The row holds exactly these facts: no link id, no organisation, no IP, no time of day.
    expect(Object.keys(anonymous[0]).sort()).toEqual(["anonymous", "campaign_id", "id", "organisation_id", "province", "sector", "submitted_on"]);
    expect(anonymous[0].organisation_id).toBeNull();
    expect(anonymous[0].submitted_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The anonymous link itself has no organisation and no date of use.
    const anonLink = await db.selectFrom("awareness_link").selectAll().where("token_hash", "=", hashToken(anon.token)).executeTakeFirstOrThrow();
    expect(anonLink.organisation_id).toBeNull();
    expect(Object.keys(anonLink).filter((k) => /used_(at|on)|ip|address/.test(k))).toEqual([]);
    // Answering writes nothing to the audit log (its entries carry a time and an address).
    const auditAfter = await db.selectFrom("audit_entry").select((e) => e.fn.countAll().as("n")).executeTakeFirstOrThrow();
    expect(Number(auditAfter.n)).toBe(Number(auditBefore.n));
  });

  it("analyses objections per sector and lists free text without attribution, sorted", async () => {
    const db = ctx().database.db;
    const links = await createAnonymousLinks(db, campaignId, "school_secondary", "West-Vlaanderen", 3);
    await answer(links[0].token, ["professional_secrecy"], 2, "zeker meer info");
    await answer(links[1].token, ["professional_secrecy", "workload_capacity"], 3, "Anders organiseren");
    await answer(links[2].token, [], 5, "betere terugkoppeling");
    const { analysis } = await campaignAnalysis(db, campaignId, { sector: "school_secondary" });
    expect(analysis.responses).toBe(3);
    expect(analysis.overall.objections.professional_secrecy).toBe(2);
    expect(analysis.overall.objections.workload_capacity).toBe(1);
    expect(analysis.scales[0].counts).toEqual([0, 1, 1, 0, 1]);
    expect(analysis.freeText[0].answers).toEqual(["Anders organiseren", "betere terugkoppeling", "zeker meer info"]);
    const bySector = await sectorObjections(db, campaignId);
    expect(bySector.get("school_secondary")).toEqual([
      { objection: "professional_secrecy", organisations: 2 },
      { objection: "workload_capacity", organisations: 1 },
    ]);
  });

  it("refuses a session with a NIS code that did not exist on its date", async () => {
    const db = ctx().database.db;
    const base = { held_on: "2025-03-10", sectors: ["clb" as const], province: null, participants: 12, materials: "" };
    await expect(addSession(db, campaignId, { ...base, municipalities: ["44021", "99999"] })).rejects.toBeInstanceOf(AwarenessInputError);
    // Borsbeek (11007) merged into Antwerpen on 2025-01-01: valid in 2024, not in 2025.
    await expect(addSession(db, campaignId, { ...base, municipalities: ["11007"] })).rejects.toBeInstanceOf(AwarenessInputError);
    expect(await addSession(db, campaignId, { ...base, held_on: "2024-06-01", municipalities: ["11007"] })).toMatch(/-/);
  });
});
