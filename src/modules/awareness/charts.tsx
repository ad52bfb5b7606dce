/**
 * Server-side SVG charts. Always aria-hidden: the table beside each chart carries the figures.
 * Presentation attributes only (CSP forbids style=). Suppressed counts draw no bar.
 */
export interface Bar { label: string; value: number | null }

export function BarChart({ bars, max = 1, format }: { bars: Bar[]; max?: number; format: (v: number) => string }) {
  const rowH = 26;
  const labelW = 230;
  const barW = 360;
  const height = bars.length * rowH + 10;
  return (
    <svg class="chart" viewBox={`0 0 ${labelW + barW + 70} ${height}`} width="100%" aria-hidden="true" focusable="false" role="presentation">
      {bars.map((b, i) => {
        const y = i * rowH + 5;
        const w = b.value === null || max <= 0 ? 0 : Math.max(0, Math.min(1, b.value / max)) * barW;
        return (
          <g>
            <text x={labelW - 8} y={y + 16} text-anchor="end" font-size="13" fill="#1d1d1b">
              {b.label}
            </text>
            <rect x={labelW} y={y + 3} width={w} height={rowH - 8} fill="#0b5cab" />
            <text x={labelW + w + 6} y={y + 16} font-size="13" fill="#1d1d1b">
              {b.value === null ? "<5" : format(b.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** A 1-5 distribution as one stacked bar per question. */
export function ScaleChart({ counts }: { counts: number[] }) {
  const total = counts.reduce((s, n) => s + n, 0);
  const colours = ["#8c1d18", "#d4702c", "#b9b9b9", "#5b9bd5", "#0b5cab"];
  let x = 0;
  return (
    <svg class="chart" viewBox="0 0 600 40" width="100%" aria-hidden="true" focusable="false" role="presentation">
      {counts.map((n, i) => {
        const w = total > 0 ? (n / total) * 600 : 0;
        const rect = <rect x={x} y={5} width={w} height={30} fill={colours[i]} />;
        x += w;
        return rect;
      })}
    </svg>
  );
}
