"""Starting and stopping the authmock binary: the one in this wheel, or ``AUTHMOCK_BIN``."""

from __future__ import annotations

import collections
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import urllib.request
import weakref
from typing import Deque, Iterable, Optional, Union

from ._admin import Admin, AuthmockError

__all__ = ["Server", "find_binary"]

_EXE = "authmock.exe" if sys.platform == "win32" else "authmock"
_LISTENING = "authmock listening on "
# Lines of stderr kept to explain a failure (the server logs one line per request).
_STDERR_LINES = 200


def find_binary(explicit: Optional[str] = None) -> str:
    """The authmock binary: ``explicit``, else ``AUTHMOCK_BIN``, else the one this wheel installed
    (the scripts directory of this interpreter's environment, or the user scheme's), else ``PATH``."""
    chosen = explicit or os.environ.get("AUTHMOCK_BIN")
    if chosen:
        if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
            raise AuthmockError(f"authmock binary {chosen!r} does not exist or is not executable")
        return chosen
    dirs = [sysconfig.get_path("scripts")]
    try:
        dirs.append(sysconfig.get_path("scripts", scheme=sysconfig.get_preferred_scheme("user")))
    except KeyError:
        pass
    for d in dirs:
        p = os.path.join(d, _EXE)
        if os.path.isfile(p):
            return p
    found = shutil.which(_EXE)
    if found:
        return found
    raise AuthmockError(
        "authmock binary not found: install the authmock wheel, or set AUTHMOCK_BIN (or --authmock-bin)"
    )


def _terminate(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()


class Server:
    """A running authmock on a free port of 127.0.0.1, for as long as the ``with`` block (or until
    :meth:`stop`).

    ``seed`` makes tokens reproducible, ``fixtures`` loads a fixtures directory, ``tls`` adds an https
    listener (``https_url``, ``ca_path``), ``strict`` refuses every deviation from the vendor pages,
    ``store`` is a ``redis://`` URL; ``args`` are further command-line flags; ``port`` fixes the http
    port (0: a free one). The child gets no
    ``AUTHMOCK_*`` variable of this environment (flags decide), and ``RUST_LOG=warn`` unless set.
    """

    def __init__(
        self,
        seed: Optional[int] = None,
        fixtures: Optional[Union[str, os.PathLike]] = None,
        tls: bool = False,
        strict: bool = False,
        store: Optional[str] = None,
        args: Iterable[str] = (),
        *,
        port: int = 0,
        binary: Optional[str] = None,
        admin_token: Optional[str] = None,
        start_timeout: float = 10.0,
    ):
        self.binary = find_binary(binary)
        cmd = [self.binary, "--port", str(port)]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        if fixtures is not None:
            cmd += ["--fixtures", os.fspath(fixtures)]
        if tls:
            cmd += ["--tls-port", "0"]
        if strict:
            cmd.append("--strict")
        if store is not None:
            cmd += ["--store", store]
        cmd += list(args)
        self.command = cmd
        self._tls = tls
        self._admin_token = admin_token
        self._start_timeout = start_timeout
        self._stderr: Deque[str] = collections.deque(maxlen=_STDERR_LINES)
        self._proc: Optional[subprocess.Popen] = None
        self._stderr_thread: Optional[threading.Thread] = None
        self._ca_path: Optional[str] = None
        self.url = ""
        self.https_url: Optional[str] = None
        self.admin: Admin
        self._start()

    # ------------------------------------------------------------------------------ lifecycle

    def _start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHMOCK_")}
        env.setdefault("RUST_LOG", "warn")
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                text=True,
                bufsize=1,
            )
        except OSError as e:
            raise AuthmockError(f"cannot run {self.binary}: {e}") from e
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        want = 2 if self._tls else 1
        urls = []
        # readline blocks; a timer kills a server that neither listens nor exits in time.
        timer = threading.Timer(self._start_timeout, self._proc.kill)
        timer.start()
        try:
            assert self._proc.stdout is not None
            while len(urls) < want:
                line = self._proc.stdout.readline()
                if not line:
                    break
                if line.startswith(_LISTENING):
                    urls.append(line[len(_LISTENING) :].strip())
        finally:
            timer.cancel()
        if len(urls) < want:
            rc = self._proc.wait()
            self._join_stderr()
            if rc == -signal.SIGKILL:
                why = f"did not start within {self._start_timeout:.0f} s"
            else:
                why = f"exited with code {rc}"
            raise AuthmockError(f"authmock {why}: {self.stderr.strip() or '(no stderr)'}")
        # Keep stdout drained so a chatty server never blocks on a full pipe.
        threading.Thread(target=self._proc.stdout.read, daemon=True).start()
        # A Server never stopped (garbage, or the interpreter exiting) takes its child with it.
        self._finalizer = weakref.finalize(self, _terminate, self._proc)
        self.url = urls[0]
        self.https_url = urls[1] if self._tls else None
        self.admin = Admin(self.url, None, self._admin_token, self._why_down)

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line)

    def _join_stderr(self) -> None:
        # The stderr thread ends at EOF, right after the process does.
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout=2)

    @property
    def stderr(self) -> str:
        """The last lines authmock wrote to stderr."""
        return "".join(self._stderr)

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc else None

    def _why_down(self) -> Optional[str]:
        """Called when the server did not answer: why, if it has exited (a process killed a moment ago
        may not be reaped yet, hence the short wait)."""
        if self._proc is None:
            return "authmock was stopped"
        try:
            self._proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None
        return f"authmock is not running (exited with code {self._proc.returncode}): {self.stderr.strip() or '(no stderr)'}"

    def stop(self) -> None:
        """SIGTERM, then wait (SIGKILL after 10 s). Raises :class:`AuthmockError` with authmock's stderr
        when it had already died or exits with an error."""
        p = self._proc
        if p is None:
            return
        self._proc = None
        self._finalizer.detach()
        died = p.poll()
        if died is None:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
        else:
            rc = died
        self._join_stderr()
        if self._ca_path:
            try:
                os.unlink(self._ca_path)
            except OSError:
                pass
            self._ca_path = None
        if died is not None:
            raise AuthmockError(f"authmock died while in use (exit code {rc}): {self.stderr.strip() or '(no stderr)'}")
        if rc != 0:
            raise AuthmockError(f"authmock exited with code {rc} on SIGTERM: {self.stderr.strip() or '(no stderr)'}")

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------------------ helpers

    @property
    def ca_path(self) -> str:
        """A file holding the https listener's CA (PEM), for ``requests``' / ``httpx``' ``verify=``."""
        if not self._tls:
            raise AuthmockError("this Server serves no https: start it with tls=True")
        if self._ca_path is None:
            with urllib.request.urlopen(self.url + "/__admin/ca.pem", timeout=10) as r:
                pem = r.read()
            fd, path = tempfile.mkstemp(prefix="authmock-ca-", suffix=".pem")
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            self._ca_path = path
        return self._ca_path

    def namespace(self, name: str) -> Admin:
        """The admin client scoped to ``X-Mock-Namespace: name`` (its ``headers`` to send too)."""
        return self.admin.namespace(name)
