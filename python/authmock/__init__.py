"""authmock from Python: start the mock server (the binary ships in this wheel), drive its control plane,
and a pytest plugin (fixtures ``authmock_server`` and ``authmock``).

    with authmock.Server(seed=42, tls=True) as mock:
        requests.get(mock.https_url + "/__admin/health", verify=mock.ca_path)
        mock.admin.verify("GET /__admin/health", count=0)
"""

from ._admin import Admin, AdminError, AuthmockError, VerificationError
from ._server import Server, find_binary

__all__ = ["Admin", "AdminError", "AuthmockError", "Server", "VerificationError", "find_binary"]
