#!/usr/bin/env python3
"""Turns the raw lines bench/run.sh collects (RESULT/STARTUP/MEMORY/ENV key=value ...) into the markdown
report, and appends those lines to it, so a report can be regenerated from itself.
usage: report.py RAW_LINES_OR_RESULTS_MD > RESULTS.md"""

import sys

LABELS = {
    "koodrive_login": "(a) KooDrive login",
    "koodrive_session": "(b) KooDrive createSession",
    "oneaccess_sso_ticket": "(c) OneAccess sso-ticket",
    "enos_session_set": "(d) EnOS login + session/set ¹",
}
# Issue 30: every workload at 0.70 of the reference or better.
RATIO_TARGET: dict = {}
DEFAULT_RATIO_TARGET = 0.7
P99_TARGET_MS = 1.0
STARTUP_TARGET_MS = 15.0
# The login workload with --store redis:// on loopback (STORE=redis bash bench/run.sh), issue 20's targets.
REDIS_RPS_TARGET = 10_000
REDIS_P99_TARGET_MS = 5.0
IDLE_RSS_TARGET_MB = 8.0
GENERATOR_BOUND_CPU = 90.0


def parse(path):
    env, results, startup, memory, handshakes = {}, [], {}, None, []
    with open(path) as f:
        for raw in f:
            kind, _, rest = raw.strip().partition(" ")
            fields = dict(p.split("=", 1) for p in rest.split() if "=" in p)
            if kind == "ENV":
                env.update(fields)
            elif kind == "RESULT":
                results.append(fields)
            elif kind == "STARTUP":
                startup[fields["server"]] = fields
            elif kind == "MEMORY":
                memory = fields
            elif kind == "HANDSHAKE":
                handshakes.append(fields)
    return env, results, startup, memory, handshakes


def num(d, key, default=0.0):
    try:
        return float(d.get(key, default))
    except ValueError:
        return default


def rps(r):
    return num(r, "requests") / (num(r, "duration_us", 1) / 1e6)


