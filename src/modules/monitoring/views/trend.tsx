import type { TrendPoint } from "../service";

const W = 720;
const H = 240;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

/**
 * Coverage over time as a step line. Decorative for assistive technology (aria-hidden): the table
 * beside it carries the same figures.
 */
export function TrendChart(props: { points: TrendPoint[] }) {
  const pts = props.points;
  if (pts.length === 0) return null;
  const max = Math.max(...pts.map((p) => p.municipalities), 1);
  const x = (i: number) => PAD.left + (pts.length === 1 ? 0 : (i / (pts.length - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const line = (key: "covered" | "intermunicipal") => pts.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  const ticks = [0, Math.round(max / 2), max];
  const years = pts.map((p, i) => ({ p, i })).filter(({ p }) => p.date.endsWith("-01-01"));
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" aria-hidden="true" focusable="false" class="trend-chart">
      {ticks.map((v) => (
        <g>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#d0d0ce" stroke-width="1" />
          <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end" font-size="11" fill="#1d1d1b">
            {v}
          </text>
        </g>
      ))}
      {years.map(({ p, i }) => (
        <text x={x(i)} y={H - 8} text-anchor="middle" font-size="11" fill="#1d1d1b">
          {p.date.slice(0, 4)}
        </text>
      ))}
      <path d={line("covered")} fill="none" stroke="#0b4f9c" stroke-width="2.5" />
      <path d={line("intermunicipal")} fill="none" stroke="#4e9ad6" stroke-width="2" stroke-dasharray="6 3" />
    </svg>
  );
}
