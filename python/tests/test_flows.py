"""Every vendor family's flow, the clock, faults, verify, namespaces and HTTPS — through the pytest
plugin's fixtures only (``authmock``, ``authmock_server``) and ``requests``."""

import threading

import pytest
import requests

import authmock as am

KOO_USER = "1008600000701011201"  # koo_user in the default fixtures
KOO_LOGIN = "/koodrive/ose/v1/auth/login"
SESSION = "/koodrive/ose/v1/session"
REFRESH = "/koodrive/ose/v1/session/refresh"
AGENT = {"x-hw-agentName": "pytest"}
OA_CLIENT, OA_SECRET = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ", "demo-client-secret"
OA_TENANT, OA_FP = "08f770f51f80d2f40f38c00cb199fd21", "156aysdna213sac"


def koo_login(m, base=None, **kw):
    body = {"account": "0027188460911", "authType": "1", "password": "123qweASD143"}
    return requests.post((base or m.url) + KOO_LOGIN, json=body, headers={**m.headers, **AGENT}, **kw)


def new_session(m):
    code = m.admin.koodrive.mint_auth_code(KOO_USER)
    r = requests.post(m.url + SESSION, json={"code": code}, headers=m.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["code"], body["msg"], body["data"]["userId"]) == (0, "Successful", KOO_USER)
    return body["data"]


def test_koodrive_session_from_a_minted_code_then_refresh(authmock):
    s = new_session(authmock)
    assert s["accessToken"].startswith("Bearer ") and len(s["accessToken"]) == len("Bearer ") + 48
    auth = {**authmock.headers, "Authorization": s["accessToken"], "x-session-id": s["sessionId"]}

    r = requests.post(authmock.url + REFRESH, headers=auth)

    assert r.status_code == 200, r.text
    fresh = r.json()
    assert (fresh["code"], fresh["msg"]) == (0, "success")
    assert fresh["accessToken"] != s["accessToken"] and fresh["accessToken"].startswith("Bearer ")
    assert authmock.admin.verify("POST " + REFRESH, count=1, status=200) == 1
    # The old token is retired.
    again = requests.post(authmock.url + REFRESH, headers=auth)
    assert (again.status_code, again.json()) == (401, {"code": 13000202, "msg": "Session is invalid or expired."})


def test_koodrive_login(authmock):
    r = koo_login(authmock)
    assert r.status_code == 200, r.text
    info = r.json()["data"]["sessionInfo"]
    assert info["accessToken"].startswith("AT ") and info["expiresIn"] == 1800
    assert r.json()["data"]["userInfo"]["userId"] == "1882575898755117312"
    authmock.admin.verify("POST " + KOO_LOGIN, count=1, no_warnings=True)


def test_advancing_the_clock_expires_a_session(authmock):
    authmock.admin.clock.freeze()
    s = new_session(authmock)
    auth = {**authmock.headers, "Authorization": s["accessToken"]}
    assert requests.get(authmock.url + SESSION + "/auth", headers=auth).status_code == 200

    authmock.admin.clock.advance("20m")  # the session slides 20 minutes from its last use

    r = requests.get(authmock.url + SESSION + "/auth", headers=auth)
    assert (r.status_code, r.json()) == (401, {"code": 13000202, "msg": "Session is invalid or expired."})
    assert authmock.admin.clock.get()["mode"] == "frozen"


def test_oneaccess_sso_ticket(authmock):
    h = authmock.headers
    app = requests.post(
        authmock.url + "/api/v2/tenant/token", headers=h,
        data={"grant_type": "client_credentials", "client_id": OA_CLIENT, "client_secret": OA_SECRET},
    ).json()["access_token"]
    login = requests.post(
        authmock.url + "/api/v2/sdk/login", json={"user_name": "zhangsan", "password": "Zhangsan@123"},
        headers={**h, "X-client-id": OA_CLIENT, "X-device-fingerprint": OA_FP,
                 "X-operating-sys-version": "Android 10", "X-agent": "pytest"},
    ).json()
    r = requests.post(
        authmock.url + "/api/v2/tenant/sso/session-token/sso-ticket",
        headers={**h, "Authorization": f"Bearer {app}", "X-tenant-id": OA_TENANT},
        json={"session_token": login["session_token"], "operating_sys_version": "Android 10",
              "device_ip": "10.10.10.1", "device_fingerprint": OA_FP, "client_id": OA_CLIENT},
    )
    assert r.status_code == 200, r.text
    assert r.json()["expire"] == 9600 and len(r.json()["sso_ticket"]) > 0
    assert sorted(r.json()) == ["expire", "sso_ticket"]


