// Measuring diagram labels at build time, so boxes are drawn as wide as their words need.

/** Average advance of the course's sans-serif at 15 px, with a margin for wider fonts; monospace is not used. */
const CHAR_WIDTH = 8.6;

/** Splits a label into at most two lines, at the space nearest its middle, when it is long. */
export function labelLines(label: string, maxChars = 18): string[] {
  if (label.length <= maxChars || !label.includes(" ")) return [label];
  const middle = label.length / 2;
  let best = -1;
  for (let i = 0; i < label.length; i++) if (label[i] === " " && (best < 0 || Math.abs(i - middle) < Math.abs(best - middle))) best = i;
  return [label.slice(0, best), label.slice(best + 1)];
}

/** Width in SVG units a line of text takes at `fontPx`. */
export function textWidth(text: string, fontPx = 15): number {
  return text.length * CHAR_WIDTH * (fontPx / 15);
}
