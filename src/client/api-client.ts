// The one client of the sandbox API, typed from the server's own routes (hono/client): the page and the
// tests call the same routes with the same request and response types, so neither can drift from the server.
import { hc } from "hono/client";
import type { AppType } from "../../sandbox-server/src/app.ts";
import type { labRoom } from "../../sandbox-server/src/api/lab.ts";

/** A client of the API at `baseUrl` ("/" in the page); `fetch` lets a caller carry its own cookies. */
export function apiClient(baseUrl: string, fetchImpl?: typeof fetch) {
  return hc<AppType>(baseUrl, fetchImpl ? { fetch: fetchImpl } : {});
}

/**
 * A client of the fault lab's routes. The server mounts them only where it offers labs, so they are typed
 * from their own room rather than from AppType; requests go out exactly as the other client's do.
 */
export function labApiClient(baseUrl: string, fetchImpl?: typeof fetch) {
  return hc<ReturnType<typeof labRoom>>(baseUrl, fetchImpl ? { fetch: fetchImpl } : {});
}

export type ApiClient = ReturnType<typeof apiClient>;
