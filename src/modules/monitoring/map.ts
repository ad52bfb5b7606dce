/**
 * Choropleth map of Flanders rendered on the server with d3-geo from the shipped TopoJSON.
 * Paths are computed once per municipality set; the coloured SVG is cached per set, date,
 * register revision and language (a change to the register bumps the revision).
 */
import fs from "node:fs";
import path from "node:path";
import { geoMercator, geoPath } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import type { Translate } from "../../platform/i18n";
import type { CoverageState } from "../registry/service";

export const MAP_COLOURS: Record<CoverageState, string> = {
  own: "#0b4f9c",
  inter: "#4e9ad6",
  none: "#f2f2f2",
  needs_decision: "#f0b400",
};

const DATA_DIR = path.resolve(import.meta.dirname, "../../../data/reference");
const WIDTH = 800;

interface Shapes { width: number; height: number; paths: Map<string, string> }
const shapesBySet = new Map<"2019" | "2025", Shapes>();

function shapes(set: "2019" | "2025"): Shapes {
  let s = shapesBySet.get(set);
  if (s) return s;
  const topo = JSON.parse(fs.readFileSync(path.join(DATA_DIR, `flanders-municipalities-${set}.topojson`), "utf8")) as Topology;
  const fc = feature(topo, topo.objects.municipalities) as FeatureCollection<Geometry, { nis: string; name: string }>;
  const projection = geoMercator().fitWidth(WIDTH, fc);
  const [[, y0], [, y1]] = geoPath(projection).bounds(fc);
  projection.translate([projection.translate()[0], projection.translate()[1] - y0 + 2]);
  const paths = new Map<string, string>();
  for (const f of fc.features) {
    const ctx = new RoundedPath();
    geoPath(projection, ctx)(f);
    paths.set(f.properties.nis, ctx.toString());
  }
  s = { width: WIDTH, height: Math.ceil(y1 - y0) + 4, paths };
  shapesBySet.set(set, s);
  return s;
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);

/**
 * A path context that writes whole pixels and drops points that round onto the previous one:
 * at 800 px wide this keeps every border visible and makes the SVG several times smaller.
 */
class RoundedPath {
  private out: string[] = [];
  private last = "";
  moveTo(x: number, y: number) {
    this.last = `${Math.round(x)},${Math.round(y)}`;
    this.out.push(`M${this.last}`);
  }
  lineTo(x: number, y: number) {
    const p = `${Math.round(x)},${Math.round(y)}`;
    if (p === this.last) return;
    this.last = p;
    this.out.push(`L${p}`);
  }
  closePath() {
    this.out.push("Z");
  }
  arc() {}
  beginPath() {}
  toString() {
    return this.out.join("");
  }
}

export interface MapInput {
  set: "2019" | "2025";
  municipalities: { nis: string; name: string; state: CoverageState }[];
}

/**
 * The map as an SVG string. For the page: aria-hidden (the table twin carries the same data) and
 * links out of the tab order; for the PDF: plain shapes.
 */
export function renderMap(input: MapInput, t: Translate, opts: { links: boolean }): string {
  const { width, height, paths } = shapes(input.set);
  const parts: string[] = [];
  for (const m of input.municipalities) {
    const d = paths.get(m.nis);
    if (!d) continue;
    const shape = `<path d="${d}" fill="${MAP_COLOURS[m.state]}" stroke="#6f6f6d" stroke-width="0.5">${opts.links ? `<title>${escapeXml(`${m.name}: ${t(`mon.state.${m.state}`)}`)}</title>` : ""}</path>`;
    parts.push(opts.links ? `<a href="/municipalities/${m.nis}" tabindex="-1">${shape}</a>` : shape);
  }
  const attrs = opts.links ? ' aria-hidden="true" focusable="false" class="coverage-map"' : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"${attrs} data-set="${input.set}">${parts.join("")}</svg>`;
}

const caches = new WeakMap<object, Map<string, string>>();
const CACHE_LIMIT = 64;

/**
 * Cached per database (scope), set, date, register revision and language; entries of older
 * revisions are dropped on the next miss.
 */
export function cachedMap(
  scope: object,
  input: MapInput & { date: string; revision: number; locale: string },
  t: Translate,
  opts: { links: boolean },
): { svg: string; hit: boolean } {
  let cache = caches.get(scope);
  if (!cache) {
    cache = new Map();
    caches.set(scope, cache);
  }
  const key = `${input.revision}|${input.set}|${input.date}|${input.locale}|${opts.links ? "page" : "pdf"}`;
  const hit = cache.get(key);
  if (hit) return { svg: hit, hit: true };
  for (const k of cache.keys()) if (!k.startsWith(`${input.revision}|`) || cache.size >= CACHE_LIMIT) cache.delete(k);
  const svg = renderMap(input, t, opts);
  cache.set(key, svg);
  return { svg, hit: false };
}

export const mapCacheSize = (scope: object) => caches.get(scope)?.size ?? 0;
