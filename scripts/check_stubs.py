#!/usr/bin/env python3
"""Render the generated stubs of providers (default: all) for every config variant and every
option value, then type-check them all with `tsc --strict --noEmit`.

A tool for manifest authors; the test suite does the same through `integrations add`.
Usage: scripts/check_stubs.py [provider...]   (env INTEGRATIONS_BIN overrides the binary)
"""
import json, os, shutil, subprocess, sys, hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = os.environ.get("INTEGRATIONS_BIN", str(ROOT / "target/debug/integrations"))
HARNESS = ROOT / "target/ts-harness"
BASE_DEPS = ["typescript", "@types/node", "@types/react", "react"]
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022", "lib": ["dom", "dom.iterable", "es2022"], "module": "esnext",
        "moduleResolution": "bundler", "jsx": "react-jsx", "strict": True, "noEmit": True,
        "skipLibCheck": True, "esModuleInterop": True, "isolatedModules": True,
        "resolveJsonModule": True, "types": ["node", "react"], "paths": {"@/*": ["./project/*"]},
    },
    "include": ["project/**/*.ts", "project/**/*.tsx"],
}

def run(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout

def main():
    if not os.environ.get("INTEGRATIONS_BIN"):
        subprocess.run(["cargo", "build", "-q"], cwd=ROOT, check=True)
    ids = sys.argv[1:] or [p["id"] for p in json.loads(run(BIN, "list", "--json"))]
    project = HARNESS / "project"
    shutil.rmtree(project, ignore_errors=True)
    deps = set(BASE_DEPS)
    n = 0
    for pid in ids:
        info = json.loads(run(BIN, "info", pid, "--json"))
        for dep in info.get("dependencies", {}).get("npm", []):
            deps.add(dep if isinstance(dep, str) else dep["name"])
        cases = []
        for config in info["configs"]:
            cases.append((config, []))
            for opt in info.get("options", []):
                for value in opt["values"]:
                    if value != opt["default"]:
                        cases.append((config, [f"{opt['name']}={value}"]))
        for i, (config, sets) in enumerate(cases):
            alias = None if i == 0 else f"v{i}"
            args = [BIN, "manifest", "render", pid, "--config", config, "--out", str(project), "-q"]
            if alias:
                args += ["--alias", alias]
            for s in sets:
                args += ["--set", s]
            run(*args)
            n += 1
    HARNESS.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(" ".join(sorted(deps)).encode()).hexdigest()
    stamp = HARNESS / ".deps"
    if not stamp.exists() or stamp.read_text() != key:
        (HARNESS / "package.json").write_text(json.dumps({"name": "ts-harness", "private": True}))
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *sorted(deps)],
                       cwd=HARNESS, check=True)
        stamp.write_text(key)
    (HARNESS / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
    r = subprocess.run([str(HARNESS / "node_modules/.bin/tsc"), "-p", str(HARNESS)], text=True,
                       capture_output=True)
    print(r.stdout + r.stderr)
    print(f"{n} renderings of {len(ids)} providers: " + ("tsc OK" if r.returncode == 0 else "tsc FAILED"))
    sys.exit(r.returncode)

main()
