// Redraws the integration diagram as the learner moves the sliders: a full mesh of N×M links, or
// N+M links through one Kafka box. The count sentence is announced to screen readers.
const SVG = "http://www.w3.org/2000/svg";
const BOX = { width: 130, height: 30, gap: 8 };

function svgElement<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/** The sentence that says what the picture shows. */
export function meshSummary(sources: number, targets: number, throughKafka: boolean): string {
  return throughKafka
    ? `${sources} sources + ${targets} targets = ${sources + targets} connections, each to Kafka only (instead of ${sources * targets}).`
    : `${sources} sources × ${targets} targets = ${sources * targets} integrations to build and run.`;
}

function draw(svg: SVGSVGElement, sources: number, targets: number, throughKafka: boolean): void {
  const height = Math.max(sources, targets) * (BOX.height + BOX.gap) + 40;
  svg.setAttribute("viewBox", `0 0 760 ${height}`);
  const picture = svg.querySelector("g[aria-hidden]")!;
  picture.replaceChildren();
  const column = (count: number, x: number, label: string) =>
    Array.from({ length: count }, (_, i) => {
      const y = 20 + (height - 20 - count * (BOX.height + BOX.gap)) / 2 + i * (BOX.height + BOX.gap);
      return { x, y, label: `${label} ${i + 1}` };
    });
  const left = column(sources, 10, "Source");
  const right = column(targets, 620, "Target");
  const hub = { x: 315, y: height / 2 - 25, label: "Kafka" };
  const link = (a: { x: number; y: number }, b: { x: number; y: number }, aw: number, ah: number, bh: number) =>
    picture.append(svgElement("line", { x1: a.x + aw, y1: a.y + ah / 2, x2: b.x, y2: b.y + bh / 2, class: "flow thin" }));
  if (throughKafka) {
    for (const s of left) link(s, hub, BOX.width, BOX.height, 50);
    for (const t of right) link(hub, t, 130, 50, BOX.height);
  } else {
    for (const s of left) for (const t of right) link(s, t, BOX.width, BOX.height, BOX.height);
  }
  const box = (b: { x: number; y: number; label: string }, w: number, h: number, hubClass = "") => {
    const group = svgElement("g", { class: `node ${hubClass}` });
    group.append(svgElement("rect", { x: b.x, y: b.y, width: w, height: h, rx: 8 }));
    const text = svgElement("text", { x: b.x + w / 2, y: b.y + h / 2 + 5, "text-anchor": "middle" });
    text.textContent = b.label;
    group.append(text);
    picture.append(group);
  };
  for (const b of [...left, ...right]) box(b, BOX.width, BOX.height);
  if (throughKafka) box(hub, 130, 50, "hub");
}

export function attachIntegrationMesh(root: HTMLElement): void {
  const input = (name: string) => root.querySelector<HTMLInputElement>(`[data-mesh="${name}"]`)!;
  const svg = root.querySelector<SVGSVGElement>("[data-mesh-picture] svg")!;
  const update = () => {
    const sources = Number(input("sources").value);
    const targets = Number(input("targets").value);
    const throughKafka = input("kafka").checked;
    for (const name of ["sources", "targets"]) root.querySelector(`[data-mesh-value="${name}"]`)!.textContent = input(name).value;
    draw(svg, sources, targets, throughKafka);
    const summary = meshSummary(sources, targets, throughKafka);
    root.querySelector("[data-mesh-count]")!.textContent = summary;
    svg.querySelector("title")!.textContent = summary;
    svg.querySelector("desc")!.textContent = throughKafka
      ? `Each source sends its data to Kafka once, and each target reads from Kafka: ${sources + targets} links in all.`
      : `Every source has its own link to every target: ${sources * targets} links in all.`;
    root.querySelector("[data-mesh-picture] figcaption")!.textContent = throughKafka
      ? "Through Kafka: each system has one connection."
      : "Point to point: every source talks to every target.";
  };
  for (const name of ["sources", "targets", "kafka"]) input(name).addEventListener("input", update);
}
