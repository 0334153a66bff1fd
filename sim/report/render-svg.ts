// Renders chart specs to SVG with Apache ECharts' server-side renderer (renderer 'svg', ssr: true:
// no DOM, no canvas, no browser). ECharts is imported only when a report is written, so commands
// that write none never load it.
import type { ChartSpec } from './chart-spec.js';

const WIDTH = 760;
const HEIGHT = 420;

/** SVG text of each chart, in order. */
export async function renderSvgs(specs: readonly ChartSpec[]): Promise<string[]> {
  if (specs.length === 0) return [];
  const echarts = await import('echarts');
  return specs.map((spec) => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width ?? WIDTH, height: spec.height ?? HEIGHT });
    try {
      chart.setOption({ animation: false, backgroundColor: '#ffffff', ...spec.option });
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  });
}
