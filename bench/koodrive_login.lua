-- (a) KooDrive login: the same valid password login over and over (static request, no body parsing).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/koodrive/ose/v1/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-hw-agentName"] = "bench"
wrk.body = '{"account":"0027188460911","authType":"1","password":"123qweASD143"}'
