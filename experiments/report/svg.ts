// Minimal SVG charts for the reports: no dependencies, deterministic output.
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number) =>
  Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : +v.toPrecision(3) + '';

/** A histogram of `values` in `bins` equal-width bins (log10 of the values when `log10` is set). */
export function histogramSvg(
  values: readonly number[],
  opts: { title: string; xlabel: string; bins?: number; log10?: boolean },
): string {
  const W = 560,
    H = 300,
    L = 56,
    R = 16,
    T = 34,
    B = 48;
  const xs = values
    .filter((v) => Number.isFinite(v) && (!opts.log10 || v > 0))
    .map((v) => (opts.log10 ? Math.log10(v) : v));
  const bins = opts.bins ?? 20;
  const lo = xs.length ? Math.min(...xs) : 0;
  const hi = xs.length ? Math.max(...xs) : 1;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
  const cmax = Math.max(1, ...counts);
  const bw = (W - L - R) / bins;
  const bars = counts
    .map((c, i) => {
      const h = ((H - T - B) * c) / cmax;
      return `<rect x="${(L + i * bw).toFixed(1)}" y="${(H - B - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4878a8"/>`;
    })
    .join('');
  // ticks at whole powers of ten on a log axis, else at quarters
  const at =
    opts.log10 && Math.floor(hi) - Math.ceil(lo) >= 1
      ? Array.from({ length: Math.floor(hi) - Math.ceil(lo) + 1 }, (_, i) => Math.ceil(lo) + i)
      : [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const ticks = at
    .map((v) => {
      const x = L + (hi > lo ? (v - lo) / (hi - lo) : 0.5) * (W - L - R);
      const label = opts.log10 ? (Number.isInteger(v) ? `1e${v}` : num(10 ** v)) : num(v);
      return `<line x1="${x.toFixed(1)}" y1="${H - B}" x2="${x.toFixed(1)}" y2="${H - B + 4}" stroke="black"/><text x="${x.toFixed(1)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${esc(label)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="20" font-size="14" text-anchor="middle">${esc(opts.title)}</text>
${bars}
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>
<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
<text x="${L - 6}" y="${T + 4}" font-size="11" text-anchor="end">${cmax}</text>
<text x="${L - 6}" y="${H - B}" font-size="11" text-anchor="end">0</text>
${ticks}
<text x="${W / 2}" y="${H - 10}" font-size="12" text-anchor="middle">${esc(opts.xlabel)}</text>
<text x="14" y="${(H - B + T) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(H - B + T) / 2})">count</text>
</svg>
`;
}
