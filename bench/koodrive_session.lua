-- (b) KooDrive createSession with the reusable fixture authorization code (the example code of "Initializing and Creating a Session").
dofile((os.getenv("BENCH_DIR") or "bench") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/koodrive/ose/v1/session/"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"code":"FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa"}'
