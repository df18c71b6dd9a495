#!/usr/bin/env python3
"""Start-to-first-200 and idle RSS of a server binary, measured honestly.

usage: startup.py BINARY [--spawns 5] [--cpu 0] [--interval-ms 2] [--path /__admin/health]

For each spawn: pick a free port, take time.perf_counter(), spawn `BINARY --port <port>` (pinned to --cpu;
the poller runs on the other CPUs), then every --interval-ms open a raw TCP connection and send `GET <path>`; the time is taken when the first
status line `HTTP/1.1 200` has been read. Right after that VmRSS is read from /proc/<pid>/status. The
interval is a grid from the spawn instant (an attempt never waits for the next one), so the figure is at
most one interval late, never early. Prints one line per spawn, then
`STARTUP median_ms=… all_ms=… idle_rss_kb=… (median) all_rss_kb=…`.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_200(port: int, path: str) -> bool:
    """One attempt: True when the server answered a 200 status line."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(256)
                if not chunk:
                    break
                head += chunk
            return head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200")
    except OSError:
        return False


def vm_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def one_spawn(binary: str, cpu: int, interval: float, path: str, timeout: float = 10.0):
    port = free_port()
    # The child inherits the affinity: pin ourselves to the server's CPU for the spawn and move to the
    # other CPUs right after (a preexec_fn would cost ~2 ms of Python fork, which is not the server's).
    others = os.sched_getaffinity(0) - {cpu} or {cpu}
    os.sched_setaffinity(0, {cpu})
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.sched_setaffinity(0, others)
    try:
        attempt = 0
        while True:
            if answers_200(port, path):
                elapsed_ms = (time.perf_counter() - t0) * 1000.0
                rss = vm_rss_kb(proc.pid)
                return elapsed_ms, rss
            if proc.poll() is not None:
                raise RuntimeError(f"{binary} exited with {proc.returncode} before answering 200")
            attempt += 1
            next_at = t0 + attempt * interval
            now = time.perf_counter()
            if now - t0 > timeout:
                raise RuntimeError(f"no 200 on {path} within {timeout} s")
            if next_at > now:
                time.sleep(next_at - now)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--spawns", type=int, default=5)
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--interval-ms", type=float, default=2.0)
    ap.add_argument("--path", default="/__admin/health")
    a = ap.parse_args()
    times, rss = [], []
    for i in range(a.spawns):
        ms, kb = one_spawn(a.binary, a.cpu, a.interval_ms / 1000.0, a.path)
        print(f"spawn {i + 1}: first 200 after {ms:.2f} ms, VmRSS {kb} kB", file=sys.stderr)
        times.append(ms)
        rss.append(kb)
    print(
        "STARTUP median_ms=%.2f all_ms=%s idle_rss_kb=%d all_rss_kb=%s"
        % (
            statistics.median(times),
            ",".join(f"{t:.2f}" for t in times),
            int(statistics.median(rss)),
            ",".join(str(k) for k in rss),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
