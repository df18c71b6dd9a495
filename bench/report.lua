-- Shared by every workload script (loaded with dofile): collects the per-thread counters and prints one
-- machine-readable line that bench/run.sh parses. Latencies are in microseconds.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- Counters a workload script may keep in its thread globals (absent ones read as 0).
local counter_names = { "logins", "login_ok", "sets", "set_ok", "bad", "counted" }

function done(summary, latency, requests)
   local totals = {}
   for _, name in ipairs(counter_names) do totals[name] = 0 end
   for _, thread in ipairs(threads) do
      for _, name in ipairs(counter_names) do
         totals[name] = totals[name] + (tonumber(thread:get(name)) or 0)
      end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
      "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d " ..
      "logins=%d login_ok=%d sets=%d set_ok=%d bad=%d counted=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      e.status, e.connect, e.read, e.write, e.timeout,
      totals.logins, totals.login_ok, totals.sets, totals.set_ok, totals.bad, totals.counted))
end
