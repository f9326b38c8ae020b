/** One policy's miss ratios by cache size. */
export interface MissRatioCurve {
  readonly policy: string;
  /** `[size, missRatio]`, in increasing size. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { left: 64, right: 150, top: 40, bottom: 52 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A self-contained SVG of miss-ratio curves: cache size on the x axis (logarithmic when the sizes span
 * more than a factor of ten), miss ratio on the y axis, one line per policy, and Belady, the lower
 * bound, drawn dashed in black.
 */
export function missRatioSvg(title: string, curves: readonly MissRatioCurve[]): string {
  const sizes = curves.flatMap((c) => c.points.map(([size]) => size));
  const ratios = curves.flatMap((c) => c.points.map(([, ratio]) => ratio));
  const minSize = Math.min(...sizes);
  const maxSize = Math.max(...sizes);
  const logScale = minSize > 0 && maxSize / minSize > 10;
  const scaleX = (size: number): number => {
    const span = logScale ? Math.log(maxSize) - Math.log(minSize) : maxSize - minSize;
    const at = logScale ? Math.log(size) - Math.log(minSize) : size - minSize;
    return MARGIN.left + (span === 0 ? 0.5 : at / span) * (WIDTH - MARGIN.left - MARGIN.right);
  };
  const top = Math.min(1, Math.ceil(Math.max(...ratios, 0.01) * 10) / 10);
  const scaleY = (ratio: number): number => MARGIN.top + (1 - ratio / top) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const ratio = (top * i) / 5;
    const y = scaleY(ratio);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${MARGIN.left - 8}" y="${y + 4}" text-anchor="end">${ratio.toFixed(2)}</text>`);
  }
  for (const size of [...new Set(sizes)].sort((a, b) => a - b)) {
    const x = scaleX(size);
    parts.push(`<line x1="${x}" x2="${x}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom + 5}" stroke="#333"/>`, `<text x="${x}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${size}</text>`);
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">cache size (pages${logScale ? ', log scale' : ''})</text>`,
    `<text transform="translate(16 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">miss ratio</text>`,
  );
  curves.forEach((curve, i) => {
    const belady = curve.policy === 'belady';
    const colour = belady ? '#000' : COLOURS[i % COLOURS.length]!;
    const points = curve.points.map(([size, ratio]) => `${scaleX(size).toFixed(1)},${scaleY(ratio).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="curve" data-policy="${escape(curve.policy)}" fill="none" stroke="${colour}" stroke-width="${belady ? 2.5 : 1.8}"${belady ? ' stroke-dasharray="6 4"' : ''} points="${points}"/>`);
    for (const [size, ratio] of curve.points) parts.push(`<circle cx="${scaleX(size).toFixed(1)}" cy="${scaleY(ratio).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    const y = MARGIN.top + 10 + i * 18;
    const x = WIDTH - MARGIN.right + 14;
    parts.push(
      `<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"${belady ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x + 28}" y="${y + 4}">${escape(belady ? 'belady (optimum)' : curve.policy)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
