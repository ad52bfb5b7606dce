import { describe, expect, it } from "vitest";
import { z } from "zod";
import { bornYearsBefore, brusselsDayStart, newId, shortId, todayInBrussels, uuidV7 } from "./values";

it("a Belgian day starts at 00:00 in Brussels: 23:00 UTC the day before in winter, 22:00 in summer, also on the days the clocks change", () => {
  expect(brusselsDayStart("2026-11-30")).toBe("2026-11-29T23:00:00.000Z");
  expect(brusselsDayStart("2026-07-01")).toBe("2026-06-30T22:00:00.000Z");
  // Summer time begins at 02:00 on 29 March 2026 (midnight is still winter time) and ends at 03:00 on 25 October.
  expect(brusselsDayStart("2026-03-29")).toBe("2026-03-28T23:00:00.000Z");
  expect(brusselsDayStart("2026-03-30")).toBe("2026-03-29T22:00:00.000Z");
  expect(brusselsDayStart("2026-10-25")).toBe("2026-10-24T22:00:00.000Z");
  expect(brusselsDayStart("2026-10-26")).toBe("2026-10-25T23:00:00.000Z");
  // Between midnight in Brussels and midnight UTC, "today" is already the next day; its start is before now.
  const late = new Date("2026-11-29T23:30:00.000Z");
  expect(todayInBrussels(late)).toBe("2026-11-30");
  expect(brusselsDayStart(todayInBrussels(late)) <= late.toISOString()).toBe(true);
});

it("gives the day of the moment asked, also straight after another moment or the present (the last second is kept)", () => {
  const today = todayInBrussels();
  // Around midnight in Brussels (23:00 UTC in winter), to the millisecond, back and forth.
  expect(todayInBrussels(new Date("2026-11-29T22:59:59.999Z"))).toBe("2026-11-29");
  expect(todayInBrussels(new Date("2026-11-29T23:00:00.000Z"))).toBe("2026-11-30");
  expect(todayInBrussels(new Date("2026-11-29T22:59:59.000Z"))).toBe("2026-11-29");
  expect(todayInBrussels(new Date("2026-11-29T22:59:59.500Z"))).toBe("2026-11-29");
  expect(todayInBrussels(new Date("2026-07-01T21:59:59.999Z"))).toBe("2026-07-01");
  expect(todayInBrussels(new Date("2026-07-01T22:00:00.000Z"))).toBe("2026-07-02");
  // The present again, after the moments above (the same day unless midnight passed during the test).
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Brussels" });
  const before = day.format(new Date());
  const now = todayInBrussels();
  expect([before, day.format(new Date())]).toContain(now);
  expect([today, now]).toContain(todayInBrussels());
  expect(() => todayInBrussels(new Date("not a date"))).toThrow(RangeError);
});

describe("time-ordered ids (UUID version 7)", () => {
  it("carries the millisecond, the version and the variant, and 74 random bits", () => {
    const id = uuidV7(Date.UTC(2026, 10, 30, 12, 0, 0, 123));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 10, 30, 12, 0, 0, 123));
    expect(z.string().uuid().safeParse(id).success).toBe(true); // the routes' id check accepts it
  });

  it("is unique, sorts by creation time as text, and spreads its random part evenly", () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => uuidV7(1_800_000_000_000 + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    const byTime = [...ids].sort();
    expect(byTime.map((id) => id.slice(0, 13))).toEqual(ids.map((id) => id.slice(0, 13)));
    // Every hex digit of the last group appears about equally often (not a counter, not constant).
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(24)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(16);
    for (const n of counts.values()) expect(Math.abs(n / (ids.length * 12) - 1 / 16)).toBeLessThan(0.005);
  });

  it("is what newId gives", () => {
    const before = Date.now();
    const id = newId();
    const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
    expect(id[14]).toBe("7");
  });
});

it("a short form of an id tells apart ids made in the same second (its random end, not its time start)", () => {
  const ids = Array.from({ length: 1000 }, () => newId());
  expect(new Set(ids.map(shortId)).size).toBe(1000);
  expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBeLessThanOrEqual(2); // why not the start
});

it("a demo person's birth date keeps their age whatever day the demo is seeded", () => {
  expect(bornYearsBefore("2026-12-03", 16, "05-14")).toBe("2010-05-14");
  expect(bornYearsBefore("2030-01-06", 16, "05-14")).toBe("2014-05-14");
  expect(bornYearsBefore("2027-05-14", 17, "03-21")).toBe("2010-03-21");
});
