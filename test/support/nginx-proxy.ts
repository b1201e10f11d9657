// The project's nginx configuration (deploy/nginx.conf), run by the machine's own nginx (Debian: apt-get
// install nginx) in a temporary folder: only its `listen` port and upstream servers are changed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../../sandbox-server/src/config.ts";

export interface NginxProxy {
  url: string;
  stop(): Promise<void>;
}

/** deploy/nginx.conf listening on 127.0.0.1:`port` in front of `servers` (host:port each). */
export async function siteConfiguration(port: number, servers: string[]): Promise<string> {
  const committed = await readFile(path.join(projectRoot, "deploy/nginx.conf"), "utf8");
  const upstreams = [...committed.matchAll(/^(\s*)server 127\.0\.0\.1:\d+ (.*);$/gm)];
  const listens = [...committed.matchAll(/^\s*listen 80;$/gm)];
  if (upstreams.length === 0 || listens.length !== 1)
    throw new Error("deploy/nginx.conf no longer has the listen line and upstream servers this test replaces.");
  const indent = upstreams[0]![1]!;
  const options = upstreams[0]![2]!;
  let config = committed.replace(/^\s*listen 80;$/m, `    listen 127.0.0.1:${port};`);
  config = config.replace(/^\s*server 127\.0\.0\.1:\d+ .*;\n/gm, "");
  return config.replace(/^(\s*keepalive )/m, `${servers.map((server) => `${indent}server ${server} ${options};\n`).join("")}$1`);
}

/** Starts nginx in the foreground on 127.0.0.1:`port`; resolves once it accepts connections. */
export async function startNginx(port: number, servers: string[]): Promise<NginxProxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-nginx-"));
  // Under root, nginx's workers run as nobody: they must reach its temporary folders.
  await chmod(dir, 0o755);
  for (const temp of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    await mkdir(path.join(dir, temp));
    await chmod(path.join(dir, temp), 0o777);
  }
  await writeFile(path.join(dir, "tributary.conf"), await siteConfiguration(port, servers));
  await writeFile(
    path.join(dir, "nginx.conf"),
    [
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      "events { worker_connections 512; }",
      "http {",
      `  access_log ${dir}/access.log;`,
      ...["body", "proxy", "fastcgi", "uwsgi", "scgi"].map((temp) => `  ${temp === "body" ? "client_body" : temp}_temp_path ${dir}/${temp};`),
      `  include ${dir}/tributary.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  // Debian puts nginx in /usr/sbin, which an ordinary user's PATH may lack.
  const nginx = existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
  const child: ChildProcess = spawn(nginx, ["-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`, "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(path.join(dir, "error.log"), "utf8").catch(() => "");
      child.kill("SIGKILL");
      throw new Error(`nginx did not start on port ${port}:\n${stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGQUIT");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
