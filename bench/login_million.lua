-- Drives N successful KooDrive logins (N = first argument after `--`, default 1e6), then stops the thread.
-- Run with -t 1 so the one counter sees every answer. wrk keeps running until its -d duration even after
-- thread:stop(), so the script also creates the file named by the second argument (if any) once the target
-- is reached: run.sh waits for it and sends wrk SIGINT, on which wrk prints its summary and exits.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/report.lua")

local target = 1000000
local marker = nil

function init(args)
   target = tonumber(args[1]) or target
   marker = args[2]
   counted, bad = 0, 0
   wrk.method = "POST"
   wrk.path = "/koodrive/ose/v1/auth/login"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["x-hw-agentName"] = "bench"
   wrk.body = '{"account":"0027188460911","authType":"1","password":"123qweASD143"}'
end

function response(status, headers, body)
   if status == 200 then
      counted = counted + 1
      if counted >= target then
         if marker then
            local f = io.open(marker, "w")
            if f then f:write(counted, "\n") f:close() end
         end
         wrk.thread:stop()
      end
   else
      bad = bad + 1
   end
end
