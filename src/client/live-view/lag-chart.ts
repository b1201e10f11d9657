// A group's lag over the last minutes as a small line chart: rising while the group falls behind,
// falling as it catches up, flat while it is idle or stuck.
import type { LiveGroup } from "#contract/live-view";

const WIDTH = 180;
const HEIGHT = 40;
const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/** The chart of `history` up to `at`, named in words for those who do not see it. */
export function lagChart(history: LiveGroup["lagHistory"], at: number): SVGSVGElement {
  const points = history.length === 1 ? [history[0]!, { at, lag: history[0]!.lag }] : history;
  const first = points[0]?.at ?? at;
  const span = Math.max(1, Math.max(at, points.at(-1)?.at ?? at) - first);
  const top = Math.max(1, ...points.map((p) => p.lag));
  const x = (t: number) => ((t - first) / span) * (WIDTH - 2) + 1;
  const y = (lag: number) => HEIGHT - 2 - (lag / top) * (HEIGHT - 6);
  const minutes = Math.max(1, Math.round(span / 60_000));
  const lags = history.map((p) => p.lag);
  const label =
    history.length === 0
      ? "No lag measured yet."
      : `Lag over the last ${minutes === 1 ? "minute" : `${minutes} minutes`}: from ${lags[0]} to ${lags.at(-1)}, at most ${Math.max(...lags)}.`;
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: WIDTH,
    height: HEIGHT,
    class: "lv-lag-chart",
    role: "img",
    "aria-label": label,
  });
  chart.append(svg("line", { x1: 0, x2: WIDTH, y1: HEIGHT - 2, y2: HEIGHT - 2, class: "lv-lag-axis" }));
  if (points.length > 0) {
    chart.append(svg("polyline", { points: points.map((p) => `${x(p.at).toFixed(1)},${y(p.lag).toFixed(1)}`).join(" "), class: "lv-lag-line" }));
    const last = points.at(-1)!;
    chart.append(svg("circle", { cx: x(last.at), cy: y(last.lag), r: 2.5, class: "lv-lag-dot" }));
  }
  return chart;
}