def test_enos_login_and_session_set(authmock):
    h = authmock.headers
    login = requests.post(authmock.url + "/app-portal-service/v2.2/login", headers=h,
                          json={"account": "portal_demo", "password": "Test1234"}).json()
    assert login["code"] == 0, login
    r = requests.post(authmock.url + "/app-portal-service/v2.2/session/set", json={"orgId": "yourOrgId"},
                      headers={**h, "Authorization": "Bearer " + login["data"]["accessToken"]})
    body = r.json()
    assert (r.status_code, body["code"], body["message"]) == (200, 0, "OK")
    assert (body["data"]["currentOrgId"], body["data"]["currentOrgName"]) == ("yourOrgId", "Portal Demo")
    assert body["data"]["accessToken"].startswith("APP_PORTAL_S_")


def test_a_queued_fault_answers_once(authmock):
    f = authmock.admin.faults.add("POST " + KOO_LOGIN, error="13000204")
    assert f["times"] == 1 and f["id"].startswith("f_")

    first, second = koo_login(authmock), koo_login(authmock)

    assert (first.status_code, first.json()) == (401, {"code": 13000204, "msg": "Account is locked. Try again later."})
    assert second.status_code == 200
    assert authmock.admin.faults.list() == []
    assert [e["fault"] is not None for e in authmock.admin.requests()] == [False, True]


def test_verify_passes_and_fails_with_the_nearest_requests(authmock):
    koo_login(authmock)
    assert authmock.admin.verify("POST " + KOO_LOGIN) == 1
    assert authmock.admin.verify(KOO_LOGIN, at_most=1) == 1

    with pytest.raises(am.VerificationError) as e:
        authmock.admin.verify("POST " + KOO_LOGIN, count=2)

    assert e.value.matched == 1
    assert str(e.value).startswith(f"expected exactly 2 POST {KOO_LOGIN}, found 1\n  POST {KOO_LOGIN} -> 200")
    assert [n["path"] for n in e.value.nearest] == [KOO_LOGIN]
    with pytest.raises(am.VerificationError, match="found 0"):
        authmock.admin.verify("POST " + REFRESH)


def test_journal_warnings_and_revoke(authmock):
    body = {"account": "0027188460911", "authType": "1", "password": "123qweASD143", "acount": "x"}
    r = requests.post(authmock.url + KOO_LOGIN, json=body, headers={**authmock.headers, **AGENT})
    assert r.headers["X-Mock-Warnings"].startswith("unknown-field: acount")
    assert [w["id"] for w in authmock.admin.warnings()] == ["unknown-field"]
    with pytest.raises(am.VerificationError, match="deviate from their vendor page"):
        authmock.admin.verify("POST " + KOO_LOGIN, no_warnings=True)
    (entry,) = authmock.admin.requests(path=KOO_LOGIN)
    assert entry["request"]["body"]["password"] == "123q****"

    s = new_session(authmock)
    authmock.admin.revoke(s["accessToken"])
    r = requests.get(authmock.url + SESSION + "/auth", headers={**authmock.headers, "Authorization": s["accessToken"]})
    assert r.status_code == 401
    with pytest.raises(am.AdminError) as e:
        authmock.admin.revoke(s["accessToken"])
    assert e.value.status == 404


def test_namespaces_do_not_see_each_other(authmock):
    other = authmock.admin.namespace(authmock.name + "-other")
    results = {}

    def run(admin, n):
        for _ in range(n):
            requests.post(authmock.url + KOO_LOGIN, headers={**admin.headers, **AGENT},
                          json={"account": "0027188460911", "authType": "1", "password": "123qweASD143"})
        results[admin.namespace_name] = admin.verify("POST " + KOO_LOGIN, count=n)

    threads = [threading.Thread(target=run, args=(a, n)) for a, n in ((authmock.admin, 2), (other, 3))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == {authmock.name: 2, other.namespace_name: 3}
    assert authmock.admin.namespace("default").verify("POST " + KOO_LOGIN, count=0) == 0


@pytest.mark.parametrize("n", [1, 2])
def test_each_test_gets_a_fresh_namespace(authmock, n):
    # Run with -n 2: the two cases may run on different workers (servers), never sharing a journal.
    assert authmock.admin.requests() == []
    koo_login(authmock)
    authmock.admin.clock.advance("1d")
    assert authmock.admin.verify("POST " + KOO_LOGIN, count=1) == 1


def test_https_with_the_ca(authmock):
    assert authmock.https_url.startswith("https://127.0.0.1:")
    r = koo_login(authmock, base=authmock.https_url, verify=authmock.ca_path)
    assert r.status_code == 200, r.text
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(authmock.https_url + "/__admin/health", verify=True)
    # One state behind both listeners.
    assert authmock.admin.verify("POST " + KOO_LOGIN, count=1) == 1


def test_the_session_server_is_shared(authmock, authmock_server):
    assert authmock.url == authmock_server.url
    assert authmock_server.admin.health()["status"] == "ok"
