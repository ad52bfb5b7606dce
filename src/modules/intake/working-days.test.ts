import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseClosingDays } from "../../platform/config";
import { addWorkingDays, belgianPublicHolidays, closedDaysOf, easterSunday, isWorkingDay, workingDaysBetween } from "./working-days";

// Pure date arithmetic (no database): the screening deadline's calendar (decision 0029).

describe("Easter and Belgium's legal public holidays", () => {
  it("computes Easter Sunday for known years, including the earliest and latest possible dates", () => {
    const known: Record<number, string> = {
      2024: "2024-03-31",
      2025: "2025-04-20",
      2026: "2026-04-05",
      2027: "2027-03-28",
      2038: "2038-04-25",
      2000: "2000-04-23",
      2019: "2019-04-21",
      1818: "1818-03-22", // earliest possible (22 March)
      2285: "2285-03-22",
      1943: "1943-04-25", // latest possible (25 April)
    };
    for (const [year, easter] of Object.entries(known)) expect(easterSunday(Number(year)), year).toBe(easter);
  });

  it("lists the ten legal holidays, the moving ones from Easter (+1, +39, +50)", () => {
    expect(belgianPublicHolidays(2026)).toEqual([
      "2026-01-01",
      "2026-04-06", // Easter Monday
      "2026-05-01",
      "2026-05-14", // Ascension Day
      "2026-05-25", // Whit Monday
      "2026-07-21",
      "2026-08-15",
      "2026-11-01",
      "2026-11-11",
      "2026-12-25",
    ]);
    // 2024: Easter Monday on 1 April, Ascension 9 May, Whit Monday 20 May.
    expect(belgianPublicHolidays(2024)).toEqual(expect.arrayContaining(["2024-04-01", "2024-05-09", "2024-05-20"]));
    // 2008: Ascension (1 May) fell on Labour Day: nine distinct dates that year, never a duplicate.
    expect(belgianPublicHolidays(2008).filter((d) => d === "2008-05-01")).toHaveLength(1);
    expect(belgianPublicHolidays(2008)).toHaveLength(9);
  });

  it("adds the configured closing days each year; 02-29 only in leap years", () => {
    expect(closedDaysOf(2026, ["07-11", "12-26", "07-21"])).toHaveLength(12); // 07-21 is already legal
    expect(closedDaysOf(2027, ["02-29"])).not.toContain("2027-02-29");
    expect(closedDaysOf(2028, ["02-29"])).toContain("2028-02-29");
  });
});

