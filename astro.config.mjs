// The course site: static pages built from content/, served by the sandbox server next to its API.
import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";
import { injectEditorCss } from "./src/build/inject-editor-css.ts";
import { precompressAssets } from "./src/build/precompress-assets.ts";

// `npm run dev` serves the site with hot reload and sends /api to the sandbox server.
const sandboxServer = `http://127.0.0.1:${process.env.TRIBUTARY_PORT ?? 4321}`;

export default defineConfig({
  integrations: [mdx(), precompressAssets()],
  server: { host: "127.0.0.1", port: 4322 },
  devToolbar: { enabled: false },
  // Code in lessons (shell, Python, SQL as well as TypeScript) in colours that keep WCAG AA contrast on every token.
  markdown: { shikiConfig: { theme: "github-dark-high-contrast" } },
  // The course's own stylesheet is a few KB: inlined, it costs no request that holds up the first paint.
  build: { inlineStylesheets: "always" },
  vite: {
    plugins: [injectEditorCss()],
    server: { proxy: { "/api": { target: sandboxServer, changeOrigin: false } } },
    // Monaco's workers are ES modules.
    worker: { format: "es" },
  },
});
