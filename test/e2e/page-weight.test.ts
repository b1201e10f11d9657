// What a lesson costs to download, fetched from the real server as a browser would: every file
// compressed, hashed files cached for a year, and the whole within the course's budget.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BUDGET, formatBytes, loadOverHttp, measurePageWeight } from "../../scripts/lib/page-weight.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const LESSON = "/lessons/kafka-basics/first-producer-consumer/";
let sandbox: TestServer;

/** The response headers of a GET, without reading the body into memory. */
const headersOf = (url: string, acceptEncoding: string) =>
  new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
    request(url, { headers: { "Accept-Encoding": acceptEncoding } }, (res) => {
      res.resume();
      resolve({ status: String(res.statusCode), ...res.headers });
    })
      .on("error", reject)
      .end();
  });

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

describe("the weight of a lesson", () => {
  it("stays within budget, compressed: before the editor and with the editor and its workers", async () => {
    const weight = await measurePageWeight(loadOverHttp(sandbox.server.url), LESSON);
    console.log(`${LESSON}: ${formatBytes(weight.beforeEditor.bytes)} before the editor, ${formatBytes(weight.withEditor.bytes)} with it`);
    expect(weight.beforeEditor.bytes).toBeLessThanOrEqual(BUDGET.beforeEditor);
    expect(weight.withEditor.bytes).toBeLessThanOrEqual(BUDGET.withEditor);
    // The measure found the editor: its TypeScript worker and Monaco's core are in it.
    const files = weight.withEditor.files.map((file) => file.path);
    expect(files.some((file) => /\/ts\.worker-[\w-]+\.js$/.test(file))).toBe(true);
    expect(files.some((file) => /\/code-editor\.[\w-]+\.js$/.test(file))).toBe(true);
    // No language the course does not use: no CSS, HTML or JSON services.
    expect(files.filter((file) => /(css|html|json)\.worker|cssMode|htmlMode|jsonMode/.test(file))).toEqual([]);
    // Anything bigger than a packet went out compressed.
    const uncompressed = weight.withEditor.files.filter((file) => file.bytes > 1500 && file.encoding !== "br");
    expect(uncompressed).toEqual([]);
  });

  it("sends brotli or gzip as the browser accepts, caches hashed files for a year and asks again for pages", async () => {
    const { withEditor } = await measurePageWeight(loadOverHttp(sandbox.server.url), LESSON);
    const worker = withEditor.files.find((file) => file.path.includes("ts.worker"))!.path;
    const br = await headersOf(sandbox.server.url + worker, "gzip, deflate, br");
    expect(br["content-encoding"]).toBe("br");
    expect(br["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.vary).toContain("Accept-Encoding");
    expect((await headersOf(sandbox.server.url + worker, "gzip"))["content-encoding"]).toBe("gzip");
    const plain = await headersOf(sandbox.server.url + worker, "identity");
    expect(plain["content-encoding"]).toBeUndefined();
    expect(Number(plain["content-length"])).toBeGreaterThan(Number(br["content-length"]) * 4);

    const page = await headersOf(sandbox.server.url + LESSON, "br");
    expect(page["content-encoding"]).toBe("br");
    expect(page["cache-control"]).toBe("no-cache");
    // The API is not the site's to cache.
    expect((await headersOf(`${sandbox.server.url}/api/health`, "br"))["cache-control"]).toBeUndefined();
  });
});
