"""A typed client of authmock's control plane (``/__admin``), standard library only.

Every call sends the client's ``X-Mock-Namespace`` (when it has one), so a scoped client sees and moves
only its namespace: its tokens, journal, faults and clock.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

__all__ = ["Admin", "AdminError", "AuthmockError", "VerificationError"]

Json = Any


class AuthmockError(RuntimeError):
    """authmock could not start, stopped, or is not answering."""


class AdminError(AuthmockError):
    """A control-plane call answered an error: ``status`` and the ``{"error"}`` body."""

    def __init__(self, method: str, path: str, status: int, body: Json):
        self.status = status
        self.body = body
        msg = body.get("error") if isinstance(body, dict) else body
        super().__init__(f"{method} {path} answered {status}: {msg}")


class VerificationError(AssertionError):
    """``verify`` did not hold: ``matched`` requests matched; ``nearest`` are the closest journal
    entries (as ``requests()`` shows them)."""

    def __init__(self, message: str, matched: int, nearest: List[Json]):
        self.matched = matched
        self.nearest = nearest
        lines = [message]
        for e in nearest:
            lines.append(
                f"  {e.get('method')} {e.get('uri')} -> {e.get('status')}"
                f" ({len(e.get('warnings') or [])} warnings)"
            )
        super().__init__("\n".join(lines) if nearest else message + " (the journal holds nothing near it)")


class _Http:
    """One base URL, one namespace header, and a way to tell a dead server from a refusal."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        alive: Optional[Callable[[], Optional[str]]] = None,
        timeout: float = 10.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers)
        self.alive = alive
        self.timeout = timeout

    def call(self, method: str, path: str, body: Json = None, ok=(200, 201)) -> Json:
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            why = self.alive() if self.alive else None
            raise AuthmockError(why or f"{method} {path}: authmock is not answering: {e}") from e
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        if status not in ok:
            raise AdminError(method, path, status, parsed)
        return parsed


class Clock:
    """The namespace's clock: ``/__admin/clock``."""

    def __init__(self, http: _Http):
        self._http = http

    def get(self) -> Dict[str, Any]:
        """``{"now", "epochMs", "mode"}`` (mode ``real``, ``frozen`` or ``offset``)."""
        return self._http.call("GET", "/__admin/clock")

    def freeze(self, frozen: bool = True) -> Dict[str, Any]:
        """Stops time where it stands (``False``: lets it run on from there)."""
        return self._http.call("POST", "/__admin/clock", {"freeze": frozen})

    def set(self, instant: Union[str, int], freeze: Optional[bool] = None) -> Dict[str, Any]:
        """Jumps to ``instant`` (RFC 3339 or epoch ms); ``freeze=True`` to stay there."""
        body: Dict[str, Any] = {"set": instant}
        if freeze is not None:
            body["freeze"] = freeze
        return self._http.call("POST", "/__admin/clock", body)

    def advance(self, by: Union[str, int, float]) -> Dict[str, Any]:
        """Moves the clock forward: ``"31m"``, ``"1h30m"``, ``"2d"`` or seconds."""
        return self._http.call("POST", "/__admin/clock", {"advance": by})

    def real(self) -> Dict[str, Any]:
        """Back to real time."""
        return self._http.call("DELETE", "/__admin/clock")


class Faults:
    """Queued faults of vendor routes: ``/__admin/faults``."""

    def __init__(self, http: _Http):
        self._http = http

    def add(
        self,
        route: str,
        *,
        times: int = 1,
        error: Optional[str] = None,
        status: Optional[int] = None,
        body: Json = None,
        delay_ms: Optional[int] = None,
        drop: bool = False,
        malformed: bool = False,
    ) -> Dict[str, Any]:
        """Queues a fault for ``route`` (``"POST /koodrive/ose/v1/auth/login"``) acting ``times`` times
        (0: until removed): a vendor ``error`` code, a raw ``status``/``body``, a delay, a dropped
        connection or truncated JSON. Returns the fault (with its ``id``)."""
        f: Dict[str, Any] = {"route": route, "times": times}
        for k, v in (("error", error), ("status", status), ("body", body), ("delayMs", delay_ms)):
            if v is not None:
                f[k] = v
        if drop:
            f["drop"] = True
        if malformed:
            f["malformed"] = True
        return self._http.call("POST", "/__admin/faults", f)

    def list(self) -> List[Dict[str, Any]]:
        return self._http.call("GET", "/__admin/faults")["faults"]

    def remove(self, fault_id: str) -> None:
        self._http.call("DELETE", "/__admin/faults/" + urllib.parse.quote(fault_id, safe=""))

    def clear(self) -> int:
        return self._http.call("DELETE", "/__admin/faults")["cleared"]


class KooDrive:
    """KooDrive's one-time codes."""

    def __init__(self, http: _Http):
        self._http = http

    def mint_auth_code(self, user_id: str, ttl_seconds: Optional[int] = None) -> str:
        """A one-time authorization code for ``user_id`` (5 minutes, or ``ttl_seconds``), for
        ``POST /koodrive/ose/v1/session``."""
        body: Dict[str, Any] = {"userId": user_id}
        if ttl_seconds is not None:
            body["ttlSeconds"] = ttl_seconds
        return self._http.call("POST", "/__admin/koodrive/auth-codes", body)["code"]

    def mint_verification_code(self, account: str) -> str:
        """A one-time verification code (``captchaToken``) for a login with authType "2"."""
        body = {"account": account}
        return self._http.call("POST", "/__admin/koodrive/verification-codes", body)["captchaToken"]


