"""The pytest plugin (entry point ``pytest11``): one authmock per test session (per pytest-xdist worker)
and a fresh namespace per test.

Fixtures:
    authmock_server  session-scoped :class:`authmock.Server` (with an https listener)
    authmock         function-scoped :class:`Namespace`: ``url``, ``headers``, ``admin``, ``https_url``,
                     ``ca_path`` — the test's own namespace, so tests never see each other's tokens

Options: ``--authmock-seed N``, ``--authmock-bin PATH`` (else ``AUTHMOCK_BIN``, else the bundled binary),
``--authmock-strict``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Dict, Iterator, Optional

import pytest

from ._admin import Admin
from ._server import Server


@dataclass
class Namespace:
    """One test's view of the session's server: send ``headers`` with every vendor request."""

    name: str
    url: str
    https_url: Optional[str]
    admin: Admin
    server: Server
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def ca_path(self) -> str:
        """The https listener's CA file, for ``verify=``."""
        return self.server.ca_path


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("authmock", "authmock mock server")
    g.addoption("--authmock-seed", type=int, default=None, help="start authmock with --seed N")
    g.addoption("--authmock-bin", default=None, help="the authmock binary (default: AUTHMOCK_BIN, else the bundled one)")
    g.addoption("--authmock-strict", action="store_true", default=False, help="start authmock with --strict")


@pytest.fixture(scope="session")
def authmock_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """One authmock for the session (for each pytest-xdist worker), with an https listener."""
    opt = request.config.getoption
    with Server(
        seed=opt("--authmock-seed"),
        strict=opt("--authmock-strict"),
        tls=True,
        binary=opt("--authmock-bin"),
    ) as server:
        yield server


def _name(node: str) -> str:
    # A namespace is 1-64 of A-Za-z0-9._-: the test's name (readable in the dashboard) and a random tail.
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", node).strip("-")[:47] or "test"
    return f"{base}-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def authmock(authmock_server: Server, request: pytest.FixtureRequest) -> Namespace:
    """A fresh namespace of the session's authmock for this test."""
    admin = authmock_server.namespace(_name(request.node.name))
    return Namespace(
        name=admin.namespace_name or "",
        url=authmock_server.url,
        https_url=authmock_server.https_url,
        admin=admin,
        server=authmock_server,
        headers=admin.headers,
    )
