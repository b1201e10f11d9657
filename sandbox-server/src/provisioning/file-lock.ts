// One writer at a time across processes: a lock file made whole with link() (atomic, and refused when
// the file exists), naming its holder's pid. A holder that died leaves a lock the next taker breaks.
import { randomBytes } from "node:crypto";
import { link, readFile, rename, rm, writeFile } from "node:fs/promises";
import { processAlive } from "./broker-processes.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function holderOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  return text === undefined ? undefined : Number(text.trim());
}

/** Takes the lock if nobody holds it. */
async function tryTake(lockFile: string): Promise<boolean> {
  const mine = `${lockFile}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    await link(mine, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(mine, { force: true });
  }
}

/** Removes a lock whose holder died. Moved aside first, so two takers never both remove one; a live lock moved by mistake is put back. */
async function breakStale(lockFile: string, deadHolder: number): Promise<void> {
  const aside = `${lockFile}.${process.pid}.stale`;
  if (
    !(await rename(lockFile, aside).then(
      () => true,
      () => false,
    ))
  )
    return;
  const moved = await holderOf(aside);
  if (moved !== undefined && moved !== deadHolder && processAlive(moved)) await link(aside, lockFile).catch(() => {});
  await rm(aside, { force: true });
}

/** Runs `work` holding the lock; waits up to `timeoutMs` for another holder to finish. Not reentrant. */
export async function withFileLock<T>(lockFile: string, work: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tryTake(lockFile))) {
    const holder = await holderOf(lockFile);
    if (holder === undefined) continue;
    if (!processAlive(holder)) {
      await breakStale(lockFile, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`${lockFile} is held by process ${holder}, another \`npm run kafka\` or \`npm start\`; try again once it has finished.`);
    }
    await sleep(50);
  }
  try {
    return await work();
  } finally {
    if ((await holderOf(lockFile)) === process.pid) await rm(lockFile, { force: true });
  }
}
