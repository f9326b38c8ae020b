/** One line of a chart. */
export interface ChartSeries {
  /** Identifies the line in the SVG (`data-series`). */
  readonly id: string;
  /** The legend's text. */
  readonly label: string;
  /** `[x, y]` points, in increasing x. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** Drawn dashed (a bound, a target). */
  readonly dashed?: boolean;
  /** A colour; by default one from the palette. */
  readonly colour?: string;
  /** Line width (default 1.8, 2.5 dashed). */
  readonly width?: number;
  /** A marker at each point: one of {@link MARKERS}, so curves differ in more than colour. */
  readonly marker?: ChartMarker;
}

/** Point markers, for charts of many curves. */
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'plus'] as const;
/** One of {@link MARKERS}. */
export type ChartMarker = (typeof MARKERS)[number];

/** Axes and title of a chart. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** The top of the y axis (default: the largest y, rounded up). */
  readonly yMax?: number;
  /** A logarithmic x axis when the x values span more than a factor of ten. */
  readonly logXWhenWide?: boolean;
  /** Where to put x ticks (default: the x values if there are at most 12, else 6 evenly spaced). */
  readonly xTicks?: readonly number[];
  /** y values are fractions, labelled as percentages. */
  readonly yPercent?: boolean;
  /**
   * A logarithmic y axis from 1 to the next power of ten above the largest y, so a steady state of
   * tens shows beside spikes of thousands; values below 1 are drawn on the floor.
   */
  readonly logY?: boolean;
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 70, right: 170, top: 40, bottom: 52 };
// Twelve colours that stay apart (Tableau 10 with navy and olive); with a marker each, twelve curves
// are told apart even where colours look alike to a reader.
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#000080', '#6b6b00'];
const LEGEND_ROW = 18;

/**
 * The marker of the `i`th series: with the `i`th colour, a pair no other series of the first 72 has
 * (past twelve series the colours come round again, each with the next marker).
 */
export function seriesMarker(i: number): ChartMarker {
  return MARKERS[(i + Math.floor(i / COLOURS.length)) % MARKERS.length]!;
}

/** An SVG shape for `marker` centred on (x, y). */
function markerSvg(marker: ChartMarker, x: number, y: number, colour: string): string {
  const r = 3.5;
  const at = (dx: number, dy: number) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`;
  switch (marker) {
    case 'circle':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${colour}"/>`;
    case 'square':
      return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
    case 'triangle':
      return `<polygon points="${at(0, -r - 1)} ${at(r + 1, r)} ${at(-r - 1, r)}" fill="${colour}"/>`;
    case 'diamond':
      return `<polygon points="${at(0, -r - 1)} ${at(r + 1, 0)} ${at(0, r + 1)} ${at(-r - 1, 0)}" fill="${colour}"/>`;
    case 'cross':
      return `<path d="M${at(-r, -r)}L${at(r, r)}M${at(-r, r)}L${at(r, -r)}" stroke="${colour}" stroke-width="2"/>`;
    case 'plus':
      return `<path d="M${at(-r - 1, 0)}L${at(r + 1, 0)}M${at(0, -r - 1)}L${at(0, r + 1)}" stroke="${colour}" stroke-width="2"/>`;
  }
}

/** Escapes text for SVG and HTML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceTop(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / magnitude) * magnitude;
}

function tickLabel(value: number, percent = false): string {
  if (percent) return `${+(value * 100).toFixed(1)}%`;
  if (value !== 0 && Math.abs(value) < 1) return value.toFixed(2);
  return Math.abs(value) >= 10_000 ? `${(value / 1000).toFixed(0)}k` : String(Math.round(value));
}

/** `cache size (pages)` → `cache size (pages, log scale)`. */
function withLogScale(label: string): string {
  return label.endsWith(')') ? `${label.slice(0, -1)}, log scale)` : `${label} (log scale)`;
}

/** A self-contained SVG line chart (no fonts, scripts or links it must fetch). */
export function lineChartSvg(series: readonly ChartSeries[], options: ChartOptions): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const minX = xs.length ? Math.min(...xs) : 0;
  const maxX = xs.length ? Math.max(...xs) : 1;
  const logX = options.logXWhenWide === true && minX > 0 && maxX / minX > 10;
  const largest = ys.length ? Math.max(...ys) : 1;
  const logY = options.logY === true;
  const top = options.yMax ?? (logY ? 10 ** Math.max(1, Math.ceil(Math.log10(Math.max(largest, 1)))) : niceTop(largest));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  // The picture grows below the plot when the legend needs more room than the plot's height.
  const height = Math.max(HEIGHT, MARGIN.top + 10 + series.length * LEGEND_ROW);
  const scaleX = (x: number): number => {
    const span = logX ? Math.log(maxX) - Math.log(minX) : maxX - minX;
    const at = logX ? Math.log(x) - Math.log(minX) : x - minX;
    return MARGIN.left + (span === 0 ? 0.5 : at / span) * plotWidth;
  };
  const scaleY = (y: number): number => MARGIN.top + (1 - (logY ? Math.log10(Math.max(y, 1)) / Math.log10(top) : y / top)) * plotHeight;
  const yTicks = logY ? Array.from({ length: Math.log10(top) + 1 }, (_, i) => 10 ** i) : Array.from({ length: 6 }, (_, i) => (top * i) / 5);
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const xTicks = options.xTicks ?? (distinct.length <= 12 ? distinct : Array.from({ length: 6 }, (_, i) => minX + ((maxX - minX) * i) / 5));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];
  for (const tick of yTicks) {
    const y = scaleY(tick);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${MARGIN.left - 8}" y="${y + 4}" text-anchor="end">${tickLabel(tick, options.yPercent === true)}</text>`);
  }
  for (const x of xTicks) {
    const at = scaleX(x);
    parts.push(`<line x1="${at}" x2="${at}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom + 5}" stroke="#333"/>`, `<text x="${at}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${tickLabel(x)}</text>`);
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(logX ? withLogScale(options.xLabel) : options.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(logY ? withLogScale(options.yLabel) : options.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = s.colour ?? COLOURS[i % COLOURS.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const points = s.points.map(([x, y]) => `${scaleX(x).toFixed(1)},${scaleY(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="curve" data-series="${escapeXml(s.id)}" fill="none" stroke="${colour}" stroke-width="${s.width ?? (s.dashed ? 2.5 : 1.8)}"${dash} points="${points}"/>`);
    if (s.marker !== undefined && s.points.length <= 24) for (const [x, y] of s.points) parts.push(markerSvg(s.marker, scaleX(x), scaleY(y), colour));
    const y = MARGIN.top + 10 + i * LEGEND_ROW;
    const x = WIDTH - MARGIN.right + 14;
    parts.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"${dash}/>`, `<text x="${x + 28}" y="${y + 4}">${escapeXml(s.label)}</text>`);
    if (s.marker !== undefined) parts.push(markerSvg(s.marker, x + 11, y, colour));
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
