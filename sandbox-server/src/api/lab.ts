// The learner's fault lab: start it (or wait in line), stop and start its brokers, stop it. Everything is
// keyed by the learner the cookie names; the browser names a broker of its own lab only.
import { LabBrokerBusy, LabNotReady, type LabClusters } from "../lab/index.ts";
import { log } from "../log.ts";
import * as S from "../contract/index.ts";
import { apiRoom, errorBody, json, problem, type RouteMaker } from "./shared.ts";

export function labRoom(labs: LabClusters, route: RouteMaker) {
  return apiRoom()
    .openapi(
      route(
        {
          method: "get",
          path: "/api/lab",
          summary: "This learner's fault lab: whether it runs, waits in line or starts, and its brokers",
          responses: { 200: json(S.LabStateSchema, "The learner's lab") },
        },
        { learner: true },
      ),
      (c) => c.json(labs.state(c.get("learnerId")), 200),
    )
    .openapi(
      route(
        {
          method: "post",
          path: "/api/lab",
          summary: "Start this learner's fault lab: three brokers of their own, or a place in line when the server runs as many labs as it may",
          responses: { 202: json(S.LabStateSchema, "The lab starts, or waits for a place (`place` says where it stands)") },
        },
        { learner: true },
      ),
      (c) => {
        const state = labs.open({ id: c.get("learnerId"), namespace: c.get("namespace") });
        log.info({ learner: c.get("learnerId"), phase: state.phase }, "a lab was asked for");
        return c.json(state, 202);
      },
    )
    .openapi(
      route(
        {
          method: "delete",
          path: "/api/lab",
          summary: "Stop this learner's fault lab (or leave the line); its topics are thrown away",
          responses: { 200: json(S.LabStateSchema, "The lab is stopped") },
        },
        { learner: true },
      ),
      async (c) => c.json(await labs.close(c.get("learnerId")), 200),
    )
    .openapi(
      route(
        {
          method: "post",
          path: "/api/lab/brokers/{id}",
          summary: "Stop one of the lab's brokers (as a crash would) or start it again",
          request: {
            params: S.LabBrokerParams,
            body: { content: { "application/json": { schema: S.LabBrokerChangeSchema } }, required: true },
          },
          responses: {
            202: json(S.LabStateSchema, "The change is made (a stop) or under way (a start: the broker is `starting`)"),
            400: problem("Not a broker id or action"),
            409: problem("The lab is not ready, or the broker is not in a state that allows it"),
          },
        },
        { learner: true },
      ),
      async (c) => {
        const { id } = c.req.valid("param");
        const { action } = c.req.valid("json");
        try {
          const state = await labs.changeBroker(c.get("learnerId"), c.get("namespace"), id, action);
          log.info({ learner: c.get("learnerId"), broker: id, action }, "a lab broker was changed");
          return c.json(state, 202);
        } catch (error) {
          if (error instanceof LabNotReady) return c.json(errorBody("lab_not_ready", error.message), 409);
          if (error instanceof LabBrokerBusy) return c.json(errorBody("broker_busy", error.message), 409);
          throw error;
        }
      },
    );
}
