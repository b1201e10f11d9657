// The README sends readers to files by path; a path that no longer exists sends them nowhere. Every path in
// backticks that starts in a folder of the repository (or of the server's source, which the README shortens
// to `runs/…`, `contract/…`) must exist. Placeholders (`<id>`, `*`) and what the course makes at run time
// (`.tributary/`) are not paths of the repository.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.join(import.meta.dirname, "..", "..");
const serverSource = path.join(root, "sandbox-server", "src");
const folders = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "node_modules" && entry.name !== ".tributary" && entry.name !== ".git")
    .map((entry) => entry.name);

/** The paths a Markdown text names in backticks that begin in one of `bases`' folders. */
function namedPaths(markdown: string, bases: string[]): string[] {
  const firstFolders = new Set(bases.flatMap(folders));
  return [...markdown.matchAll(/`([A-Za-z0-9_.#-]+(?:\/[A-Za-z0-9_.#-]+)+\/?)`/g)]
    .map((match) => match[1]!.split("#")[0]!)
    .filter((named) => firstFolders.has(named.split("/")[0]!));
}

describe("the README", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const named = namedPaths(readme, [root, serverSource]);

  it("names files of the repository", () => {
    expect(named.length).toBeGreaterThan(40);
  });

  it("names only paths that exist", () => {
    const missing = named.filter((named) => !existsSync(path.join(root, named)) && !existsSync(path.join(serverSource, named)));
    expect(missing).toEqual([]);
  });

  it("would notice a path that does not exist", () => {
    const found = namedPaths("see `sandbox-server/src/broker/jvm.ts` and `runs/learner-kit.ts`, not `a/b`", [root, serverSource]);
    expect(found).toEqual(["sandbox-server/src/broker/jvm.ts", "runs/learner-kit.ts"]);
    expect(found.filter((named) => !existsSync(path.join(root, named)) && !existsSync(path.join(serverSource, named)))).toEqual(found);
  });
});
