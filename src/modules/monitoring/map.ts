/**
 * Choropleth map of Flanders rendered on the server with d3-geo from the shipped TopoJSON.
 * Paths are computed once per municipality set. The coloured SVG is a resource of its own
 * (GET /monitoring/map.svg, shown with <img>; the table twin on the page is its text alternative)
 * and goes into the PDF. It holds shapes and colours only (no names, no links), so it does not
 * depend on the language: it is built and compressed once per register revision and date.
 */
import fs from "node:fs";
import path from "node:path";
import { geoMercator, geoPath } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import type { CoverageState } from "../registry/service";
import { ROOT } from "../../platform/paths";
import { type Prepared, prepare } from "../../platform/web/encoding";

export const MAP_COLOURS: Record<CoverageState, string> = {
  own: "#0b4f9c",
  inter: "#4e9ad6",
  none: "#f2f2f2",
  needs_decision: "#f0b400",
};

const DATA_DIR = path.join(ROOT, "data/reference");
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

/** Width and height of the map of a municipality set, for the <img> attributes (no layout shift). */
export function mapSize(set: "2019" | "2025"): { width: number; height: number } {
  const { width, height } = shapes(set);
  return { width, height };
}

/**
 * A path context that writes whole pixels, relative to the previous point, and drops points that
 * round onto the previous one: at 800 px wide every border stays visible, and short relative steps
 * ("l1-2 3 0") compress far better than absolute coordinates.
 */
class RoundedPath {
  private out: string[] = [];
  private x = 0;
  private y = 0;
  private afterMove = false;
  moveTo(x: number, y: number) {
    this.x = Math.round(x);
    this.y = Math.round(y);
    this.out.push(`M${this.x} ${this.y}`);
    this.afterMove = true;
  }
  lineTo(x: number, y: number) {
    const rx = Math.round(x);
    const ry = Math.round(y);
    const dx = rx - this.x;
    const dy = ry - this.y;
    if (dx === 0 && dy === 0) return;
    this.x = rx;
    this.y = ry;
    // After "l" further pairs repeat the command; a minus sign separates numbers by itself.
    const first = this.afterMove ? `l${dx}` : dx < 0 ? `${dx}` : ` ${dx}`;
    this.out.push(`${first}${dy < 0 ? dy : ` ${dy}`}`);
    this.afterMove = false;
  }
  closePath() {
    this.out.push("z");
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

/** The map as an SVG document: one path per municipality, grouped by colour, one border style. */
export function renderMap(input: MapInput): string {
  const { width, height, paths } = shapes(input.set);
  const groups: string[] = [];
  for (const state of Object.keys(MAP_COLOURS) as CoverageState[]) {
    const parts: string[] = [];
    for (const m of input.municipalities) {
      const d = m.state === state ? paths.get(m.nis) : undefined;
      if (d) parts.push(`<path d="${d}"/>`);
    }
    if (parts.length > 0) groups.push(`<g fill="${MAP_COLOURS[state]}">${parts.join("")}</g>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" data-set="${input.set}">` +
    `<g stroke="#6f6f6d" stroke-width="0.5" stroke-linejoin="round">${groups.join("")}</g></svg>`
  );
}

const caches = new WeakMap<object, Map<string, Promise<Prepared>>>();
const CACHE_LIMIT = 16;

/**
 * The map of a date, cached per database (scope), register revision and date; entries of older
 * revisions are dropped on the next miss. Concurrent requests for a map being built share it.
 */
export function cachedMap(scope: object, input: MapInput & { date: string; revision: number }): { image: Promise<Prepared>; hit: boolean } {
  let cache = caches.get(scope);
  if (!cache) {
    cache = new Map();
    caches.set(scope, cache);
  }
  const key = `${input.revision}|${input.date}`;
  const hit = cache.get(key);
  if (hit) return { image: hit, hit: true };
  for (const k of cache.keys()) if (!k.startsWith(`${input.revision}|`) || cache.size >= CACHE_LIMIT) cache.delete(k);
  // Compressed at the best ratio once (~20 KB br), off the event loop.
  const image = prepare(Buffer.from(renderMap(input)), "map");
  image.catch(() => cache.delete(key));
  cache.set(key, image);
  return { image, hit: false };
}

export const mapCacheSize = (scope: object) => caches.get(scope)?.size ?? 0;