describe("working days with holidays", () => {
  it("a deadline across Easter Monday is one day later", () => {
    expect(addWorkingDays("2026-04-03", 1, [])).toBe("2026-04-07"); // Friday -> Tuesday (Monday 6 April is Easter Monday)
    expect(addWorkingDays("2026-03-30", 10, [])).toBe("2026-04-14"); // would be 13 April without Easter Monday
    expect(workingDaysBetween("2026-04-03", "2026-04-07", [])).toBe(1);
    expect(isWorkingDay("2026-04-06", [])).toBe(false);
  });

  it("a deadline across Christmas and New Year, with and without a local closing day on 26 December", () => {
    // 25 Dec 2025 is a Thursday, 1 Jan 2026 a Thursday.
    expect(addWorkingDays("2025-12-24", 5, [])).toBe("2026-01-02");
    expect(addWorkingDays("2025-12-24", 5, ["12-26"])).toBe("2026-01-05");
    expect(addWorkingDays("2025-12-19", 10, [])).toBe("2026-01-06");
    expect(addWorkingDays("2025-12-19", 10, ["12-26", "01-02"])).toBe("2026-01-08");
    expect(workingDaysBetween("2025-12-19", "2026-01-06", [])).toBe(10);
    expect(workingDaysBetween("2025-12-19", "2026-01-08", ["12-26", "01-02"])).toBe(10);
  });

  it("a holiday on a weekend is not counted out a second time (and no day in lieu)", () => {
    // 15 August 2026 is a Saturday, 1 November 2026 a Sunday, 11 July 2026 a Saturday.
    expect(workingDaysBetween("2026-08-14", "2026-08-17", [])).toBe(1);
    expect(workingDaysBetween("2026-10-30", "2026-11-02", [])).toBe(1);
    expect(addWorkingDays("2026-08-14", 1, [])).toBe("2026-08-17");
    expect(workingDaysBetween("2026-07-10", "2026-07-13", ["07-11"])).toBe(1);
    // A configured day that is also a legal holiday counts once: Mon 20 .. Fri 24 July 2026 minus 21 July.
    expect(workingDaysBetween("2026-07-17", "2026-07-24", ["07-21"])).toBe(4);
    expect(workingDaysBetween("2026-07-17", "2026-07-24", [])).toBe(4);
  });

  it("the deadline is always a working day, and the age count agrees with it over many years", () => {
    const extra = ["07-11", "11-02", "12-26"];
    let checked = 0;
    for (let d = "2023-12-20"; d < "2031-01-10"; d = addWorkingDays(d, 1, []).slice(0, 10)) {
      for (const n of [1, 3, 10, 25]) {
        const due = addWorkingDays(d, n, extra);
        expect(isWorkingDay(due, extra), `${d}+${n}`).toBe(true);
        expect(workingDaysBetween(d, due, extra), `${d}+${n}`).toBe(n);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(7000);
    // Against a plain day-by-day count over a long span (the fast count goes year by year).
    let slow = 0;
    for (let d = "2019-03-03"; d < "2031-11-12"; ) {
      const next = new Date(`${d}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      d = next.toISOString().slice(0, 10);
      if (isWorkingDay(d, extra)) slow++;
    }
    expect(workingDaysBetween("2019-03-03", "2031-11-12", extra)).toBe(slow);
    expect(workingDaysBetween("2031-11-12", "2019-03-03", extra)).toBe(0);
  });
});

describe("one-off closing days (YYYY-MM-DD)", () => {
  // 2027: Ascension Day is Thursday 6 May, so Friday 7 May is a bridge day.
  const bridge = ["2027-05-07"];

  it("a one-off date closes that day in its own year only", () => {
    expect(isWorkingDay("2027-05-07", bridge)).toBe(false);
    expect(isWorkingDay("2027-05-07", [])).toBe(true);
    expect(addWorkingDays("2027-05-05", 1, [])).toBe("2027-05-07"); // Wednesday + 1: Thursday is Ascension
    expect(addWorkingDays("2027-05-05", 1, bridge)).toBe("2027-05-10"); // ... and Friday is closed too
    expect(addWorkingDays("2027-04-30", 10, bridge)).toBe(addWorkingDays("2027-04-30", 11, []));
    expect(workingDaysBetween("2027-05-05", "2027-05-10", bridge)).toBe(1);
    expect(workingDaysBetween("2027-05-05", "2027-05-10", [])).toBe(2);
    expect(closedDaysOf(2027, bridge)).toContain("2027-05-07");
    // Thursday 7 May 2026 and Monday 7 May 2029 stay working days (a yearly "05-07" would close them).
    for (const other of ["2026-05-07", "2029-05-07"]) {
      expect(isWorkingDay(other, bridge), other).toBe(true);
      expect(isWorkingDay(other, ["05-07"]), other).toBe(false);
      expect(closedDaysOf(Number(other.slice(0, 4)), bridge), other).toEqual(belgianPublicHolidays(Number(other.slice(0, 4))));
    }
    expect(addWorkingDays("2026-05-06", 1, bridge)).toBe("2026-05-07");
    expect(workingDaysBetween("2026-05-01", "2026-05-31", bridge)).toBe(workingDaysBetween("2026-05-01", "2026-05-31", []));
  });

  it("a one-off date on a weekend changes nothing", () => {
    // Saturday 8 May 2027, Sunday 26 December 2027.
    const weekend = ["2027-05-08", "2027-12-26"];
    for (const [from, n] of [["2027-05-05", 1], ["2027-05-03", 10], ["2027-12-20", 5]] as const) {
      expect(addWorkingDays(from, n, weekend), from).toBe(addWorkingDays(from, n, []));
    }
    expect(workingDaysBetween("2027-05-01", "2027-12-31", weekend)).toBe(workingDaysBetween("2027-05-01", "2027-12-31", []));
  });

  it("a one-off date that is also a legal holiday or a yearly closing day is counted once", () => {
    const same = ["2027-05-06", "2027-07-21", "05-07", "2027-05-07"]; // Ascension, 21 July; the bridge day twice
    expect(closedDaysOf(2027, same)).toEqual([...belgianPublicHolidays(2027), "2027-05-07"].sort());
    expect(workingDaysBetween("2027-05-03", "2027-05-14", same)).toBe(7); // 10 weekdays minus Ascension and the bridge day
    expect(workingDaysBetween("2027-05-03", "2027-05-14", ["05-07"])).toBe(7);
    expect(addWorkingDays("2027-05-05", 1, same)).toBe("2027-05-10");
  });

  it("the fast count agrees with a day-by-day count when one-off dates fall in several years", () => {
    const extra = ["07-11", "12-26", "2025-05-02", "2026-05-15", "2027-05-07", "2027-05-08", "2028-02-29", "2030-12-27"];
    let slow = 0;
    for (let d = plusOne("2024-12-31"); d <= "2031-01-05"; d = plusOne(d)) if (isWorkingDay(d, extra)) slow++;
    expect(workingDaysBetween("2024-12-31", "2031-01-05", extra)).toBe(slow);
    // Each weekday one-off removes one working day from the span; the Saturday one (2027-05-08) none.
    expect(workingDaysBetween("2024-12-31", "2031-01-05", ["07-11", "12-26"]) - slow).toBe(5);
    for (let d = "2025-04-25"; d < "2027-06-01"; d = plusOne(d)) {
      const due = addWorkingDays(d, 10, extra);
      expect(isWorkingDay(due, extra), d).toBe(true);
      expect(workingDaysBetween(d, due, extra), d).toBe(10);
    }
  });
});

const plusOne = (date: string) => {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
};

describe("SCHAKEL_EXTRA_HOLIDAYS", () => {
  const load = (value?: string) => loadConfig({ NODE_ENV: "test", ...(value === undefined ? {} : { SCHAKEL_EXTRA_HOLIDAYS: value }) });

  it("defaults to none; parses, trims, sorts and de-duplicates MM-DD days and YYYY-MM-DD dates", () => {
    expect(load().SCHAKEL_EXTRA_HOLIDAYS).toEqual([]);
    expect(load("").SCHAKEL_EXTRA_HOLIDAYS).toEqual([]);
    expect(load(" 12-26, 07-11,,11-02,07-11 ").SCHAKEL_EXTRA_HOLIDAYS).toEqual(["07-11", "11-02", "12-26"]);
    expect(load("02-29").SCHAKEL_EXTRA_HOLIDAYS).toEqual(["02-29"]);
    expect(load("07-11,12-26,2027-05-07").SCHAKEL_EXTRA_HOLIDAYS).toEqual(["07-11", "12-26", "2027-05-07"]);
    expect(load("2027-05-07, 07-11 ,2027-05-07,2026-07-11").SCHAKEL_EXTRA_HOLIDAYS).toEqual(["07-11", "2026-07-11", "2027-05-07"]);
    expect(parseClosingDays("2019-01-01,2100-12-31,2028-02-29")).toEqual({ days: ["2019-01-01", "2028-02-29", "2100-12-31"] });
  });

  it("the parser names the first bad item of each kind", () => {
    const bad: Record<string, string> = {
      "2027-02-30": "not a real date",
      "2027-02-29": "29 February of a common year",
      "2027-13-01": "no month 13",
      "13-01": "no month 13 (month-day)",
      "07-32": "no 32nd day",
      "00-12": "no month 0",
      "7-11": "one-digit month",
      "2027-5-7": "one-digit month and day",
      "27-05-07": "two-digit year",
      "friday": "a word",
      "11/07": "another separator",
      "07-11;12-26": "another list separator",
      "2018-12-31": "a year before 2019",
      "2101-01-01": "a year after 2100",
      "0207-05-07": "a year far before 2019",
    };
    for (const [item, why] of Object.entries(bad)) {
      expect(parseClosingDays(item), why).toEqual({ bad: item });
      expect(parseClosingDays(`07-11,2027-05-07,${item},12-26`), why).toEqual({ bad: item });
    }
  });

  it("refuses a bad item with an error naming the variable and the item", () => {
    for (const bad of ["13-01", "7-11", "07-32", "02-30", "11/07", "2027-02-30", "2018-05-07", "2101-05-07", "friday", "07-11;12-26"]) {
      let error: unknown;
      try {
        load(`07-11,${bad},2027-05-07`);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe("SCHAKEL_EXTRA_HOLIDAYS");
      expect((error as ConfigError).message).toContain(
        "Configuration error: SCHAKEL_EXTRA_HOLIDAYS must be comma-separated closing days, month-day (mm-dd, every year) or a date (yyyy-mm-dd, that day only, 2019-2100)",
      );
      expect((error as ConfigError).message).toContain(`"${bad}" is not one`);
    }
  });

  it("stops start-up with exit code 2 and one line naming the variable and the item", () => {
    const bin = path.resolve(import.meta.dirname, "../../../bin/schakel.js");
    const r = spawnSync(process.execPath, [bin, "serve"], { env: { ...process.env, SCHAKEL_EXTRA_HOLIDAYS: "07-11,2027-02-30" }, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^Configuration error: SCHAKEL_EXTRA_HOLIDAYS .*"2027-02-30" is not one/);
  });
});
