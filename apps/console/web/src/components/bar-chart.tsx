export interface DayBars {
  date: string;
  sent: number;
  failed: number;
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { top: 12, right: 8, bottom: 28, left: 40 };

/**
 * 1, 2, 5, 10, 20, 50, …: the smallest such step that fits four gridlines over `max`; at
 * least 1, since counts are whole.
 */
function niceMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const nice = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const step = Math.max(1, nice);
  return { top: Math.ceil(max / step) * step, step };
}

/**
 * Sent and failed per day, as paired bars, drawn by hand in SVG (no chart library, nothing
 * from a CDN; colours come from the stylesheet, since the CSP allows no inline style). The
 * numbers are in the table beside it for anyone who does not read charts.
 */
export function BarChart({
  days,
  label,
  sentLabel,
  failedLabel,
}: {
  days: DayBars[];
  label: string;
  sentLabel: string;
  failedLabel: string;
}) {
  const { top, step } = niceMax(Math.max(0, ...days.flatMap((day) => [day.sent, day.failed])));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const bar = Math.max(1, Math.min(24, slot * 0.35));
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  // At most ~10 date labels, whatever the range.
  const labelEvery = Math.max(1, Math.ceil(days.length / 10));
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
      {ticks.map((tick) => (
        <g key={tick}>
          <line className="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
          <text className="chart-axis" x={PAD.left - 6} y={y(tick) + 4} textAnchor="end">
            {tick}
          </text>
        </g>
      ))}
      {days.map((day, index) => {
        const x = PAD.left + index * slot + slot / 2;
        return (
          <g key={day.date}>
            <rect className="chart-sent" x={x - bar} y={y(day.sent)} width={bar} height={y(0) - y(day.sent)}>
              <title>{`${day.date} ${sentLabel}: ${day.sent}`}</title>
            </rect>
            <rect className="chart-failed" x={x} y={y(day.failed)} width={bar} height={y(0) - y(day.failed)}>
              <title>{`${day.date} ${failedLabel}: ${day.failed}`}</title>
            </rect>
            {index % labelEvery === 0 ? (
              <text className="chart-axis" x={x} y={HEIGHT - 8} textAnchor="middle">
                {day.date.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
