import { z } from "zod";
import type { ViewContext } from "./view";

/** A page number from a query string: anything that is not a whole number from 1 is page 1 (the list clamps the top). */
export const pageParam = z.coerce.number().int().min(1).max(100_000).catch(1);

export interface PaginationProps {
  ctx: ViewContext;
  /** The page shown, from 1. */
  page: number;
  /** How many pages there are; with one page or none nothing is rendered. */
  pages: number;
  /** The link to a page, keeping the other query parameters (the search, the filter) of the list. */
  href: (page: number) => string;
  /** The navigation's name for screen readers, already translated; names the list when a page has several. */
  label?: string;
}

/**
 * Previous/next links around the position ("Pagina 2 van 5"), for every paged list.
 * Plain links, so they work without JavaScript; a <nav> named by `label`, the position marked aria-current="page".
 */
export function Pagination(props: PaginationProps) {
  const { ctx, page, pages, href } = props;
  const { t, num } = ctx;
  if (pages <= 1) return null;
  return (
    <nav aria-label={props.label ?? t("pager.label")}>
      <ul class="pagination">
        {page > 1 ? (
          <li>
            <a href={href(page - 1)} rel="prev">
              {t("pager.prev")}
            </a>
          </li>
        ) : null}
        <li aria-current="page">{t("pager.position", { page: num(page), pages: num(pages) })}</li>
        {page < pages ? (
          <li>
            <a href={href(page + 1)} rel="next">
              {t("pager.next")}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** A list's link to a page: the path, the non-empty parameters given (the search), then the page. */
export function pageHref(path: string, params: Record<string, string | null | undefined>, page: number): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  query.set("page", String(page));
  return `${path}?${query}`;
}
