// After `astro build`, writes a brotli (.br) and a gzip (.gz) copy beside every text file of the site,
// so the server sends compressed bytes without compressing on each request. Monaco's TypeScript worker
// alone is ~7 MB of JavaScript and ~1.2 MB as brotli.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { AstroIntegration } from "astro";

const COMPRESSIBLE = /\.(?:html|js|mjs|css|svg|json|txt|xml|ttf|map)$/;
/** Smaller files gain little from compression and cost a request header's worth anyway. */
const MIN_BYTES = 1024;
/** Brotli's best quality (11) takes ~15 s on the TypeScript worker for 2% fewer bytes than 10: big files get 10. */
const brotliQuality = (bytes: number) => (bytes > 1_000_000 ? 10 : 11);

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else yield full;
  }
}

/** Compresses every compressible file under `dir`; returns the number of files and their bytes before and after brotli. */
export async function precompressDirectory(dir: string): Promise<{ files: number; bytes: number; brotliBytes: number }> {
  const totals = { files: 0, bytes: 0, brotliBytes: 0 };
  const jobs: Promise<void>[] = [];
  for await (const file of filesUnder(dir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    jobs.push(
      (async () => {
        const data = await readFile(file);
        if (data.length < MIN_BYTES) return;
        const [br, gz] = await Promise.all([
          brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality(data.length), [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
          gzipAsync(data, { level: 9 }),
        ]);
        await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
        totals.files += 1;
        totals.bytes += data.length;
        totals.brotliBytes += br.length;
      })(),
    );
  }
  await Promise.all(jobs);
  return totals;
}

/** The Astro integration that precompresses the built site. */
export function precompressAssets(): AstroIntegration {
  return {
    name: "tributary:precompress-assets",
    hooks: {
      "astro:build:done": async ({ dir, logger }) => {
        const totals = await precompressDirectory(fileURLToPath(dir));
        const mb = (n: number) => (n / 1e6).toFixed(2);
        logger.info(`compressed ${totals.files} files: ${mb(totals.bytes)} MB → ${mb(totals.brotliBytes)} MB brotli (and gzip)`);
      },
    },
  };
}
