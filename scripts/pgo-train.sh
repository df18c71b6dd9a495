#!/usr/bin/env bash
# Training traffic for scripts/pgo-build.sh, against an authmock at URL.
#   bash scripts/pgo-train.sh tokens URL   # prints a OneAccess app token and a session_token, a line each
#   bash scripts/pgo-train.sh routes URL   # every other vendor flow and the control plane, ROUNDS times
# Answers are not checked (the test suite does that); error answers are part of the training.
set -uo pipefail
MODE="$1"
URL="$2"
ROUNDS="${ROUNDS:-20}"
CID="9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ"
J='Content-Type: application/json'

# field NAME: the first "NAME":"value" of the JSON on stdin
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

post() { curl -s -X POST "$URL$1" "${@:2}"; }
get() { curl -s "$URL$1" "${@:2}"; }

app_token() {
  post /api/v2/tenant/token -H 'Content-Type: application/x-www-form-urlencoded' \
    -d "grant_type=client_credentials&client_id=$CID&client_secret=demo-client-secret" | field access_token
}
session_token() {
  post /api/v2/sdk/login -H "$J" -H "X-client-id: $CID" -H 'X-device-fingerprint: bench-fp' \
    -H 'X-operating-sys-version: Linux' -H 'X-agent: wrk' \
    -d '{"user_name":"zhangsan","password":"Zhangsan@123"}' | field session_token
}

case "$MODE" in
  tokens)
    echo "$(app_token)"
    echo "$(session_token)"
    ;;
  routes)
    for _ in $(seq 1 "$ROUNDS"); do
      # KooDrive: authorization code → session → user, refresh, log off; login → refresh; errors.
      s="$(post /koodrive/ose/v1/session -H "$J" -d '{"code":"FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa"}')"
      at="$(field accessToken <<<"$s")" sid="$(field sessionId <<<"$s")"
      get /koodrive/ose/v1/session/auth -H "Authorization: $at" >/dev/null
      post /koodrive/ose/v1/session/refresh -H "Authorization: $at" -H "x-session-id: $sid" >/dev/null
      u="$(get "/koodrive/ose/v1/session/authCodeURL?domain=app.example.com" | field uri)"
      curl -s "$u" >/dev/null
      get /koodrive/ose/v1/session/logoff -H "Authorization: $at" >/dev/null
      l="$(post /koodrive/ose/v1/auth/login -H "$J" -H 'x-hw-agentName: train' \
        -d '{"account":"0027188460911","authType":"1","password":"123qweASD143"}')"
      post /koodrive/ose/v1/auth/refreshToken -H "$J" -H "Authorization: $(field accessToken <<<"$l")" \
        -d "{\"refreshToken\":\"$(field refreshToken <<<"$l")\"}" >/dev/null
      post /koodrive/ose/v1/auth/login -H "$J" -H 'x-hw-agentName: train' \
        -d '{"account":"0027188460911","authType":"1","password":"wrong"}' >/dev/null
      post /koodrive/ose/v1/auth/login -H "$J" -d '{"account":' >/dev/null
      # OneAccess: app token, SDK login, ticket, verification.
      a="$(app_token)" st="$(session_token)"
      t="$(post /api/v2/tenant/sso/session-token/sso-ticket -H "$J" -H "Authorization: Bearer $a" \
        -d "{\"session_token\":\"$st\",\"operating_sys_version\":\"Linux\",\"device_ip\":\"127.0.0.1\",\"device_fingerprint\":\"bench-fp\"}" | field sso_ticket)"
      post /api/v2/tenant/sso/sso-ticket/verify -H "$J" -H "Authorization: Bearer $a" \
        -d "{\"sso_ticket\":\"$t\",\"operating_sys_version\":\"Linux\",\"device_ip\":\"127.0.0.1\",\"device_fingerprint\":\"bench-fp\",\"agent\":\"wrk\"}" >/dev/null
      # EnOS: login, choose an organization, read, refresh, log out.
      e="$(post /app-portal-service/v2.2/login -H "$J" -d '{"account":"portal_demo","password":"Test1234"}' | field accessToken)"
      o="$(post /app-portal-service/v2.2/session/set -H "$J" -H "Authorization: Bearer $e" -d '{"orgId":"yourOrgId"}')"
      ot="$(field accessToken <<<"$o")" rt="$(field refreshToken <<<"$o")"
      get /app-portal-service/v2.2/session/info -H "Authorization: Bearer $ot" >/dev/null
      get /app-portal-service/v2.2/user/info -H "Authorization: Bearer $ot" >/dev/null
      get "/app-portal-service/v2.2/token/refresh?refreshToken=$rt" >/dev/null
      get /app-portal-service/v2.2/logout -H "Authorization: Bearer $ot" >/dev/null
      # The control plane and the edges.
      get /__admin/health >/dev/null
      get /__admin/requests >/dev/null
      get /__admin/clock >/dev/null
      get /__admin/warnings >/dev/null
      get /__admin/state >/dev/null
      get /__admin/metrics >/dev/null
      get /nowhere >/dev/null
    done
    ;;
  *)
    echo "usage: pgo-train.sh tokens|routes URL" >&2
    exit 2
    ;;
esac
