// Just enough YAML for the compose files the project generates: maps, lists, strings, numbers and
// booleans, block style, strings quoted whenever YAML could read them as something else.

export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue };

const PLAIN = /^[A-Za-z0-9_./-][A-Za-z0-9_./:@-]*$/;
const NOT_PLAIN = /^(true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.:eE+-]*)$/i;

function scalar(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return PLAIN.test(value) && !NOT_PLAIN.test(value) ? value : JSON.stringify(value);
}

function isEmptyCollection(value: YamlValue): boolean {
  return typeof value === "object" && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
}

function lines(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) =>
      typeof item === "object" && !isEmptyCollection(item)
        ? lines(item, `${indent}  `).map((line, i) => (i === 0 ? `${indent}- ${line.trimStart()}` : line))
        : [`${indent}- ${typeof item === "object" ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`],
    );
  }
  if (typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) =>
      typeof item === "object" && !isEmptyCollection(item)
        ? [`${indent}${scalar(key)}:`, ...lines(item, `${indent}  `)]
        : [`${indent}${scalar(key)}: ${typeof item === "object" ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`],
    );
  }
  return [`${indent}${scalar(value)}`];
}

/** The value as a YAML document. */
export function toYaml(value: YamlValue): string {
  return `${lines(value, "").join("\n")}\n`;
}
