import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SafeSvg } from './doc.js';

const PADDING = 6;

/** Vega's headless SVG renderer (exported by vega-scenegraph, absent from vega's typings). */
interface SvgStringRenderer {
  initialize(el: null, width: number, height: number, origin: number[]): this;
  render(scene: unknown): this;
  svg(): string;
}
interface SceneRoot {
  bounds: { x1: number; y1: number; x2: number; y2: number };
}
const SVGStringRenderer = (vega as unknown as { SVGStringRenderer: new () => SvgStringRenderer })
  .SVGStringRenderer;

/**
 * A Vega-Lite chart as static SVG, computed synchronously in this process (no browser, no
 * canvas): the spec is compiled to Vega, the dataflow run once, and the scene drawn by Vega's
 * SVG string renderer, which escapes every text it places. Specs here carry inline data only,
 * so nothing is loaded. The output has presentation attributes and no `style` attribute, which
 * the reports' CSP would refuse.
 */
export function vegaLiteSvg(spec: TopLevelSpec, title: string): SafeSvg {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  view.run();
  // The scene's root item (Vega's typings describe the Scene, not the item it holds).
  const root = (view.scenegraph() as unknown as { root: SceneRoot }).root;
  const { x1, y1, x2, y2 } = root.bounds;
  const width = Math.ceil(x2 - x1) + 2 * PADDING;
  const height = Math.ceil(y2 - y1) + 2 * PADDING;
  const renderer = new SVGStringRenderer();
  renderer.initialize(null, width, height, [PADDING - x1, PADDING - y1]);
  renderer.render(root);
  const svg = renderer.svg();
  view.finalize();
  // An accessible name for the picture, as the hand-drawn charts had (the text is ours, escaped).
  return {
    svg: svg.replace(
      /^<svg /,
      `<svg role="img" aria-label="${title.replace(/[<>&"]/g, '')}" font-family="system-ui, sans-serif" `,
    ),
  };
}
