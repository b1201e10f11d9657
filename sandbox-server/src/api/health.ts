// GET /api/health: whether the server can do its work now — Kafka serves, programs compile, each
// language it offers runs, progress can be kept.
import { brokersNeeded } from "../kafka/index.ts";
import { compilerHealth } from "../runs/index.ts";
import * as S from "../contract/index.ts";
import { apiRoom, json, type AppDependencies, type RouteMaker } from "./shared.ts";

export function healthRoom(deps: AppDependencies, route: RouteMaker) {
  return apiRoom().openapi(
    route(
      {
        method: "get",
        path: "/api/health",
        summary: "Whether the server is up, Kafka answers, and every language it offers can run",
        responses: {
          200: json(
            S.HealthSchema,
            "Kafka serves (a majority of its brokers answer: kafka.nodes tells which), programs compile, no language's check failed",
          ),
          503: json(
            S.HealthSchema,
            "Kafka does not serve (fewer than a majority of its brokers answer), the compiler is broken, a language the server offers cannot run, or progress cannot be kept",
          ),
        },
      },
      { learner: false },
    ),
    async (c) => {
      const [kafka, compiler, progress] = await Promise.all([deps.probeKafka(), compilerHealth(), deps.progress.health()]);
      const { kind, note, canary } = deps.runs.isolation;
      const languages = deps.runs.languages;
      const runs = {
        alive: deps.runs.alive().length,
        isolation: kind,
        warmSandboxes: deps.runs.warmSandboxes,
        warmByLanguage: deps.runs.warmByLanguage,
        languages,
        ...(note ? { note } : {}),
        ...(canary ? { canary } : {}),
        ...(deps.runs.classData ? { classData: deps.runs.classData } : {}),
      };
      const up = kafka.nodes.filter((node) => node.up).length;
      // A language whose check ran and failed is a server that cannot do what it offers.
      const languageBroken = Object.values(languages).some((language) => language?.ok === false && language.canary !== undefined);
      const healthy = kafka.reachable && up >= brokersNeeded(kafka.nodes.length) && compiler.ok && progress.ok && !languageBroken;
      const labs = deps.labs && { offered: deps.labs.offered, ...deps.labs.capacity() };
      const body = { status: healthy ? ("ok" as const) : ("degraded" as const), kafka, runs, ...(labs && { labs }), compiler, progress };
      return c.json(body, healthy ? 200 : 503);
    },
  );
}
