-- (c) OneAccess sso-ticket. Arguments (after `--`): the app access_token and the user's session_token,
-- minted with curl by run.sh before the run. Every answer issues a new one-time ticket.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/report.lua")

function init(args)
   local app_token, session_token = args[1], args[2]
   assert(app_token and session_token, "usage: -- <app access_token> <session_token>")
   wrk.method = "POST"
   wrk.path = "/api/v2/tenant/sso/session-token/sso-ticket"
   wrk.headers["Content-Type"] = "application/json;charset=utf8"
   wrk.headers["Authorization"] = "Bearer " .. app_token
   -- The page makes X-tenant-id mandatory for an ISV: without it every request carries a lint warning.
   wrk.headers["X-tenant-id"] = "08f770f51f80d2f40f38c00cb199fd21"
   wrk.body = string.format(
      '{"session_token":"%s","operating_sys_version":"Linux","device_ip":"127.0.0.1","device_fingerprint":"bench-fp"}',
      session_token)
end
