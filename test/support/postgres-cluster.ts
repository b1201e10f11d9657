// A throwaway PostgreSQL cluster from the machine's own PostgreSQL (Debian: apt-get install postgresql):
// initdb into a temporary folder, a server on a port of the test's on 127.0.0.1, password logins, and
// everything removed at the end. PostgreSQL refuses to run as root, so under root it runs as `postgres`.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface PostgresCluster {
  port: number;
  /** A URL for `database` as the cluster's owner, with its password. */
  url(database: string): string;
  /** Makes an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once (as a crash would look to its clients); `start` brings it back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  remove(): Promise<void>;
}

const OWNER = "tributary";

/** The folder of the newest PostgreSQL server installed (Debian keeps each version's programs apart). */
function serverPrograms(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`No PostgreSQL server in ${root}: install it (Debian: apt-get install postgresql).`);
  return path.join(root, versions[0]!, "bin");
}

/** The user PostgreSQL runs as: this one, or `postgres` (else nobody) when this is root. */
async function clusterUser(): Promise<{ name: string; uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number((await run("id", ["-u", name])).stdout.trim());
      const gid = Number((await run("id", ["-g", name])).stdout.trim());
      return { name, uid, gid };
    } catch {
      // no such user here; try the next
    }
  }
  throw new Error("Running as root, PostgreSQL needs another user to run as: neither postgres nor nobody exists.");
}

/** Starts a new cluster on 127.0.0.1:`port`. */
export async function startPostgres(port: number): Promise<PostgresCluster> {
  const bin = serverPrograms();
  const user = await clusterUser();
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-postgres-"));
  const data = path.join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await writeFile(path.join(dir, "password"), password);
  if (user) {
    await chown(dir, user.uid, user.gid);
    await chown(path.join(dir, "password"), user.uid, user.gid);
  }
  const as = (program: string, args: string[]) =>
    user ? run("runuser", ["-u", user.name, "--", path.join(bin, program), ...args], { cwd: dir }) : run(path.join(bin, program), args, { cwd: dir });
  await as("initdb", ["-D", data, "-U", OWNER, "--auth=scram-sha-256", `--pwfile=${path.join(dir, "password")}`, "-E", "UTF8", "--locale=C.UTF-8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  const start = async () => {
    try {
      await as("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    } catch (error) {
      const logText = await readFile(path.join(dir, "server.log"), "utf8").catch(() => "");
      throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${logText.split("\n").slice(-15).join("\n")}`);
    }
  };
  const stop = async () => {
    await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {
      // already stopped
    });
  };
  try {
    await start();
  } catch (error) {
    // A cluster that did not come up leaves nothing behind: no server, no folder.
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = (database: string) => `postgres://${OWNER}:${password}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    createDatabase: async (name) => {
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    remove: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
