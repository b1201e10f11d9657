// The built course site, served beside the API: precompressed files where the browser accepts them,
// long-lived caching for files whose name carries a hash of their content, the site's own 404 page.
import { serveStatic } from "@hono/node-server/serve-static";
import type { Env, Hono } from "hono";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** Adds the site's routes to `app`, after its API routes; `siteDir` is the built site (dist/). */
export function serveSiteFiles<E extends Env>(app: Hono<E>, siteDir: string): void {
  // Files under /_astro/ have a hash of their content in their name: a browser may keep them for a year.
  // Pages keep their address when they change, so the browser asks again (Last-Modified) each time.
  app.use("/*", async (c, next) => {
    await next();
    if (c.req.path.startsWith("/api/") || !c.res.ok || c.res.headers.has("Cache-Control")) return;
    c.res.headers.set("Cache-Control", c.req.path.startsWith("/_astro/") ? "public, max-age=31536000, immutable" : "no-cache");
  });
  // serveStatic resolves `root` against the working directory. The build writes a .br and a .gz beside
  // each text file, sent to browsers that accept them.
  app.use("/*", serveStatic({ root: path.relative(process.cwd(), siteDir) || ".", precompressed: true }));
  // A page that does not exist gets the site's own 404 page; an unknown /api route keeps its JSON answer.
  const notFoundPage = path.join(siteDir, "404.html");
  app.get("*", async (c) => {
    if (c.req.path.startsWith("/api/") || !existsSync(notFoundPage)) return c.notFound();
    return c.html(await readFile(notFoundPage, "utf8"), 404);
  });
}