def errors(r):
    sockets = sum(num(r, k) for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    body_checked = r["workload"] == "enos_session_set"
    return int(sockets + (num(r, "bad") if body_checked else num(r, "status_errors")))


def us_per_req(r):
    """Server CPU time per completed request, in microseconds (less sensitive to a busy machine)."""
    n = num(r, "requests")
    return num(r, "server_cpu") / 100.0 * num(r, "duration_us") / n if n else 0.0


def mb(kb):
    return num({"v": kb}, "v") / 1024.0


def median(xs):
    """The middle value (the lower of the two middle ones for an even count)."""
    s = sorted(xs)
    return s[(len(s) - 1) // 2] if s else 0.0


def median_run(runs):
    """The run with the median req/s."""
    s = sorted(runs, key=rps)
    return s[(len(s) - 1) // 2]


def verdict(ok):
    return "PASS" if ok else "**FAIL**"


def tls_section(w, rounds, handshakes):
    """The login over https beside http on one server (run.sh's https section), and the handshake cost."""
    keep, new = rounds.get("tls_keepalive", {}), rounds.get("tls_newconn", {})
    if not (keep.get("http") and keep.get("https")) and not handshakes:
        return
    w("## HTTPS")
    w("")
    w("The KooDrive login workload on one authmock serving both ports (`--tls-port`), over http and over "
      "https (rustls, TLS 1.3, ECDSA P-256 certificate), each run with a fresh server; medians of the rounds. "
      "With `Connection: close` every request comes on a new connection, as wrk reconnects (its OpenSSL "
      "offers the previous connection's session for resumption).")
    w("")
    w("| connections | http req/s | https req/s | https / http | http p50 / p99 ms | https p50 / p99 ms "
      "| server CPU µs/req (http / https) | errors (http / https) |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, runs in (("kept alive", keep), ("new per request (`Connection: close`)", new)):
        if not (runs.get("http") and runs.get("https")):
            continue
        h, t = median_run(runs["http"]), median_run(runs["https"])
        ratio = median([rps(y) / rps(x) if rps(x) else 0.0 for x, y in zip(runs["http"], runs["https"])])
        p99h = median([num(x, "p99_us") for x in runs["http"]]) / 1000.0
        p99t = median([num(x, "p99_us") for x in runs["https"]]) / 1000.0
        w(f"| {name} | {rps(h):,.0f} | {rps(t):,.0f} | {ratio:.2f} "
          f"| {num(h, 'p50_us') / 1000:.3f} / {p99h:.3f} | {num(t, 'p50_us') / 1000:.3f} / {p99t:.3f} "
          f"| {us_per_req(h):.1f} / {us_per_req(t):.1f} | {errors(h)} / {errors(t)} |")
    w("")
    if handshakes:
        costs = [num(h, "server_cpu_us") for h in handshakes]
        rates = [num(h, "connections") / max(num(h, "secs", 1), 0.001) for h in handshakes]
        w(f"**TLS handshake cost per new connection: {median(costs):.0f} µs of server CPU** for a full "
          f"handshake (median of the rounds: {', '.join(f'{c:.0f}' for c in costs)} µs; "
          f"{median(rates):,.0f} handshakes/s from one `openssl s_time -new` client, a new session each, "
          "closed once the handshake is done; the figure includes accepting the TCP connection). A client "
          "that keeps its connections alive pays it once per connection.")
        w("")


def store_section(w, runs):
    """The login workload on the in-memory store beside --store redis:// (run.sh with STORE=redis)."""
    by = {}
    for r in runs:
        by.setdefault(r["server"], []).append(r)
    mem, red = by.get("memory", []), by.get("redis", [])
    if not (mem and red):
        return
    m, r = median_run(mem), median_run(red)
    ratio = median([rps(y) / rps(x) if rps(x) else 0.0 for x, y in zip(mem, red)])
    p99 = {name: median([num(x, "p99_us") for x in xs]) / 1000.0 for name, xs in (("memory", mem), ("redis", red))}
    w("## Redis store: the login workload")
    w("")
    w("KooDrive login (workload (a)) on a fresh authmock with the in-memory store and on a fresh one with "
      "`--store redis://127.0.0.1:PORT`, its own fresh redis-server (no persistence) on loopback; each store's "
      "median round by req/s, the median of the rounds' p99s. The redis-server's CPU is its own column; "
      "authmock's CPU is the server process alone.")
    w("")
    w("| store | req/s | p50 / p99 ms | authmock CPU % | authmock CPU µs/req | redis-server CPU % "
      "| redis-server CPU µs/req | wrk CPU % | other CPU % | errors |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, x in (("memory", m), ("redis", r)):
        n = num(x, "requests")
        redis_us = num(x, "redis_cpu") / 100.0 * num(x, "duration_us") / n if n else 0.0
        w(f"| {name} | {rps(x):,.0f} | {num(x, 'p50_us') / 1000:.3f} / {p99[name]:.3f} "
          f"| {num(x, 'server_cpu'):.0f} | {us_per_req(x):.1f} | {num(x, 'redis_cpu'):.0f} | {redis_us:.1f} "
          f"| {num(x, 'wrk_cpu'):.0f} | {num(x, 'other_cpu') + num(x, 'steal_cpu'):.0f} | {errors(x)} |")
    w("")
    w(f"redis ÷ memory req/s: **{ratio:.2f}** (median of the rounds' ratios). Targets with Redis: "
      f"≥ {REDIS_RPS_TARGET:,} logins/s: {rps(r):,.0f}, {verdict(rps(r) >= REDIS_RPS_TARGET)}; "
      f"p99 ≤ {REDIS_P99_TARGET_MS:.0f} ms: {p99['redis']:.3f} ms, {verdict(p99['redis'] <= REDIS_P99_TARGET_MS)}.")
    disturbed = max(num(x, "other_cpu") + num(x, "steal_cpu") for x in mem + red)
    if disturbed >= 10:
        w("")
        w(f"**Disturbed runs**: up to {disturbed:.0f} % of a CPU went to other processes or steal during a "
          "measured run: the figures were taken under load and should be re-measured on a quiet machine.")
    if len(mem) > 1:
        w("")
        w("| round | memory req/s | redis req/s | redis ÷ memory | memory p50 / p99 ms | redis p50 / p99 ms |")
        w("|---:|---:|---:|---:|---:|---:|")
        for x, y in zip(mem, red):
            w(f"| {x.get('round', '?')} | {rps(x):,.0f} | {rps(y):,.0f} | {rps(y) / rps(x) if rps(x) else 0.0:.2f} "
              f"| {num(x, 'p50_us') / 1000:.3f} / {num(x, 'p99_us') / 1000:.3f} "
              f"| {num(y, 'p50_us') / 1000:.3f} / {num(y, 'p99_us') / 1000:.3f} |")
    w("")


def main():
    env, results, startup, memory, handshakes = parse(sys.argv[1])
    store_runs = [r for r in results if r["workload"] == "store_login"]
    results = [r for r in results if r["workload"] != "store_login"]
    out = []
    w = out.append
    w("# authmock benchmark results")
    w("")
    w(f"- date: {env.get('date', '?')}")
    w(f"- kernel (`uname -r`): {env.get('kernel', '?')}")
    w(f"- CPU: {env.get('cpu', '?').replace('_', ' ')}; nproc: {env.get('nproc', '?')}")
    w(f"- wrk {env.get('wrk', '?')}; settings: {env.get('settings', '?').replace('_', ' ')}; "
      f"server pinned to one CPU, wrk (1 thread) to the other")
    w(f"- load average (1/5/15 min) at start: {env.get('load_start', '?').replace(',', ' ')}; "
      f"at end: {env.get('load_end', '?').replace(',', ' ')}")
    w(f"- commit: {env.get('commit', '?')}")
    if env.get("build"):
        w(f"- build (both servers): {env['build'].replace('_', ' ')}")
    if env.get("redis"):
        w(f"- redis-server {env['redis'].replace('_', ' ')}")
    w("")

    # Rounds of each workload, per server, in the order they ran.
    rounds = {}
    for r in results:
        rounds.setdefault(r["workload"], {}).setdefault(r["server"], []).append(r)
    # The table shows each server's median round (by req/s); the ratio is the median of the rounds'
    # ratios (each from two runs seconds apart), the p99 the median of the rounds' p99s.
    by = {wl: {s: median_run(rs) for s, rs in servers.items()} for wl, servers in rounds.items()}
    generator_bound = []
    disturbed = 0.0
    if by:
        w("## Throughput and latency")
        w("")
        w("| workload | authmock req/s | reference req/s | ratio | target | ratio result "
          "| authmock p50 / p99 ms | p99 ≤ 1 ms | reference p50 / p99 ms "
          "| wrk CPU % (authmock / ref) | server CPU % (authmock / ref) | server CPU µs/req (authmock / ref) "
          "| other CPU % (authmock / ref) "
          "| errors (authmock / ref) | authmock RSS after run MB |")
        w("|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for wl, pair in by.items():
            a, ref = pair.get("authmock"), pair.get("reference")
            if not a or not ref:
                continue
            ra, rr = rps(a), rps(ref)
            pairs = list(zip(rounds[wl]["authmock"], rounds[wl]["reference"]))
            ratio = median([rps(x) / rps(y) if rps(y) else 0.0 for x, y in pairs])
            target = RATIO_TARGET.get(wl, DEFAULT_RATIO_TARGET)
            p99 = median([num(x, "p99_us") for x in rounds[wl]["authmock"]]) / 1000.0
            ref_p99 = median([num(y, "p99_us") for y in rounds[wl]["reference"]]) / 1000.0
            for name, r in (("authmock", a), ("reference", ref)):
                if num(r, "wrk_cpu") >= GENERATOR_BOUND_CPU:
                    generator_bound.append(
                        f"{LABELS.get(wl, wl)} / {name} (wrk {num(r, 'wrk_cpu'):.0f} %, server {num(r, 'server_cpu'):.0f} %)")
                disturbed = max(disturbed, num(r, "other_cpu") + num(r, "steal_cpu"))
            w(f"| {LABELS.get(wl, wl)} | {ra:,.0f} | {rr:,.0f} | {ratio:.2f} | ≥ {target} | {verdict(ratio >= target)} "
              f"| {num(a, 'p50_us') / 1000:.3f} / {p99:.3f} | {verdict(p99 <= P99_TARGET_MS)} "
              f"| {num(ref, 'p50_us') / 1000:.3f} / {ref_p99:.3f} "
              f"| {num(a, 'wrk_cpu'):.0f} / {num(ref, 'wrk_cpu'):.0f} "
              f"| {num(a, 'server_cpu'):.0f} / {num(ref, 'server_cpu'):.0f} "
              f"| {us_per_req(a):.1f} / {us_per_req(ref):.1f} "
              f"| {num(a, 'other_cpu') + num(a, 'steal_cpu'):.0f} / {num(ref, 'other_cpu') + num(ref, 'steal_cpu'):.0f} "
              f"| {errors(a)} / {errors(ref)} | {mb(a.get('rss_kb')):.1f} |")
        w("")
        enos = by.get("enos_session_set", {})
        if enos.get("authmock") and enos.get("reference"):
            def sets(r):
                return num(r, "set_ok") / (num(r, "duration_us", 1) / 1e6)
            w("¹ Each connection alternates `POST /v2.2/login` → `POST /v2.2/session/set` with the token that "
              "login just issued, so every session/set uses a fresh login token; req/s counts both requests. "
              f"Successful session/set alone: authmock {sets(enos['authmock']):,.0f}/s, reference "
              f"{sets(enos['reference']):,.0f}/s. Errors here count bodies not starting with "
              "`{\"code\":0` (EnOS errors are HTTP 200).")
            w("")
        w("Errors = socket errors + HTTP status ≥ 400 (EnOS: + bodies with a non-zero code). "
          "Latencies are wrk's, per request, over the measured run. "
          "CPU columns are in % of one CPU over the run's wall time: wrk's from `/usr/bin/time -f %P`, "
          "the server's from /proc/<pid>/stat (100 = its one CPU saturated); server CPU µs/req = the "
          "server's CPU time divided by the requests it answered, the figure least disturbed by other load "
          "(its inverse ratio estimates the throughput ratio when both servers are CPU-bound); "
          "other = busy time on the two pinned CPUs that was neither (other processes, softirq) plus steal.")
        n_rounds = max((len(rs) for servers in rounds.values() for rs in servers.values()), default=0)
        if n_rounds > 1:
            w("")
            w(f"**{n_rounds} rounds.** Each round ran every workload on both servers, one right after the "
              "other (odd rounds authmock first, even rounds the reference first); every run had its own fresh "
              "server. The table above gives each server's median round by req/s (its p50, CPU, errors, RSS), "
              "the median of the rounds' ratios and the median of the rounds' p99s. All rounds:")
            w("")
            w("| workload | round | authmock req/s | reference req/s | ratio | authmock p50 / p99 ms "
              "| reference p50 / p99 ms | server CPU µs/req (authmock / ref) |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|")
            for wl, servers in rounds.items():
                for i, (x, y) in enumerate(zip(servers.get("authmock", []), servers.get("reference", []))):
                    w(f"| {LABELS.get(wl, wl)} | {x.get('round', i + 1)} | {rps(x):,.0f} | {rps(y):,.0f} "
                      f"| {rps(x) / rps(y) if rps(y) else 0.0:.2f} "
                      f"| {num(x, 'p50_us') / 1000:.3f} / {num(x, 'p99_us') / 1000:.3f} "
                      f"| {num(y, 'p50_us') / 1000:.3f} / {num(y, 'p99_us') / 1000:.3f} "
                      f"| {us_per_req(x):.1f} / {us_per_req(y):.1f} |")
        if generator_bound:
            w("")
            w(f"**Generator near its limit** (wrk ≥ {GENERATOR_BOUND_CPU:.0f} % of its CPU): "
              + "; ".join(generator_bound)
              + ". Where the server is well under 100 % the req/s is the load generator's limit, not the "
                "server's, and the ratio understates the server's headroom; where both are near 100 % "
                "server and generator are both saturated.")
        if disturbed >= 10:
            w("")
            w(f"**Disturbed runs**: up to {disturbed:.0f} % of a CPU went to other processes or steal during a "
              "measured run: the figures were taken under load and should be re-measured on a quiet machine.")
        w("")

    tls_section(w, rounds, handshakes)
    store_section(w, store_runs)

    a_start, r_start = startup.get("authmock"), startup.get("reference")
    if startup or memory or results:
        w("## Start-up and memory")
        w("")
        w("| metric | authmock | reference | target | result |")
        w("|---|---:|---:|---|---|")
    if a_start:
        ms = num(a_start, "median_ms")
        w(f"| start-to-first-200 ms (median of {len(a_start.get('all_ms', '').split(','))} spawns; "
          f"all: {a_start.get('all_ms', '').replace(',', ', ')}) | {ms:.2f} "
          f"| {num(r_start or {}, 'median_ms'):.2f} | ≤ {STARTUP_TARGET_MS:.0f} ms | {verdict(ms <= STARTUP_TARGET_MS)} |")
        idle = mb(a_start.get("idle_rss_kb"))
        w(f"| idle RSS MB (VmRSS at the first 200, median) | {idle:.1f} "
          f"| {mb((r_start or {}).get('idle_rss_kb')):.1f} | ≤ {IDLE_RSS_TARGET_MB:.0f} MB "
          f"| {verdict(idle <= IDLE_RSS_TARGET_MB)} |")
    if results:
        worst = max((r for r in results if r["server"] == "authmock"), key=lambda r: num(r, "rss_kb"), default=None)
        if worst:
            w(f"| RSS MB after the runs (max over workloads, fresh server per workload: "
              f"{LABELS.get(worst['workload'], worst['workload'])}) | {mb(worst.get('rss_kb')):.1f} | | — | |")
    if memory:
        start = mb(memory.get("rss_start_kb"))
        limit = 2 * start
        n = int(num(memory, "logins"))
        base = memory.get("base_tokens")
        w(f"| RSS MB of the memory-test server at start ({base} tokens: the fixtures') | {start:.1f} | | | |")
        w(f"| RSS MB right after {n:,} logins ({num(memory, 'login_secs'):.1f} s, "
          f"{n / max(num(memory, 'login_secs', 1), 0.001):,.0f}/s, 2 tokens each) "
          f"| {mb(memory.get('rss_peak_kb')):.1f} | | — | |")
        w(f"| RSS MB after clock +{memory.get('advance')} (access tokens expired; count not asked, see below) "
          f"| {mb(memory.get('rss_expired_kb')):.1f} | | — | |")
        rss = mb(memory.get("rss_full_kb"))
        swept = memory.get("swept_full") == "1"
        state = "back to the start count" if swept else "**not** back to the start count"
        total = f"+{memory.get('advance')} +{memory.get('advance_full')}" if memory.get("advance_full") else f"+{memory.get('advance')}"
        w(f"| RSS MB after clock {total} and the sweep (tokens left: {memory.get('tokens_full')}, {state}) "
          f"| {rss:.1f} | | ≤ 2 × start = {limit:.1f} MB | {verdict(swept and rss <= limit)} |")
        w("")
        w(f"The RSS target applies to the last row. After +{memory.get('advance')} the logins' access tokens "
          "have expired, but the store keeps each one until its refresh token (30 days) expires, because "
          "auth/refreshToken needs the expired access token; the token count is read only after the "
          "further advance, so that no control-plane answer is built while the RSS is measured.")
    w("")
    w("<details><summary>Raw figures (bench/report.py regenerates this report from them)</summary>")
    w("")
    w("```")
    with open(sys.argv[1]) as f:
        for raw in f:
            if raw.split(" ", 1)[0] in ("ENV", "RESULT", "STARTUP", "MEMORY", "HANDSHAKE"):
                w(raw.rstrip("\n"))
    w("```")
    w("")
    w("</details>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
