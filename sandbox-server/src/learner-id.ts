// Who is asking: an anonymous learner id kept in a cookie, so progress survives a reload
// without accounts. A request without a valid cookie gets a new id.
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomUUID } from "node:crypto";

export const LEARNER_COOKIE = "tributary_learner";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type LearnerEnv = { Variables: { learnerId: string } };

export const learnerId: MiddlewareHandler<LearnerEnv> = async (c, next) => {
  let id = getCookie(c, LEARNER_COOKIE);
  if (!id || !UUID.test(id)) {
    id = randomUUID();
    setCookie(c, LEARNER_COOKIE, id, { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 60 * 60 * 24 * 365 });
  }
  c.set("learnerId", id);
  await next();
};
