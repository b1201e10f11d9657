// What a lesson page costs a learner's browser, in compressed bytes: first what it loads before any
// editor (the HTML, its stylesheet, its scripts and their static imports), then everything it may load
// once an exercise comes into view (Monaco, its workers, the terminal, their fonts). Files are found by
// following the references the built HTML and JavaScript make to each other.
import { request } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

/** One file as the browser receives it. */
export interface LoadedAsset {
  /** Bytes on the wire. */
  bytes: number;
  /** How they were compressed ("br", "gzip", or "" for none). */
  encoding: string;
  /** The decompressed text, to find what the file refers to. */
  text: string;
}

export type AssetLoader = (sitePath: string) => Promise<LoadedAsset>;

export interface AssetSizes {
  files: { path: string; bytes: number; encoding: string }[];
  bytes: number;
}

export interface PageWeight {
  page: string;
  beforeEditor: AssetSizes;
  /** Before the editor, plus the editor, its workers and the terminal. */
  withEditor: AssetSizes;
}

const decode = (body: Buffer, encoding: string) =>
  (encoding === "br" ? brotliDecompressSync(body) : encoding === "gzip" ? gunzipSync(body) : body).toString("utf8");

/** Loads files from a running server as a browser would, accepting brotli and gzip. */
export function loadOverHttp(baseUrl: string): AssetLoader {
  return (sitePath) =>
    new Promise((resolve, reject) => {
      const req = request(new URL(sitePath, baseUrl), { headers: { "Accept-Encoding": "gzip, deflate, br" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`${sitePath}: HTTP ${res.statusCode}`));
          const body = Buffer.concat(chunks);
          const encoding = res.headers["content-encoding"] ?? "";
          resolve({ bytes: body.length, encoding, text: decode(body, encoding) });
        });
      });
      req.on("error", reject);
      req.end();
    });
}

/** Loads files from the built site on disk, counting the brotli copy where the build wrote one. */
export function loadFromDisk(siteDir: string): AssetLoader {
  return async (sitePath) => {
    const file = path.join(siteDir, sitePath.endsWith("/") ? `${sitePath}index.html` : sitePath);
    const text = await readFile(file, "utf8");
    if (!existsSync(`${file}.br`)) return { bytes: Buffer.byteLength(text), encoding: "", text };
    return { bytes: (await readFile(`${file}.br`)).length, encoding: "br", text };
  };
}

// Built files carry an 8-character hash in their name: "code-editor.B5P1e1ak.js", "ts.worker-CVbFdYz4.js".
const ASSET = /(?:\.\/|\/_astro\/)([\w.-]+[.-][\w-]{8}\.(?:js|css|ttf|woff2?))["'`]/g;
const STATIC_IMPORT = /(?:\bimport\s*(?:[\w{}\s,*$]+from\s*)?|\bexport\s*[\w{}\s,*$]*from\s*)["'`]\.\/([\w.-]+\.js)["'`]/g;
const PAGE_ASSET = /<(?:script[^>]*\bsrc|link[^>]*rel="stylesheet"[^>]*\bhref)="(\/_astro\/[^"]+)"/g;

async function closure(load: AssetLoader, start: string[], follow: (text: string) => string[], seen = new Map<string, LoadedAsset>()) {
  const queue = start.filter((file) => !seen.has(file));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    const asset = await load(file);
    seen.set(file, asset);
    if (/\.(?:js|css)$/.test(file)) queue.push(...follow(asset.text).filter((next) => !seen.has(next)));
  }
  return seen;
}

const sizes = (assets: Map<string, LoadedAsset>): AssetSizes => {
  const files = [...assets].map(([file, asset]) => ({ path: file, bytes: asset.bytes, encoding: asset.encoding })).sort((a, b) => b.bytes - a.bytes);
  return { files, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
};

/** Measures one page (a path such as "/lessons/kafka-basics/first-producer-consumer/"). */
export async function measurePageWeight(load: AssetLoader, page: string): Promise<PageWeight> {
  const html = await load(page);
  const pageAssets = [...html.text.matchAll(PAGE_ASSET)].map((match) => match[1]!);
  const staticImports = (text: string) => [...text.matchAll(STATIC_IMPORT)].map((match) => `/_astro/${match[1]}`);
  const anyReference = (text: string) => [...text.matchAll(ASSET)].map((match) => `/_astro/${match[1]}`);
  const before = await closure(load, pageAssets, staticImports, new Map([[page, html]]));
  const beforeEditor = sizes(before);
  const all = await closure(
    load,
    [...before.keys()].filter((file) => file !== page),
    anyReference,
    new Map(before),
  );
  // The first pass did not look for dynamic imports; look again in what it loaded.
  for (const [file, asset] of before) if (file !== page) await closure(load, anyReference(asset.text), anyReference, all);
  return { page, beforeEditor, withEditor: sizes(all) };
}

/** Compressed bytes a lesson may cost: before its editor loads, and with the editor, its workers and the terminal. */
export const BUDGET = { beforeEditor: 50_000, withEditor: 3_000_000 };

/** "1.23 MB" / "45.6 KB". */
export const formatBytes = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} KB`);
