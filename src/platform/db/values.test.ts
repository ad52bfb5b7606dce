import { expect, it } from "vitest";
import { brusselsDayStart, todayInBrussels } from "./values";

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
