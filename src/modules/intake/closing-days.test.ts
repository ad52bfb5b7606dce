import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { makeActor } from "../cases/testing";
import { addClosingDay, checkClosingDay, closingDayLivcs, closingDaysView, extraDaysByLivc, extraDaysFor, legalHolidaysNamed, removeClosingDay } from "./closing-days";
import { emptyForm } from "./schema";
import { fileReport, livcQueue } from "./service";
import * as store from "./store";
import { addWorkingDays, belgianPublicHolidays, isWorkingDay, workingDaysBetween } from "./working-days";

describe("checkClosingDay (the rules of SCHAKEL_EXTRA_HOLIDAYS, plus what already closes that day)", () => {
  it("accepts yearly MM-DD (02-29 too) and one-off YYYY-MM-DD weekdays in 2019-2100", () => {
    for (const day of ["07-11", "02-29", "12-26", "2027-05-07", "2019-01-02", "2100-12-31"]) expect(checkClosingDay(day, [], []), day).toBeNull();
  });
  it("refuses a missing day and every bad format with 'format'", () => {
    expect(checkClosingDay("", [], [])).toEqual({ field: "day", code: "required" });
    for (const day of ["02-30", "13-01", "7-11", "07/11", "11-07-2027", "2027-02-29", "2018-12-31", "2101-01-03", "07-11,12-26", "vrijdag", "2027-5-7", " 07-11x"]) {
      expect(checkClosingDay(day, [], []), day).toEqual({ field: "day", code: "format" });
    }
  });
  it("refuses a duplicate of the LIVC's list, also a one-off date on one of its yearly days", () => {
    expect(checkClosingDay("07-11", ["07-11"], [])).toEqual({ field: "day", code: "duplicate" });
    expect(checkClosingDay("2027-05-07", ["2027-05-07"], [])).toEqual({ field: "day", code: "duplicate" });
    expect(checkClosingDay("2029-07-11", ["07-11"], [])).toEqual({ field: "day", code: "duplicate" });
    // A yearly day beside a one-off date of the same month-day is allowed (it closes every other year too).
    expect(checkClosingDay("07-11", ["2029-07-11"], [])).toBeNull();
  });
  it("refuses a day the installation-wide list, a legal holiday or a weekend already closes", () => {
    expect(checkClosingDay("12-26", [], ["12-26"])).toEqual({ field: "day", code: "installation" });
    expect(checkClosingDay("2029-12-26", [], ["12-26"])).toEqual({ field: "day", code: "installation" });
    expect(checkClosingDay("2027-05-07", [], ["2027-05-07"])).toEqual({ field: "day", code: "installation" });
    expect(checkClosingDay("07-21", [], [])).toEqual({ field: "day", code: "legal" });
    expect(checkClosingDay("2027-03-29", [], [])).toEqual({ field: "day", code: "legal" }); // Easter Monday 2027
    expect(checkClosingDay("2027-05-08", [], [])).toEqual({ field: "day", code: "weekend" }); // a Saturday
    expect(checkClosingDay("05-08", [], [])).toBeNull(); // yearly: a weekday in most years
  });
  it("names the ten legal holidays of a year, the same dates as belgianPublicHolidays", () => {
    for (const year of [2026, 2027, 2008]) {
      const named = legalHolidaysNamed(year);
      expect(named).toHaveLength(10);
      expect([...new Set(named.map((h) => h.date))].sort()).toEqual(belgianPublicHolidays(year));
    }
    expect(legalHolidaysNamed(2027).find((h) => h.key === "easter_monday")?.date).toBe("2027-03-29");
  });
});

/** The next `n` days after `from` that are working days without any closing day (Monday-Friday, no legal holiday). */
const nextWeekdays = (from: string, n: number) => {
  const days: string[] = [];
  for (let d = addDays(from, 1); days.length < n; d = addDays(d, 1)) if (isWorkingDay(d, [])) days.push(d);
  return days;
};

