import { describe, expect, it } from "vitest";
import { KafkaNoiseFolder } from "../../sandbox-server/src/runs/kafka-noise.ts";

const kafkajsLine = (message: string) =>
  JSON.stringify({ level: "ERROR", timestamp: "2026-01-01T00:00:00.000Z", logger: "kafkajs", message, broker: "127.0.0.1:9092" });

describe("folding kafkajs's connection errors", () => {
  it("shows the first connection error as one readable line and folds the rest into it", () => {
    const folder = new KafkaNoiseFolder();
    const noise = `${Array.from({ length: 32 }, (_, i) =>
      kafkajsLine(i % 2 ? "[Connection] Connection error: connect ECONNREFUSED 127.0.0.1:9092" : "[BrokerPool] Failed to connect to seed broker"),
    ).join("\n")}\n`;
    const shown = folder.fold(noise);
    expect(shown.trim().split("\n")).toHaveLength(1);
    expect(shown).toContain(
      "kafkajs: [BrokerPool] Failed to connect to seed broker (broker 127.0.0.1:9092). Further connection errors are folded into this line.",
    );
    expect(folder.folded).toBe(32);
  });

  it("keeps the program's own lines and kafkajs lines about other things, even when a line arrives in pieces", () => {
    const folder = new KafkaNoiseFolder();
    const denied = kafkajsLine("[Producer] Not authorized to access topics: [Topic authorization failed]");
    const shown = folder.fold(`my own error\n${denied.slice(0, 40)}`) + folder.fold(`${denied.slice(40)}\npartial`);
    expect(shown).toBe(`my own error\n${denied}\npartial`);
    expect(folder.flush()).toBe("");
  });
});
