import { describe, expect, it } from "vitest";
import { failedLine } from "../../src/client/python-traceback.ts";

describe("failedLine", () => {
  it("points at the innermost frame in the learner's own file, with the error as message", () => {
    const stderr = [
      "Sent message 1",
      "Traceback (most recent call last):",
      '  File "main.py", line 12, in <module>',
      "    send_all()",
      '  File "main.py", line 8, in send_all',
      "    producer.send(MESSAGES, value=i)",
      '  File "/opt/python/packages/kafka/producer/kafka.py", line 700, in send',
      "    assert type(value) is bytes",
      "AssertionError: value must be bytes",
      "",
    ].join("\n");
    expect(failedLine(stderr, ["main.py"])).toEqual({ file: "main.py", line: 8, message: "AssertionError: value must be bytes" });
  });

  it("finds a syntax error, which has no Traceback header", () => {
    const stderr = '  File "main.py", line 3\n    print("x"\n         ^\nSyntaxError: \'(\' was never closed\n';
    expect(failedLine(stderr, ["main.py"])).toEqual({ file: "main.py", line: 3, message: "SyntaxError: '(' was never closed" });
  });

  it("uses the last traceback when there are several", () => {
    const first = 'Traceback (most recent call last):\n  File "main.py", line 2, in <module>\nValueError: one\n';
    const second = "Traceback (most recent call last):\n  File \"main.py\", line 5, in <module>\nKeyError: 'two'\n";
    expect(failedLine(first + second, ["main.py"])?.line).toBe(5);
  });

  it("finds nothing in output without a traceback, or one that never reaches the learner's files", () => {
    expect(failedLine("Sent 10 messages.\n", ["main.py"])).toBeUndefined();
    expect(failedLine('Traceback (most recent call last):\n  File "/usr/lib/python3.11/x.py", line 1\nOSError: no\n', ["main.py"])).toBeUndefined();
  });
});
