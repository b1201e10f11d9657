// One compile in a process of its own (see compile.ts): the files arrive as JSON on stdin, the
// result leaves as JSON on stdout. If esbuild crashes or hangs here, only this process goes.
import { compileHere } from "./compile.ts";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const result = await compileHere(JSON.parse(input) as Record<string, string>);
process.stdout.write(JSON.stringify(result));
