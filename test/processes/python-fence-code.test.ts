// The Python launcher's audit hook must not depend on anything a program can change. A program can reach the
// hook's frames (Python raises no audit event for f_back or f_locals), so this reads the hook's compiled code:
// its functions look up no global or builtin name (a program can rebind those), hold no closure (cells can be
// rewritten), build no list, set or dict (a frame would hand them out to be changed mid-check), and use only
// the attributes of str and bytes values it has checked, and the code of a function it is asked about.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { SYSTEM_PYTHON } from "../../sandbox-server/src/runs/languages/python/packages.ts";

const LAUNCHER = fileURLToPath(new URL("../../sandbox-server/src/runs/inside/python-launcher.py", import.meta.url));

/** For each function defined in install_fence: the instructions and attribute names it uses that are not allowed. */
const INSPECT = `
import dis, json, sys, types
code = compile(open(sys.argv[1]).read(), sys.argv[1], "exec")
fence = next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == "install_fence")
FORBIDDEN = {"LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "LOAD_DEREF", "STORE_DEREF", "LOAD_CLASSDEREF", "LOAD_CLOSURE",
             "IMPORT_NAME", "LOAD_BUILD_CLASS", "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE"}
ATTRIBUTES = {"partition", "startswith", "strip", "rfind", "decode", "__code__", "co_filename"}
# Run once, while the fence is installed, before any program: it may build what it likes.
INSTALL_TIME = {"roots_of"}
report = {"cells": list(fence.co_cellvars), "functions": {}}
for function in (c for c in fence.co_consts if isinstance(c, types.CodeType)):
    nested = [c.co_name for c in function.co_consts if isinstance(c, types.CodeType)]
    used = {i.opname for i in dis.get_instructions(function)} & FORBIDDEN
    odd = set(function.co_names) - ATTRIBUTES
    if function.co_name in INSTALL_TIME:
        used -= {"BUILD_LIST"}
        odd -= {"append"}
    report["functions"][function.co_name] = sorted(used | odd | set(nested) | set(function.co_freevars))
print(json.dumps(report))
`;

it("builds its audit hook from functions without globals, closures or containers of their own", async () => {
  const { stdout } = await promisify(execFile)(SYSTEM_PYTHON, ["-I", "-S", "-c", INSPECT, LAUNCHER]);
  const report = JSON.parse(stdout) as { cells: string[]; functions: Record<string, string[]> };
  expect(report.cells).toEqual([]);
  expect(Object.keys(report.functions)).toEqual(expect.arrayContaining(["hook", "refusal", "resolve", "may"]));
  for (const [name, offending] of Object.entries(report.functions)) expect(offending, name).toEqual([]);
});