class Identities:
    """Users, orgs and apps added at run time (until ``reset()``), shaped as in the fixture files."""

    def __init__(self, http: _Http):
        self._http = http

    def add_user(self, family: str, user: Mapping[str, Any]) -> Dict[str, Any]:
        """Adds a user to ``family`` (``koodrive``, ``oneaccess`` or ``enos``)."""
        return self._http.call("POST", f"/__admin/{family}/users", dict(user))

    def add_org(self, family: str, org: Mapping[str, Any]) -> Dict[str, Any]:
        return self._http.call("POST", f"/__admin/{family}/orgs", dict(org))

    def add_client(self, client: Mapping[str, Any]) -> Dict[str, Any]:
        """Adds a OneAccess app ``{"clientId", "clientSecret", "tenantId", "name"?}``."""
        return self._http.call("POST", "/__admin/oneaccess/clients", dict(client))

    def remove_user(self, family: str, user_id: str) -> None:
        """Removes a user and revokes its tokens."""
        self._http.call("DELETE", f"/__admin/{family}/users/" + urllib.parse.quote(user_id, safe=""))


class Admin:
    """The control plane of one authmock server, scoped to one namespace (``default`` when
    ``namespace`` is None)."""

    def __init__(
        self,
        base_url: str,
        namespace: Optional[str] = None,
        admin_token: Optional[str] = None,
        alive: Optional[Callable[[], Optional[str]]] = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.namespace_name = namespace
        self._token = admin_token
        self._alive = alive
        headers = dict(self.headers)
        if admin_token:
            headers["Authorization"] = f"Bearer {admin_token}"
        self._http = _Http(self.base_url, headers, alive)
        self.clock = Clock(self._http)
        self.faults = Faults(self._http)
        self.koodrive = KooDrive(self._http)
        self.identities = Identities(self._http)

    @property
    def headers(self) -> Dict[str, str]:
        """The header to send with vendor requests to reach this namespace."""
        return {"X-Mock-Namespace": self.namespace_name} if self.namespace_name else {}

    def namespace(self, name: str) -> "Admin":
        """The same server seen through ``X-Mock-Namespace: name`` (created from the fixtures on first
        use: 1-64 of ``A-Za-z0-9._-``)."""
        return Admin(self.base_url, name, self._token, self._alive)

    def health(self) -> Dict[str, Any]:
        return self._http.call("GET", "/__admin/health")

    def reset(self) -> None:
        """Back to the fixtures: users, tokens, codes, lockouts, journal, faults, clock."""
        self._http.call("POST", "/__admin/reset")

    def state(self, **query: Any) -> Dict[str, Any]:
        """Identities, live tokens, codes, lockouts and counts."""
        return self._http.call("GET", "/__admin/state" + _query(query))

    def requests(
        self,
        *,
        limit: Optional[int] = None,
        method: Optional[str] = None,
        path: Optional[str] = None,
        status: Optional[int] = None,
        warnings: bool = False,
    ) -> List[Dict[str, Any]]:
        """The journal, newest first, secrets masked."""
        q = {"limit": limit, "method": method, "path": path, "status": status}
        if warnings:
            q["warnings"] = "true"
        return self._http.call("GET", "/__admin/requests" + _query(q))["requests"]

    def clear_requests(self) -> int:
        return self._http.call("DELETE", "/__admin/requests")["cleared"]

    def warnings(self) -> List[Dict[str, Any]]:
        """Where this namespace's requests deviated from the vendor pages, by rule and route."""
        return self._http.call("GET", "/__admin/warnings")["warnings"]

    def revoke(self, token: str) -> None:
        """Revokes any credential of any family (a ``Bearer ``/``AT `` prefix is ignored)."""
        self._http.call("DELETE", "/__admin/tokens/" + urllib.parse.quote(token, safe=""))

    def verify(
        self,
        route: str,
        count: Optional[int] = None,
        *,
        at_least: Optional[int] = None,
        at_most: Optional[int] = None,
        status: Optional[int] = None,
        no_warnings: bool = False,
    ) -> int:
        """Asserts the journal holds ``route`` (``"POST /path"``, or ``"/path"`` for any method) exactly
        ``count`` times, or between ``at_least`` and ``at_most`` (neither: at least once), answered with
        ``status`` if given, and (``no_warnings``) none deviating from its vendor page. Returns the
        number matched; raises :class:`VerificationError` (an ``AssertionError``) when it does not hold."""
        parts = route.split()
        if len(parts) == 2:
            body: Dict[str, Any] = {"method": parts[0], "path": parts[1]}
        elif len(parts) == 1:
            body = {"path": parts[0]}
        else:
            raise ValueError(f'route must be "METHOD /path" or "/path", got {route!r}')
        for k, v in (("count", count), ("atLeast", at_least), ("atMost", at_most), ("status", status)):
            if v is not None:
                body[k] = v
        if no_warnings:
            body["noWarnings"] = True
        r = self._http.call("POST", "/__admin/verify", body, ok=(200, 417))
        if "nearest" in r:
            raise VerificationError(r["error"], r["matched"], r["nearest"])
        return r["matched"]


def _query(q: Mapping[str, Any]) -> str:
    kept = {k: str(v) for k, v in q.items() if v is not None}
    return "?" + urllib.parse.urlencode(kept) if kept else ""
