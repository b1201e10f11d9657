// Requests must come to this server by one of its own names, and requests that change state must
// come from its own pages. Without the first, any web page a learner visits could point a name of
// its own at 127.0.0.1 (DNS rebinding) and drive the API as that learner; without the second, it
// could post to the API from its own origin (cross-site request forgery).
import type { MiddlewareHandler } from "hono";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The names a server answers to: its own host setting, loopback, and any the host adds. */
export function serverHostNames(host: string, extra: readonly string[] = []): string[] {
  return [...new Set([host, "localhost", "127.0.0.1", "::1", ...extra].map((name) => name.toLowerCase().replace(/^\[|\]$/g, "")))];
}

const refuse = (message: string) => ({ error: { code: "forbidden", message } });

/**
 * Refuses a request whose Host is not one of `hostNames` (421), and a state-changing request whose
 * Origin (or, without one, Sec-Fetch-Site) says it came from another site (403). An Origin is compared
 * whole: scheme, host and port must be the server's own (or one of `extraOrigins`, the address a proxy
 * in front serves its pages from). Clients that are not browsers send neither header and are let
 * through: only a browser carries a learner's cookie to a request another site starts.
 */
export function sameOrigin(hostNames: readonly string[], extraOrigins: readonly string[] = []): MiddlewareHandler {
  const allowed = new Set(hostNames);
  const otherOrigins = new Set(extraOrigins.map((origin) => origin.toLowerCase().replace(/\/$/, "")));
  return async (c, next) => {
    const url = new URL(c.req.url);
    const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
    if (!allowed.has(hostname)) {
      return c.json(
        refuse(`This server does not answer to the name "${hostname}". A course host adds names with TRIBUTARY_ALLOWED_HOSTS (comma-separated).`),
        421,
      );
    }
    if (READS.has(c.req.method)) return next();
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      let from: string | undefined;
      try {
        from = new URL(origin).origin.toLowerCase();
      } catch {
        from = undefined; // "null", or garbage
      }
      if (from !== url.origin.toLowerCase() && (from === undefined || !otherOrigins.has(from))) {
        return c.json(refuse(`Requests that change something must come from this course's own pages, not from ${origin}.`), 403);
      }
    } else {
      const site = c.req.header("sec-fetch-site");
      if (site !== undefined && site !== "same-origin" && site !== "none") {
        return c.json(refuse("Requests that change something must come from this course's own pages."), 403);
      }
    }
    await next();
  };
}
