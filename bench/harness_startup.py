#!/usr/bin/env python3
"""Time from the harness call to the first 200, against the bare binary's start.

usage: harness_startup.py BINARY [--rounds 30] [--node-project DIR]

Per round, interleaved: (bare) spawn `BINARY --port 0`, read its listening line, GET /__admin/health;
(python) `authmock.Server()` then the same GET; (python tls) `authmock.Server(tls=True)`; with
--node-project (a directory where the authmock npm package is installed), the same two in Node with
`startAuthmock()` (bench/harness_startup.mjs). Stopping is not timed. Run it with the Python that has
the authmock wheel installed; AUTHMOCK_BIN is set to BINARY so every side starts the same file.
Prints the median and p90 of each, and the median overhead over the same language's bare spawn.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request


def health(url: str) -> None:
    with urllib.request.urlopen(url + "/__admin/health", timeout=5) as r:
        assert r.status == 200


def bare(binary: str) -> float:
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "warn"})
    line = p.stdout.readline()
    health(line.split()[-1])
    ms = (time.perf_counter() - t0) * 1000
    p.terminate()
    p.wait()
    return ms


def harness(tls: bool) -> float:
    import authmock

    t0 = time.perf_counter()
    s = authmock.Server(tls=tls)
    health(s.url)
    ms = (time.perf_counter() - t0) * 1000
    s.stop()
    return ms


def summary(name: str, xs, base=None) -> str:
    xs = sorted(xs)
    med = statistics.median(xs)
    p90 = xs[int(len(xs) * 0.9) - 1]
    extra = f"  overhead_vs_bare={med - base:+.1f} ms" if base is not None else ""
    return f"{name:<14} median={med:6.1f} ms  p90={p90:6.1f} ms{extra}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--node-project")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    os.environ["AUTHMOCK_BIN"] = binary
    res = {"bare": [], "python": [], "python tls": []}
    for _ in range(a.rounds):
        res["bare"].append(bare(binary))
        res["python"].append(harness(False))
        res["python tls"].append(harness(True))
    if a.node_project:
        here = os.path.dirname(os.path.abspath(__file__))
        script = os.path.join(a.node_project, "harness_startup.mjs")
        shutil.copy(os.path.join(here, "harness_startup.mjs"), script)
        out = subprocess.run(["node", script, str(a.rounds)], cwd=a.node_project, check=True,
                             capture_output=True, text=True).stdout
        res.update(json.loads(out))
    # Each language against its own bare spawn (Node's child_process costs more than Python's).
    for name, xs in res.items():
        bare_name = "node bare" if name.startswith("node") else "bare"
        base = None if name == bare_name else statistics.median(res[bare_name])
        print(summary(name, xs, base))


if __name__ == "__main__":
    sys.exit(main())
