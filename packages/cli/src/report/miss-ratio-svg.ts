import { lineChartSvg, seriesMarker } from './line-chart-svg.js';

/** One policy's miss ratios by cache size. */
export interface MissRatioCurve {
  readonly policy: string;
  /** `[size, missRatio]`, in increasing size. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** The top of a miss-ratio axis: the largest ratio rounded up to a tenth (at least 10%, at most 100%). */
export function missRatioTop(ratios: readonly number[]): number {
  return Math.min(1, Math.ceil(Math.max(0.01, ...ratios) * 10) / 10);
}

/**
 * Miss-ratio curves: cache size on the x axis (logarithmic when the sizes span more than a factor of
 * ten), miss ratio in percent on the y axis as in the tables, one line per policy with a colour and a
 * marker of its own (no two of the first 72 alike; the picture grows to fit the legend), and Belady, the lower bound, dashed in black.
 */
export function missRatioSvg(title: string, curves: readonly MissRatioCurve[]): string {
  const top = missRatioTop(curves.flatMap((c) => c.points.map(([, r]) => r)));
  return lineChartSvg(
    curves.map((c, i) =>
      c.policy === 'belady'
        ? { id: c.policy, label: 'belady (optimum)', points: c.points, dashed: true, colour: '#000', marker: 'circle' as const }
        : { id: c.policy, label: c.policy, points: c.points, marker: seriesMarker(i) },
    ),
    { title, xLabel: 'cache size (pages)', yLabel: 'miss ratio', yMax: top, yPercent: true, logXWhenWide: true, xTicks: [...new Set(curves.flatMap((c) => c.points.map(([size]) => size)))].sort((a, b) => a - b) },
  );
}
