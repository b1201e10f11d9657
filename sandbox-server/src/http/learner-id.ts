// Who is asking: an anonymous learner id kept in a cookie, so progress survives a reload without
// accounts. Ids are issued by the server and signed with its secret: a learner cannot choose one
// (and so cannot pose as another, or make up new ones to reset their caps), and new ids per client
// address are rate limited.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { StartRateLimit } from "../runs/start-rate.ts";
import { log } from "../log.ts";

export const LEARNER_COOKIE = "tributary_learner";
const SIGNED_ID = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const HOUR_MS = 60 * 60 * 1000;

export type LearnerEnv = { Variables: { learnerId: string; namespace: string } };

/**
 * The server's secret: 32 random bytes in the state folder, readable by its owner only, made on
 * first start. Signing keys for learner ids, namespaces and Kafka passwords derive from it. A secret
 * the host shares between the servers of a school (`shared`, TRIBUTARY_SECRET_FILE) is never made here:
 * a server that made its own would sign ids no other server accepts.
 */
export function loadServerSecret(file: string, shared = false): Buffer {
  const setting = shared ? "TRIBUTARY_SECRET_FILE: " : "";
  try {
    const secret = readFileSync(file);
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    if (secret.length >= 32) return secret;
    throw new Error(
      shared
        ? `${setting}${file} holds ${secret.length} bytes; a server secret has at least 32. Make it with: head -c 32 /dev/urandom > ${file}`
        : `${file} holds ${secret.length} bytes; a server secret has 32. Delete it and start again to make a new one (learners then get new ids).`,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (shared && code) {
      throw new Error(
        `${setting}cannot use ${file} (${code}). Make it once (head -c 32 /dev/urandom > ${file}; chmod 600 ${file}) and give every server of the school the same file.`,
      );
    }
    if (code !== "ENOENT") throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    const secret = randomBytes(32);
    writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}

/** Issues and checks signed learner ids, and derives each learner's Kafka namespace from theirs. */
export class LearnerIds {
  readonly #signingKey: Buffer;
  readonly #namespaceKey: Buffer;
  readonly #passwordKey: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.#signingKey = createHmac("sha256", secret).update("learner-id").digest();
    this.#namespaceKey = createHmac("sha256", secret).update("learner-namespace").digest();
    this.#passwordKey = createHmac("sha256", secret).update("learner-kafka-password").digest();
  }

  /** A new learner: their id, and the cookie value that proves it. */
  issue(): { id: string; cookie: string } {
    const id = randomBytes(16).toString("base64url");
    return { id, cookie: `${id}.${this.#sign(id)}` };
  }

  /** The learner id a cookie value proves, or undefined when it was not issued by this server. */
  verify(cookie: string | undefined): string | undefined {
    const match = cookie ? SIGNED_ID.exec(cookie) : null;
    if (!match) return undefined;
    const [, id, signature] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.#sign(id));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }

  /** The key a learner's namespace is derived with (see learnerNamespace). */
  get namespaceKey(): Buffer {
    return this.#namespaceKey;
  }

  /** The key a learner's Kafka password is derived with, so every server sharing the secret gives the same one (see LearnerPrincipals). */
  get passwordKey(): Buffer {
    return this.#passwordKey;
  }

  #sign(id: string): string {
    return createHmac("sha256", this.#signingKey).update(id).digest("base64url");
  }
}

const problem = (c: Context, status: 403 | 429, code: string, message: string) => c.json({ error: { code, message } }, status);

/** The client's address as the socket sees it (a proxy in front makes every learner one address). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not served by @hono/node-server (app.request in tests)
  }
}

/**
 * Sets `learnerId` and `namespace` on a route that acts for a learner (routes declare it). A request that changes
 * state must carry a cookie this server issued; a visitor without one gets a new id on a read
 * (a page loading their progress), up to `newLearnersPerHour` per client address. `onLearner` hears of every
 * request's learner, and whether their id was issued by this very request.
 */
export function learnerIdentity(
  ids: LearnerIds,
  namespaceOf: (learnerId: string, key: Buffer) => string,
  newLearnersPerHour: number,
  onLearner: (learnerId: string, namespace: string, issued: boolean) => void = () => {},
): MiddlewareHandler<LearnerEnv> {
  const newLearners = new StartRateLimit(newLearnersPerHour, Date.now, HOUR_MS);
  return async (c, next) => {
    let id = ids.verify(getCookie(c, LEARNER_COOKIE));
    const issued = !id;
    if (!id) {
      if (c.req.method !== "GET" && c.req.method !== "HEAD") {
        return problem(
          c,
          403,
          "no_learner",
          "This request needs the learner cookie this server gave you. Reload the page (with cookies allowed) and try again.",
        );
      }
      const address = clientAddress(c);
      const allowed = newLearners.take(address);
      if (!allowed.ok) {
        log.warn({ address }, "new learners refused: too many from one address");
        c.header("Retry-After", String(allowed.retryAfterSeconds));
        return problem(
          c,
          429,
          "too_many_learners",
          `Too many new learners came from your address in the last hour; try again in ${Math.ceil(allowed.retryAfterSeconds / 60)} min, or keep your cookies.`,
        );
      }
      const fresh = ids.issue();
      id = fresh.id;
      setCookie(c, LEARNER_COOKIE, fresh.cookie, { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 60 * 60 * 24 * 365 });
    }
    const namespace = namespaceOf(id, ids.namespaceKey);
    onLearner(id, namespace, issued);
    c.set("learnerId", id);
    c.set("namespace", namespace);
    await next();
  };
}
