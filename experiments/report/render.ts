// Plots: vega-lite specifications compiled to vega and rendered to SVG headlessly by vega's own
// SVG renderer (no canvas, no browser).
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { font: 'sans-serif', legend: { labelLimit: 420 } },
    ...spec,
  } as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
