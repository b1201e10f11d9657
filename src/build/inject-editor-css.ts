// Monaco's and xterm's stylesheets (~175 KB) belong to the editor, which loads only when an exercise
// comes into view. Astro would put every stylesheet its scripts can reach in the page head, where it
// blocks the first paint of the lesson. This Vite plugin turns those stylesheets into small modules
// that add a <style> element when they run, so they arrive with the editor's own lazily loaded code.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Plugin } from "vite";

const PREFIX = "\0editor-css:";
const SUFFIX = ".mjs";
const EDITOR_PACKAGES = /[\\/]node_modules[\\/](monaco-editor|@xterm[\\/]xterm)[\\/]/;

export function injectEditorCss(): Plugin {
  return {
    name: "tributary:inject-editor-css",
    enforce: "pre",
    async resolveId(source, importer) {
      if (!source.endsWith(".css") || source.includes("?")) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      if (!resolved || !EDITOR_PACKAGES.test(resolved.id)) return null;
      // The id must not end in .css, or Vite's own CSS handling would take the module back.
      return PREFIX + resolved.id + SUFFIX;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const file = id.slice(PREFIX.length, -SUFFIX.length);
      const css = await readFile(file, "utf8");
      // Fonts and images the stylesheet names by relative path become assets with their built URL.
      const imports: string[] = [];
      const pieces: string[] = [];
      let copied = 0;
      for (const match of css.matchAll(/url\((['"]?)(\.{1,2}\/[^'")]+)\1\)/g)) {
        const asset = `asset${imports.length}`;
        imports.push(`import ${asset} from ${JSON.stringify(`${path.resolve(path.dirname(file), match[2]!)}?url`)};`);
        pieces.push(JSON.stringify(`${css.slice(copied, match.index)}url("`), asset, JSON.stringify('")'));
        copied = match.index + match[0].length;
      }
      pieces.push(JSON.stringify(css.slice(copied)));
      const text = pieces.join(" + ");
      return `${imports.join("\n")}
const style = document.createElement("style");
style.dataset.source = ${JSON.stringify(path.basename(file))};
style.textContent = ${text};
document.head.append(style);
export default "";`;
    },
  };
}
