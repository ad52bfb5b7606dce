/**
 * Rendered fragments kept by their content (issue 9): the rows of a long table rendered once for the
 * same rows in the same language, then reused, by whoever views them.
 *
 * The key is the fragment's name, the language and the JSON of exactly the data it is rendered from;
 * the fragment is rendered with a view context that holds nothing about the viewer (sharedView: no name,
 * no CSRF token, asking for a permission throws), so what it shows can only come from that data and the
 * language. Whoever gets a kept fragment passed the same data: they were allowed to see it. Kept in
 * memory only, at most MAX_FRAGMENTS (least recently used goes first).
 *
 * Used for the case list's 50 rows (~180 us to render with their 150 formatted dates; the key ~19 us).
 *
 * Data that is deeply frozen (every array and object in it, as the case list memo gives its rows:
 * decision 0075) cannot change, so the object itself is the key and its JSON is not written: under load
 * that JSON was ~35 us and ~20 KB of garbage a case list view. Kept as long as the data object lives.
 */
import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";
import { sharedView } from "./shared-content";
import type { ViewContext } from "./view";

export const MAX_FRAGMENTS = 200;
const kept = new Map<string, string>();
/** Fragments of deeply frozen data, by the data object, then name and language. */
const byObject = new WeakMap<object, Map<string, string>>();

/** Objects found deeply frozen: a frozen object cannot thaw, so the answer holds for its life. */
const knownFrozen = new WeakSet<object>();

/**
 * True when no array or object inside `value` (itself included) can change. Asked on every case list view
 * (the list content and its rows fragment): the walk over the items is done once per object.
 */
export function deeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== "object") return typeof value !== "function";
  if (knownFrozen.has(value)) return true;
  if (!Object.isFrozen(value)) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (!deeplyFrozen(v)) return false;
  knownFrozen.add(value);
  return true;
}

/** The HTML of `render(view, data)`, rendered once per name, language and data. */
export function keptFragment<T>(name: string, view: ViewContext, data: T, render: (view: ViewContext, data: T) => JSX.Element): string {
  if (data !== null && typeof data === "object" && deeplyFrozen(data)) {
    let mine = byObject.get(data);
    if (!mine) {
      mine = new Map();
      byObject.set(data, mine);
    }
    const at = `${name}\u0000${view.locale}`;
    const found = mine.get(at);
    if (found !== undefined) return found;
    const html = renderToString(render(sharedView(view, `fragment:${name}`), data));
    mine.set(at, html);
    return html;
  }
  const key = `${name}\u0000${view.locale}\u0000${JSON.stringify(data)}`;
  const found = kept.get(key);
  if (found !== undefined) {
    // Least recently used goes first: a hit moves to the end.
    kept.delete(key);
    kept.set(key, found);
    return found;
  }
  const html = renderToString(render(sharedView(view, `fragment:${name}`), data));
  if (kept.size >= MAX_FRAGMENTS) kept.delete(kept.keys().next().value as string);
  kept.set(key, html);
  return html;
}

/** How many fragments are kept (tests). */
export const keptFragments = () => kept.size;
