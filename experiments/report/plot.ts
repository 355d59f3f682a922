// Plot specifications (vega-lite), built from rows of numbers; render.ts turns them into SVG.
type Row = Record<string, number | string>;

/** Mean lines with ±sd error bands, one colour per series. */
export function lineWithBand(o: {
  rows: Row[];
  x: string;
  y: string;
  lo?: string;
  hi?: string;
  series?: string;
  xTitle: string;
  yTitle: string;
  title: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
}): Record<string, unknown> {
  const x = { field: o.x, type: 'quantitative', title: o.xTitle, scale: o.logX ? { type: 'log' } : { zero: false } };
  const color = o.series ? { field: o.series, type: 'nominal', title: null } : undefined;
  const layers: Record<string, unknown>[] = [];
  if (o.lo && o.hi)
    layers.push({
      mark: { type: 'area', opacity: 0.2 },
      encoding: {
        x,
        y: { field: o.lo, type: 'quantitative', scale: o.logY ? { type: 'log' } : { zero: false } },
        y2: { field: o.hi },
        ...(color ? { color } : {}),
      },
    });
  layers.push({
    mark: { type: 'line', point: true },
    encoding: {
      x,
      y: { field: o.y, type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log' } : { zero: false } },
      ...(color ? { color } : {}),
    },
  });
  return { title: o.title, width: o.width ?? 420, height: 260, data: { values: o.rows }, layer: layers };
}

/** Bars of means with ±sd error bars per category. */
export function barsWithErrors(o: {
  rows: Row[];
  category: string;
  y: string;
  lo: string;
  hi: string;
  yTitle: string;
  title: string;
}): Record<string, unknown> {
  const xEnc = { field: o.category, type: 'nominal', title: null, sort: null, axis: { labelAngle: -20 } };
  return {
    title: o.title,
    width: 360,
    height: 240,
    data: { values: o.rows },
    layer: [
      { mark: 'bar', encoding: { x: xEnc, y: { field: o.y, type: 'quantitative', title: o.yTitle } } },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: { x: xEnc, y: { field: o.lo, type: 'quantitative' }, y2: { field: o.hi } },
      },
    ],
  };
}
