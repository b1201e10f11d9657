import { describe, expect, it } from "vitest";
import { courseProgressText, lessonProgressText } from "../../src/client/lesson-progress.ts";

describe("the table of contents' progress", () => {
  it("counts a lesson's checkpoints in good grammar", () => {
    expect(lessonProgressText(1, 1)).toBe("✓ checkpoint passed");
    expect(lessonProgressText(0, 1)).toBe("0 of 1 checkpoint passed");
    expect(lessonProgressText(1, 2)).toBe("1 of 2 checkpoints passed");
    expect(lessonProgressText(2, 2)).toBe("✓ all 2 checkpoints passed");
  });

  it("says how far the learner is through the whole course", () => {
    expect(courseProgressText(0, 11)).toBe("The course has 11 checkpoints; you have not passed one yet.");
    expect(courseProgressText(1, 11)).toBe("You have passed 1 of the course's 11 checkpoints.");
    expect(courseProgressText(11, 11)).toBe("You have passed all 11 checkpoints of the course.");
  });
});
