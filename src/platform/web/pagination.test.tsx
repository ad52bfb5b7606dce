import { renderToString } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { formatNumber, type Locale, translator } from "../i18n";
import { Pagination, pageHref } from "./pagination";
import type { ViewContext } from "./view";

const ctxOf = (locale: Locale) => ({ t: translator(locale), num: (n: number) => formatNumber(locale, n) }) as ViewContext;
const render = (page: number, pages: number, locale: Locale = "nl", label?: string) =>
  renderToString(<Pagination ctx={ctxOf(locale)} page={page} pages={pages} href={(p) => pageHref("/list", { q: "a&b", empty: "" }, p)} label={label} />);

describe("Pagination", () => {
  it("renders nothing for a single page or none", () => {
    expect(render(1, 1)).toBe("");
    expect(render(1, 0)).toBe("");
  });

  it("links to the next page only on the first page, keeping the search and dropping empty parameters", () => {
    const html = render(1, 3);
    expect(html).toContain('<nav aria-label="Paginanavigatie">');
    expect(html).not.toContain('rel="prev"');
    expect(html).toContain('<a href="/list?q=a%26b&amp;page=2" rel="next">Volgende pagina</a>');
    expect(html).toContain('<li aria-current="page">Pagina 1 van 3</li>');
  });

  it("links both ways in the middle and only back on the last page", () => {
    const middle = render(2, 3);
    expect(middle).toContain('<a href="/list?q=a%26b&amp;page=1" rel="prev">Vorige pagina</a>');
    expect(middle).toContain('rel="next"');
    const last = render(3, 3);
    expect(last).toContain('rel="prev"');
    expect(last).not.toContain('rel="next"');
  });

  it("takes the list's own label and speaks the person's language, numbers formatted", () => {
    expect(render(2, 1200, "fr", "Pages de la file")).toContain('<nav aria-label="Pages de la file">');
    const fr = render(2, 1200, "fr");
    expect(fr).toContain("Page précédente");
    expect(fr).toContain("Page suivante");
    expect(fr).toContain(`Page 2 sur ${formatNumber("fr", 1200)}`);
    expect(render(1, 2, "en")).toContain('<nav aria-label="Page navigation">');
  });
});
