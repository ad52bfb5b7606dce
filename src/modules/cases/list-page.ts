/**
 * The case list's content rendered once per list and sent around each request's layout (issue 9,
 * decision 0075 amended in session 18).
 *
 * On SQLite the list memo gives the same frozen items object for the same rows under the same token
 * (service.listItemsOf); on PostgreSQL the rows are read fresh and keyed by their JSON, as the rows
 * fragment is (platform/web/fragments.ts). The content inside <main> (work lists, filters, rows, paging) is a function of
 * its props and the language only: it is rendered with a view that holds nothing about the viewer
 * (sharedView: no name, asking for a permission throws) and a place for the CSRF token of the person
 * search form, which each request fills with its own token (shared-content.ts). It is kept by the items
 * object (or its JSON) and the JSON of every other prop, so two views share it only when they would have
 * rendered the same markup. Deflated once; each request deflates nothing (gzip: the layout and the token as stored
 * blocks around it, platform/web/encoding.ts).
 *
 * Never kept: a search by person (its name and date of birth are echoed in the form, and it is audited).
 * Memory only, at most MAX_KEPT entries.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { deeplyFrozen } from "../../platform/web/fragments";
import { SHARED_MARK, type SharedContent, sendWithShared, sharedContent, sharedView } from "../../platform/web/shared-content";
import { sendPage, type ViewContext } from "../../platform/web/view";
import { CasesMain, type CasesMainProps, CasesPage } from "./views/list";
import { extend } from "../../platform/objects";

export const MAX_KEPT = 100;
const kept = new Map<string, SharedContent>();
/** A number per items object (its identity in a string key); the object itself stays the memo's. */
const itemIds = new WeakMap<object, number>();
let lastId = 0;
let renders = 0;

/** The kept content for these props, or null when it must not be kept. */
export function keptCasesMain(view: ViewContext, props: CasesMainProps): SharedContent | null {
  if (props.query.name !== "" || props.query.dob !== "") return null;
  // Rows the list memo gave (frozen, SQLite) by their object's number; rows read fresh (PostgreSQL) by their JSON.
  const items = props.list.items;
  let itemsKey: string;
  if (deeplyFrozen(items)) {
    let id = itemIds.get(items);
    if (id === undefined) {
      id = ++lastId;
      itemIds.set(items, id);
    }
    itemsKey = `#${id}`;
  } else itemsKey = JSON.stringify(items);
  // Every other prop is in the key too (a prop added later as well).
  const key = `${view.locale}\u0000${itemsKey}\u0000${JSON.stringify(extend(props, { list: extend(props.list, { items: null }) }))}`;
  const found = kept.get(key);
  if (found) {
    kept.delete(key);
    kept.set(key, found);
    return found;
  }
  renders++;
  const main = sharedContent(renderToString(h(CasesMain, extend(props, { ctx: sharedView(view, "/cases", { csrf: true }) }))));
  if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string);
  kept.set(key, main);
  return main;
}

/** Sends the case list: the kept content around this request's layout and token, or rendered now. */
export function sendCaseList(request: FastifyRequest, reply: FastifyReply, view: ViewContext, props: CasesMainProps): FastifyReply {
  const main = keptCasesMain(view, props);
  if (!main) return sendPage(reply, h(CasesPage, extend(props, { ctx: view })));
  return sendWithShared(request, reply, h(CasesPage, extend(props, { ctx: view, mainHtml: SHARED_MARK })), main);
}

/** How many were rendered since start (tests). */
export const keptCaseLists = () => ({ renders });
