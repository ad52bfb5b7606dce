import { describe, expect, it } from "vitest";
import { keptFragment, keptFragments, MAX_FRAGMENTS } from "./fragments";
import { formatDate, formatNumber, type Locale, translator } from "../i18n";
import type { ViewContext } from "./view";

const viewer = (locale: Locale, userName = "Anna Voorbeeld"): ViewContext => ({
  locale,
  t: translator(locale),
  path: "/cases",
  query: "",
  correlationId: "c-1",
  csrfToken: "geheim-token",
  userName,
  can: () => true,
  demo: false,
  pendingApprovals: 0,
  date: (iso) => formatDate(locale, iso),
  num: (n, opts) => formatNumber(locale, n, opts),
});

describe("kept fragments (platform/web/fragments.ts)", () => {
  const rows = [
    { id: "a1", label: "C-1", on: "2026-03-01" },
    { id: "a2", label: "C-2", on: "2026-04-15" },
  ];
  let renders = 0;
  const Rows = (view: ViewContext, data: typeof rows) => {
    renders++;
    return (
      <>
        {data.map((r) => (
          <tr>
            <td>{r.label}</td>
            <td>{view.date(r.on)}</td>
          </tr>
        ))}
      </>
    );
  };

  it("render once per name, language and data; every viewer gets the same HTML", () => {
    const before = renders;
    const first = keptFragment("test.rows", viewer("nl"), rows, Rows);
    expect(first).toContain("<td>C-1</td>");
    expect(keptFragment("test.rows", viewer("nl", "Bert Ander"), rows.map((r) => ({ ...r })), Rows)).toBe(first);
    expect(renders - before).toBe(1);
    // Another language, other data: rendered anew.
    expect(keptFragment("test.rows", viewer("fr"), rows, Rows)).not.toBe(first);
    const changed = keptFragment("test.rows", viewer("nl"), [{ ...rows[0], label: "C-1b" }, rows[1]], Rows);
    expect(changed).toContain("<td>C-1b</td>");
    expect(renders - before).toBe(3);
  });

  it("render with a view that holds nothing about the viewer", () => {
    let seen: ViewContext | undefined;
    keptFragment("test.view", viewer("en"), [1], (view) => {
      seen = view;
      return <p>x</p>;
    });
    expect(seen?.userName).toBeUndefined();
    expect(seen?.csrfToken).toBeUndefined();
    expect(() => seen?.can("cases.read" as never)).toThrow(/must not depend on the viewer's permissions/);
  });

  it(`keep at most ${MAX_FRAGMENTS}, the least recently used going first`, () => {
    const Para = (_view: ViewContext, data: (string | number)[]) => {
      renders++;
      return <p>{String(data[0])}</p>;
    };
    const keep = keptFragment("test.cap", viewer("nl"), ["kept"], Para);
    for (let i = 0; i < MAX_FRAGMENTS + 20; i++) {
      keptFragment("test.cap", viewer("nl"), [i], Para);
      // Used again now and then: never the least recently used.
      if (i % 50 === 0) keptFragment("test.cap", viewer("nl"), ["kept"], Para);
    }
    expect(keptFragments()).toBe(MAX_FRAGMENTS);
    let before = renders;
    expect(keptFragment("test.cap", viewer("nl"), ["kept"], Para)).toBe(keep);
    expect(renders).toBe(before);
    // The first of the numbered ones went long ago: rendered again.
    before = renders;
    expect(keptFragment("test.cap", viewer("nl"), [1], Para)).toBe("<p>1</p>");
    expect(renders).toBe(before + 1);
  });

  it("key deeply frozen data by the object itself: rendered once, its JSON never written; anything less frozen by content", () => {
    const frozenRows = Object.freeze(rows.map((r) => Object.freeze({ ...r }))) as typeof rows;
    let before = renders;
    const first = keptFragment("test.frozen", viewer("nl"), frozenRows, Rows);
    const spy = JSON.stringify;
    let written = 0;
    JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
      written++;
      return spy(...args);
    }) as typeof JSON.stringify;
    try {
      expect(keptFragment("test.frozen", viewer("nl", "Bert Ander"), frozenRows, Rows)).toBe(first);
      expect(written).toBe(0);
    } finally {
      JSON.stringify = spy;
    }
    expect(renders - before).toBe(1);
    expect(keptFragment("test.frozen", viewer("fr"), frozenRows, Rows)).toContain("<td>C-1</td>");
    expect(renders - before).toBe(2);
    // Frozen outside, a row inside that can change: keyed by its content, so a change shows.
    const row = { ...rows[0] };
    const shallow = Object.freeze([row, Object.freeze({ ...rows[1] })]) as typeof rows;
    before = renders;
    expect(keptFragment("test.frozen", viewer("nl"), shallow, Rows)).toContain("<td>C-1</td>");
    row.label = "C-1 gewijzigd";
    expect(keptFragment("test.frozen", viewer("nl"), shallow, Rows)).toContain("<td>C-1 gewijzigd</td>");
    expect(renders - before).toBe(2);
  });
});
