import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toYaml } from "../../sandbox-server/src/provisioning/yaml-text.ts";

describe("the YAML the compose files are written in", () => {
  it("reads back as the value it was written from, whatever YAML could take a string for", () => {
    const value = {
      name: "tributary-multi",
      ports: ["127.0.0.1:9092:9092", "9092:9092"],
      flags: ["-Xms384m", "-XX:+UseG1GC", "--standalone", ""],
      environment: { MALLOC_ARENA_MAX: "2", YES: "yes", OFF: "off", NULLISH: "null", TILDE: "~", HASH: "a # b", COLON: "a: b" },
      volumes: ["${TRIBUTARY_KAFKA_POLICY_DIR:-../.tributary/x}:/opt/p:ro", "./single/node-1.properties:/opt/n:ro"],
      nested: [{ test: ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9092"], interval: "2s", retries: 90 }],
      ulimits: { nofile: { soft: 17920, hard: 17920 } },
      empty: {},
      init: true,
    };
    expect(parse(toYaml(value))).toEqual(value);
  });
});
