// Finds where a Python program failed, from the traceback it wrote to stderr, so the editor can mark
// the line. Only the learner's own files count (the launcher shows no other frames, but a library's may be
// there): the innermost frame in one of them is where to look.

export interface FailedLine {
  /** The file, as the learner's editor names it (main.py). */
  file: string;
  line: number;
  /** The traceback's last line, e.g. "NameError: name 'producer' is not defined". */
  message: string;
}

const FRAME = /^ {2}File "([^"]+)", line (\d+)/;

/** The line of `files` where the last traceback in `stderr` points, or undefined when there is none. */
export function failedLine(stderr: string, files: readonly string[]): FailedLine | undefined {
  const lines = stderr.split("\n");
  // SyntaxErrors print no "Traceback" header: the frame line starts the report.
  const start = Math.max(lines.lastIndexOf("Traceback (most recent call last):"), 0);
  let found: Omit<FailedLine, "message"> | undefined;
  let message = "";
  for (const text of lines.slice(start)) {
    const frame = FRAME.exec(text);
    if (frame) {
      if (files.includes(frame[1]!)) found = { file: frame[1]!, line: Number(frame[2]) };
    } else if (/^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit|Warning)\b/.test(text)) {
      message = text.trim();
    }
  }
  return found && { ...found, message: message || "Your program failed here." };
}
