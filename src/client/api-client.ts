// The one client of the sandbox API, typed from the server's own routes (hono/client): the page and the
// tests call the same routes with the same request and response types, so neither can drift from the server.
import { hc } from "hono/client";
import type { AppType } from "../../sandbox-server/src/app.ts";

/** A client of the API at `baseUrl` ("/" in the page); `fetch` lets a caller carry its own cookies. */
export function apiClient(baseUrl: string, fetchImpl?: typeof fetch) {
  return hc<AppType>(baseUrl, fetchImpl ? { fetch: fetchImpl } : {});
}

export type ApiClient = ReturnType<typeof apiClient>;
