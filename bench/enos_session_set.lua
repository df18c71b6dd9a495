-- (d) EnOS session/set with a fresh login token each time. wrk calls response() and then request() on the
-- same connection, so a connection whose login just answered takes that token for its next request:
-- every connection alternates login -> session/set -> login -> ... Both kinds count in wrk's req/s;
-- `sets`/`set_ok` count the session/set requests alone. EnOS errors are HTTP 200 with a non-zero code,
-- so a body that does not start with {"code":0 counts as `bad`.
dofile((os.getenv("BENCH_DIR") or "bench") .. "/report.lua")

local login_req, tokens = nil, {}

function init(args)
   logins, login_ok, sets, set_ok, bad = 0, 0, 0, 0, 0
   login_req = wrk.format("POST", "/app-portal-service/v2.2/login",
      { ["Content-Type"] = "application/json" },
      '{"account":"portal_demo","password":"Test1234"}')
end

function request()
   local n = #tokens
   if n > 0 then
      local token = tokens[n]
      tokens[n] = nil
      sets = sets + 1
      return wrk.format("POST", "/app-portal-service/v2.2/session/set",
         { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token },
         '{"orgId":"yourOrgId"}')
   end
   logins = logins + 1
   return login_req
end

local function ok(body)
   return body:find('^%s*{%s*"code"%s*:%s*0%s*[,}]') ~= nil
end

function response(status, headers, body)
   if status ~= 200 or not ok(body) then
      bad = bad + 1
      return
   end
   if body:find('"currentOrgId"', 1, true) then
      set_ok = set_ok + 1
   else
      local token = body:match('"accessToken"%s*:%s*"([^"]+)"')
      if token then
         login_ok = login_ok + 1
         tokens[#tokens + 1] = token
      else
         bad = bad + 1
      end
   end
end