describeEachDialect("closing days per LIVC", (ctx) => {
  const today = todayInBrussels();
  let gent: string;
  let aalst: string;
  let chair: Actor;
  let coordinator: Actor;
  let otherCoordinator: Actor;
  let officer: Actor;
  let admin: Actor;
  const who = (actor: Actor) => ({ actor });
  const auditOf = (id: string) => ctx().database.db.selectFrom("audit_entry").select(["action", "outcome", "livc_id"]).where("resource_id", "=", id).orderBy("seq").execute();

  beforeAll(async () => {
    gent = await makeTestLivc(ctx().database, { actor: null }, livcInput("CDGENT", "LIVC Gent (sluitingsdagen)"), ["44021"]);
    aalst = await makeTestLivc(ctx().database, { actor: null }, livcInput("CDAALST", "LIVC Aalst (sluitingsdagen)"), ["41002"]);
    chair = await makeActor(ctx(), [{ livcId: gent, role: "chair" }]);
    coordinator = await makeActor(ctx(), [{ livcId: gent, role: "coordinator" }]);
    otherCoordinator = await makeActor(ctx(), [{ livcId: aalst, role: "coordinator" }]);
    officer = await makeActor(ctx(), [{ livcId: gent, role: "information_officer" }]);
    admin = await makeActor(ctx(), [], { isAdmin: true });
  }, 60_000);

  it("chair and coordinator add a yearly and a one-off day: listed by day, description tidied, each add audited for the LIVC", async () => {
    const yearly = await addClosingDay(ctx(), who(chair), gent, { day: " 07-11 ", description: "  Feest van de\nVlaamse Gemeenschap " });
    const oneOff = await addClosingDay(ctx(), who(coordinator), gent, { day: "2027-05-07", description: "" });
    if (yearly.kind !== "ok" || oneOff.kind !== "ok") throw new Error(`refused: ${yearly.kind} ${oneOff.kind}`);
    const view = await closingDaysView(ctx(), who(chair), gent, today);
    if (view.kind !== "ok") throw new Error(view.kind);
    expect(view.rows.map((r) => [r.day, r.description])).toEqual([
      ["07-11", "Feest van de Vlaamse Gemeenschap"],
      ["2027-05-07", ""],
    ]);
    expect(view.livc.name).toBe("LIVC Gent (sluitingsdagen)");
    expect(view.legal.map((y) => y.year)).toEqual([Number(today.slice(0, 4)), Number(today.slice(0, 4)) + 1]);
    expect(await auditOf(yearly.id)).toEqual([{ action: "intake.closing_day.add", outcome: "success", livc_id: gent }]);
    expect(await extraDaysFor(ctx(), gent)).toEqual(["07-11", "2027-05-07"]);
    expect(await extraDaysFor(ctx(), aalst)).toEqual([]);
  });

  it("refuses duplicates and bad input with the field and reason, and stores nothing", async () => {
    const before = (await extraDaysFor(ctx(), gent)).length;
    expect(await addClosingDay(ctx(), who(chair), gent, { day: "07-11", description: "" })).toEqual({ kind: "invalid", errors: [{ field: "day", code: "duplicate" }] });
    expect(await addClosingDay(ctx(), who(chair), gent, { day: "2030-07-11", description: "" })).toEqual({ kind: "invalid", errors: [{ field: "day", code: "duplicate" }] });
    expect(await addClosingDay(ctx(), who(chair), gent, { day: "02-30", description: "x".repeat(81) })).toEqual({
      kind: "invalid",
      errors: [{ field: "day", code: "format" }, { field: "description", code: "too_long" }],
    });
    expect(await addClosingDay(ctx(), who(chair), gent, { day: "11-11", description: "" })).toEqual({ kind: "invalid", errors: [{ field: "day", code: "legal" }] });
    // The same day in ANOTHER LIVC's list is no duplicate.
    const elsewhere = await addClosingDay(ctx(), who(otherCoordinator), aalst, { day: "07-11", description: "é".repeat(80) });
    expect(elsewhere.kind).toBe("ok");
    expect((await extraDaysFor(ctx(), gent)).length).toBe(before);
    // The installation-wide list: a day it holds is refused, and it is part of what counts.
    ctx().config.SCHAKEL_EXTRA_HOLIDAYS = ["12-26"];
    try {
      expect(await addClosingDay(ctx(), who(chair), gent, { day: "12-26", description: "" })).toEqual({ kind: "invalid", errors: [{ field: "day", code: "installation" }] });
      expect(await extraDaysFor(ctx(), gent)).toEqual(["07-11", "12-26", "2027-05-07"]);
      expect(await extraDaysFor(ctx(), null)).toEqual(["12-26"]);
      const both = await extraDaysByLivc(ctx(), [gent, aalst, gent]);
      expect([...both.keys()].sort()).toEqual([gent, aalst].sort());
      expect(both.get(aalst)).toEqual(["07-11", "12-26"]);
    } finally {
      ctx().config.SCHAKEL_EXTRA_HOLIDAYS = [];
    }
  });

  it("who may: the LIVC's chair and coordinator and administrators; not another LIVC's coordinator, not the information officer (refusal audited)", async () => {
    expect((await closingDaysView(ctx(), who(admin), gent, today)).kind).toBe("ok");
    expect((await closingDaysView(ctx(), who(otherCoordinator), gent, today)).kind).toBe("forbidden");
    expect((await closingDaysView(ctx(), who(officer), gent, today)).kind).toBe("forbidden");
    expect(await addClosingDay(ctx(), who(otherCoordinator), gent, { day: "03-03", description: "" })).toEqual({ kind: "forbidden" });
    expect(await addClosingDay(ctx(), who(officer), gent, { day: "03-03", description: "" })).toEqual({ kind: "forbidden" });
    expect((await extraDaysFor(ctx(), gent)).includes("03-03")).toBe(false);
    const denied = await ctx().database.db.selectFrom("audit_entry").select(["actor_id", "outcome"]).where("action", "=", "intake.closing_days.manage").where("resource_id", "=", gent).execute();
    expect(denied.filter((d) => d.actor_id === officer.userId).map((d) => d.outcome)).toEqual(["denied", "denied"]);
    expect(await addClosingDay(ctx(), who(admin), "00000000-0000-4000-8000-000000000000", { day: "03-03", description: "" })).toEqual({ kind: "not_found" });
    const added = await addClosingDay(ctx(), who(admin), gent, { day: "03-03", description: "Beheerder" });
    expect(added.kind).toBe("ok");
    expect((await closingDayLivcs(ctx(), coordinator)).map((l) => l.id)).toEqual([gent]);
    expect((await closingDayLivcs(ctx(), officer)).map((l) => l.id)).toEqual([]);
    expect((await closingDayLivcs(ctx(), admin)).map((l) => l.id)).toEqual(expect.arrayContaining([gent, aalst]));
  });

  it("removes a day of its own LIVC only, audited; an id of another LIVC's day is not found there", async () => {
    const mine = await addClosingDay(ctx(), who(coordinator), gent, { day: "04-04", description: "" });
    const theirs = await addClosingDay(ctx(), who(otherCoordinator), aalst, { day: "04-04", description: "" });
    if (mine.kind !== "ok" || theirs.kind !== "ok") throw new Error("not added");
    expect(await removeClosingDay(ctx(), who(coordinator), gent, theirs.id)).toEqual({ kind: "not_found" });
    expect(await removeClosingDay(ctx(), who(coordinator), aalst, theirs.id)).toEqual({ kind: "forbidden" });
    expect((await extraDaysFor(ctx(), aalst)).includes("04-04")).toBe(true);
    expect(await removeClosingDay(ctx(), who(coordinator), gent, mine.id)).toEqual({ kind: "ok" });
    expect((await extraDaysFor(ctx(), gent)).includes("04-04")).toBe(false);
    expect((await auditOf(mine.id)).map((e) => e.action)).toEqual(["intake.closing_day.add", "intake.closing_day.remove"]);
    expect(await removeClosingDay(ctx(), who(coordinator), gent, mine.id)).toEqual({ kind: "not_found" });
  });

  it("the deadline of a report counts its own LIVC's closing days, never another LIVC's; a deadline given stays", async () => {
    const l1 = await makeTestLivc(ctx().database, { actor: null }, livcInput("CDDL1", "LIVC Deadline Een"), ["44083"]);
    const l2 = await makeTestLivc(ctx().database, { actor: null }, livcInput("CDDL2", "LIVC Deadline Twee"), ["24062"]);
    const c1 = await makeActor(ctx(), [{ livcId: l1, role: "coordinator" }]);
    const c2 = await makeActor(ctx(), [{ livcId: l2, role: "coordinator" }]);
    const reporter = await makeActor(ctx(), [{ livcId: l1, role: "reporter" }]);
    const file = async (nis: string) => {
      const form = { ...emptyForm(), identity_known: "known", subject_name: "Termijn Persoon", subject_birth_date: "2001-01-01", municipality_nis: nis, signals: ["supports_violence"], observation: "x", since: "weeks", person_knows: "no", reporter_contact: "0470" };
      const filed = await fileReport(ctx(), { actor: reporter }, form, "submit");
      if (filed.kind !== "submitted") throw new Error(`not filed: ${JSON.stringify(filed)}`);
      return ctx().database.db.selectFrom("report").select(["id", "livc_id", "screening_due_on"]).where("reference", "=", filed.reference).executeTakeFirstOrThrow();
    };
    const plain = addWorkingDays(today, 10, []);
    // LIVC Twee closes on the next four working days: reports for LIVC Een do not notice.
    const closed = nextWeekdays(today, 4);
    for (const day of closed) expect((await addClosingDay(ctx(), who(c2), l2, { day, description: "Brugdag" })).kind).toBe("ok");
    const before = await file("44083");
    expect(before.livc_id).toBe(l1);
    expect(before.screening_due_on).toBe(plain);
    // Now LIVC Een closes on the same days: a report submitted from now on gets a later deadline.
    for (const day of closed) expect((await addClosingDay(ctx(), who(c1), l1, { day, description: "" })).kind).toBe("ok");
    const after = await file("44083");
    expect(after.screening_due_on).toBe(addWorkingDays(today, 10, closed));
    expect(after.screening_due_on! > plain).toBe(true);
    expect(workingDaysBetween(plain, after.screening_due_on!, [])).toBe(4);
    const other = await file("24062");
    expect(other.livc_id).toBe(l2);
    expect(other.screening_due_on).toBe(after.screening_due_on);

    // The queue: the deadline given before stays; the age counts the LIVC's days, read once for the page.
    const submitted = addDays(today, -14);
    const pastClosed = [addDays(today, -13), addDays(today, -12), addDays(today, -11), addDays(today, -10)].filter((d) => isWorkingDay(d, []));
    for (const day of pastClosed) expect((await addClosingDay(ctx(), who(c1), l1, { day, description: "" })).kind).toBe("ok");
    await store.updateReport(ctx().database.db, before.id, { submitted_at: `${submitted}T09:00:00.000Z` });
    await store.updateReport(ctx().database.db, other.id, { submitted_at: `${submitted}T09:00:00.000Z` });
    const q1 = await livcQueue(ctx(), c1, { filter: "open", page: 1 }, today);
    const q2 = await livcQueue(ctx(), c2, { filter: "open", page: 1 }, today);
    if (!q1 || q1 === "not_found" || !q2 || q2 === "not_found") throw new Error("no queue");
    const item = q1.list.items.find((i) => i.id === before.id)!;
    expect(item.dueOn).toBe(plain);
    expect(item.ageWorkingDays).toBe(workingDaysBetween(submitted, today, [...closed, ...pastClosed]));
    expect(item.ageWorkingDays).toBe(workingDaysBetween(submitted, today, []) - pastClosed.length);
    // LIVC Twee's report: LIVC Een's past closing days do not count for it.
    expect(q2.list.items.find((i) => i.id === other.id)!.ageWorkingDays).toBe(workingDaysBetween(submitted, today, []));
  });
});
