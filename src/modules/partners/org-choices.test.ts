import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { ORGANISATION_SEARCH_LIMIT, organisationChoices, setOrganisationMunicipalities } from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

/** What the LIVC partners page offers to invite or seat: local organisations, already linked ones, or a name search. */
describeEachDialect("organisation choices on the LIVC partners page", (ctx) => {
  it("offers the organisations working in the LIVC's municipalities and the linked ones; a search finds any by name", async () => {
    // Before the 2025 mergers (Antwerpen 11002 merged in 2025: its new version awaits a decision).
    const today = "2024-06-30";
    const livc = await makeLivc(ctx(), "LIVC Keuze", ["11002"]);
    const local = await makeOrg(ctx(), "Lokaal CAW", "caw");
    const farAway = await makeOrg(ctx(), "Verre School", "school_secondary");
    const linked = await makeOrg(ctx(), "Gekoppeld CLB", "clb");
    await setOrganisationMunicipalities(ctx(), system, local, ["11002"]);
    await setOrganisationMunicipalities(ctx(), system, farAway, ["71016"]);
    const ids = async (search: string, already: string[] = []) => (await organisationChoices(ctx(), livc, today, search, already)).map((o) => o.id);

    const offered = await ids("", [linked]);
    expect(offered).toContain(local);
    expect(offered).toContain(linked);
    expect(offered).not.toContain(farAway);

    // A search on part of the name, in any case, finds the organisation elsewhere; the linked one stays offered.
    const found = await ids("VERRE sch", [linked]);
    expect(found).toContain(farAway);
    expect(found).toContain(linked);
    expect(found).not.toContain(local);
    // Wildcards typed are plain text.
    expect(await ids("%")).not.toContain(local);

    // At most ORGANISATION_SEARCH_LIMIT by name.
    const tag = randomBytes(3).toString("hex");
    for (let i = 0; i < ORGANISATION_SEARCH_LIMIT + 5; i++) await makeOrg(ctx(), `Reeks ${tag} ${String(i).padStart(2, "0")}`, "caw");
    const many = await organisationChoices(ctx(), livc, today, `reeks ${tag}`, []);
    expect(many).toHaveLength(ORGANISATION_SEARCH_LIMIT);
    expect(many.map((o) => o.name)).toEqual([...many.map((o) => o.name)].sort((a, b) => a.localeCompare(b, "nl")));
  });
});
