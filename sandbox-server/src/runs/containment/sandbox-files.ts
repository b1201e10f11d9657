// What a sandbox binds from the host must be reachable by the user it runs as (nobody, when the server
// runs as root). A project cloned into /root (0700) or a 0750 home is not: there, Node and kafkajs are
// linked (or copied) into the server's own sandbox folder under the system's temporary folder, which
// nobody may traverse. Also here: clearing sandbox folders a killed server left behind.
import { constants, statSync } from "node:fs";
import { chmod, copyFile, link, mkdir, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** The user sandboxes run as when the server runs as root. */
export const NOBODY = 65534;

/** Every sandbox folder of a server is named after its process id, so a later server can tell whose it is. */
export const SANDBOX_ROOT_PREFIX = "tributary-sandbox-";

/**
 * Whether the unprivileged user can read `file` (and, for `executable`, run it): every folder above it
 * must be searchable for nobody, judged by its mode bits as the kernel would for a user who owns nothing.
 */
export function reachableByNobody(file: string, executable = false): boolean {
  const allowed = (mode: number, uid: number, gid: number, want: number) =>
    uid === NOBODY ? (mode & (want << 6)) === want << 6 : gid === NOBODY ? (mode & (want << 3)) === want << 3 : (mode & want) === want;
  try {
    const target = statSync(file);
    const want = constants.S_IROTH | (executable ? constants.S_IXOTH : 0);
    if (!allowed(target.mode, target.uid, target.gid, want)) return false;
    for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
      const folder = statSync(dir);
      if (!allowed(folder.mode, folder.uid, folder.gid, constants.S_IXOTH)) return false;
      if (dir === path.dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

/**
 * A file placed where nobody can read it: a hard link when on the same file system and the file's own
 * mode already lets others read it (a link shares the mode, which must not change under its owner), else a copy.
 */
async function placeFile(source: string, target: string, mode: number): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  const linkable = (statSync(source).mode & mode & 0o007) === (mode & 0o007);
  try {
    if (!linkable) throw new Error("the file's mode keeps others out");
    await link(source, target);
  } catch {
    await copyFile(source, target);
    await chmod(target, mode);
  }
}

/**
 * A file or folder the sandbox binds, as nobody can reach it: the original when it can (or the server does not
 * run as root), else a copy named `name` in `root`.
 */
export async function reachableForSandbox(
  root: string,
  source: string,
  name: string,
  options: { executable?: boolean; runningAsRoot?: boolean } = {},
): Promise<string> {
  const { executable = false, runningAsRoot = process.getuid?.() === 0 } = options;
  const isDir = statSync(source).isDirectory();
  if (!runningAsRoot || reachableByNobody(source, isDir || executable)) return source;
  const target = path.join(root, name);
  if (isDir) await placeTree(source, target);
  else await placeFile(source, target, executable ? 0o755 : 0o644);
  return target;
}

/** A folder placed where nobody can read it, file by file (links where they may be, copies elsewhere). */
async function placeTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o755 });
  await chmod(target, 0o755);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(from).isDirectory());
    if (isDir) await placeTree(from, to);
    else await placeFile(from, to, 0o644);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the sandbox folders of servers that are gone (killed, or failed half-way through their start).
 * A folder of a server that still runs is never touched.
 */
export async function clearStaleSandboxRoots(tmpDir = os.tmpdir()): Promise<string[]> {
  const cleared: string[] = [];
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const pid = Number(new RegExp(`^${SANDBOX_ROOT_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    await rm(path.join(tmpDir, name), { recursive: true, force: true });
    cleared.push(name);
  }
  return cleared;
}
