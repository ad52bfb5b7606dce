import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import * as partners from "../partners/service";
import { checkFiguresPeriod, FiguresPeriodError, lastEndedQuarterEnd, quarterBounds, quarterlyFigures, quarterOf } from "./figures";
import { openCaseFromScreening, SubjectAccessDenied, subjectAccessExport, subjectAccessPdf, transitionCase } from "./service";
import { makeActor, makeLivc, makeOrganisation } from "./testing";

describe("quarters", () => {
  it("maps dates to calendar quarters", () => {
    expect([quarterOf("2026-01-01"), quarterOf("2026-03-31"), quarterOf("2026-04-01"), quarterOf("2026-12-31")]).toEqual(["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q4"]);
    expect([quarterBounds("2026-02-14"), quarterBounds("2024-12-31")]).toEqual([
      { from: "2026-01-01", to: "2026-03-31" },
      { from: "2024-10-01", to: "2024-12-31" },
    ]);
  });

  it("accepts only whole quarters that have ended, naming the wrong bound", () => {
    const refused = (from: string, to: string, today?: string) => {
      try {
        checkFiguresPeriod({ from, to }, today);
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(FiguresPeriodError);
        return (e as FiguresPeriodError).parameter;
      }
    };
    expect(refused("2026-01-01", "2026-03-31", "2026-04-01")).toBeNull();
    expect(refused("2025-10-01", "2026-09-30", "2026-11-29")).toBeNull();
    expect(refused("2026-01-02", "2026-03-31")).toBe("from");
    expect(refused("2026-02-01", "2026-03-31")).toBe("from");
    expect(refused("x", "2026-03-31")).toBe("from");
    expect(refused("2026-01-01", "2026-03-30")).toBe("to");
    expect(refused("2026-01-01", "2026-02-28")).toBe("to");
    expect(refused("2026-04-01", "2026-03-31")).toBe("to");
    // The running quarter, even on its last day, and a quarter after it.
    expect(refused("2026-10-01", "2026-12-31", "2026-12-31")).toBe("to");
    expect(refused("2026-01-01", "2027-03-31", "2026-11-29")).toBe("to");
    expect(lastEndedQuarterEnd("2026-11-29")).toBe("2026-09-30");
    expect(lastEndedQuarterEnd("2026-01-01")).toBe("2025-12-31");
    expect(lastEndedQuarterEnd("2026-03-31")).toBe("2025-12-31");
  });
});

describeEachDialect("regional figures and subject access", (ctx) => {
  let small: string;
  let large: string;
  let coordinator: Actor;
  let chair: Actor;

  beforeAll(async () => {
    small = await makeLivc(ctx(), "KLEIN");
    large = await makeLivc(ctx(), "GROOT");
    coordinator = await makeActor(ctx(), [{ livcId: small, role: "coordinator" }, { livcId: large, role: "coordinator" }]);
    chair = await makeActor(ctx(), [{ livcId: small, role: "chair" }, { livcId: large, role: "chair" }]);
    const open = (livcId: string, openedOn: string, name = "Iemand Fictief") =>
      openCaseFromScreening(ctx(), { actor: coordinator }, { livcId, reportId: null, minor: false, identity: { fullName: name, dateOfBirth: "1999-09-09" }, screeningDecision: "take_up", openedOn });
    // Small LIVC: 2 cases in Q1, one of them closed in Q2. Large LIVC: 6 in Q1, 0 in Q2.
    const a = await open(small, "2026-02-01", "Anna Inzage");
    await open(small, "2026-03-01");
    for (let i = 0; i < 6; i++) await open(large, "2026-01-15");
    await transitionCase(ctx(), { actor: chair }, a.id, "close", { reason: "concern_addressed", note: "Opgelost na gesprek", today: "2026-05-05" });
    const clb = await makeOrganisation(ctx(), "CLB", "clb");
    for (let i = 0; i < 5; i++) {
      const id = await partners.createConsultation(ctx(), {}, { livcId: large, heldOn: `2026-0${i + 1}-10`, status: "held" });
      await partners.recordAttendance(ctx(), {}, { consultationId: id, organisationId: clb, attended: true });
    }
    await partners.createConsultation(ctx(), {}, { livcId: small, heldOn: "2026-02-20", status: "held" });
  });

  it("counts per LIVC per quarter, with 1 to 4 shown as <5 and 0 as 0", async () => {
    const figures = await quarterlyFigures(ctx(), { from: "2026-01-01", to: "2026-06-30" });
    const of = (livcId: string, quarter: string) => figures.find((f) => f.livcId === livcId && f.quarter === quarter);
    expect(of(small, "2026-Q1")).toMatchObject({ casesOpened: "<5", casesClosed: 0, consultationsHeld: "<5" });
    expect(of(small, "2026-Q2")).toMatchObject({ casesOpened: 0, casesClosed: "<5", consultationsHeld: 0 });
    expect(of(large, "2026-Q1")).toMatchObject({ casesOpened: 6, consultationsHeld: "<5", sectorsPresent: ["clb"] });
    expect(of(large, "2026-Q2")).toMatchObject({ casesOpened: 0, consultationsHeld: "<5" });
    // No field can carry a label or a person.
    const text = JSON.stringify(figures);
    expect(text).not.toContain("LIVC-KLEIN");
    expect(text).not.toContain("Anna");
    for (const f of figures) for (const n of [f.casesOpened, f.casesClosed, f.consultationsHeld]) expect(n === 0 || n === "<5" || (typeof n === "number" && n >= 5)).toBe(true);
  });

  it("refuses a period narrower than whole quarters, whoever calls", async () => {
    await expect(quarterlyFigures(ctx(), { from: "2026-01-01", to: "2026-02-28" })).rejects.toMatchObject({ parameter: "to" });
    await expect(quarterlyFigures(ctx(), { from: "2026-02-01", to: "2026-03-31" })).rejects.toMatchObject({ parameter: "from" });
  });

  it("subject access: only the DPO, found through the blind index, logged; JSON and PDF", async () => {
    const dpo = await makeActor(ctx(), [], { isDpo: true });
    await expect(subjectAccessExport(ctx(), { actor: chair }, { fullName: "Anna Inzage", dateOfBirth: "1999-09-09" })).rejects.toBeInstanceOf(SubjectAccessDenied);
    const e = await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "anna   inzage", dateOfBirth: "1999-09-09" });
    expect(e.cases).toHaveLength(1);
    expect(e.cases[0]).toMatchObject({ identity: { fullName: "Anna Inzage", dateOfBirth: "1999-09-09" }, closureNote: "Opgelost na gesprek", status: "closed" });
    expect((await subjectAccessExport(ctx(), { actor: dpo }, { fullName: "Anna Inzage", dateOfBirth: "1999-09-10" })).cases).toEqual([]);
    const pdf = await subjectAccessPdf(e);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const log = await ctx().database.db.selectFrom("audit_entry").select(["action", "outcome", "actor_id"]).where("action", "like", "subject_access.%").execute();
    expect(log.filter((l) => l.actor_id === dpo.userId && l.action === "subject_access.export").length).toBe(2);
    expect(log.some((l) => l.actor_id === chair.userId && l.outcome === "denied")).toBe(true);
  });
});
