"""Starting and stopping: bad fixtures, a missing binary, a port conflict, a server that dies mid-test —
each a clear exception, and no child process left behind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import authmock as am


def children():
    """The live child processes of this process (Linux)."""
    kids = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        # A thread (e.g. the harness's stderr reader) may end between the listing and the read.
        try:
            with open(f"/proc/{os.getpid()}/task/{task}/children") as f:
                kids.update(int(p) for p in f.read().split())
        except FileNotFoundError:
            continue
    return kids


def answers(url):
    try:
        urllib.request.urlopen(url + "/__admin/health", timeout=2)
        return True
    except OSError:
        return False


def test_a_server_stops_on_stop_and_its_port_goes_quiet():
    before = children()
    with am.Server(seed=1) as s:
        assert s.pid in children()
        assert s.admin.health()["status"] == "ok"
    assert not answers(s.url)
    assert children() == before


def test_bad_fixtures_raise_with_authmocks_stderr(tmp_path):
    (tmp_path / "koodrive.json").write_text("{ not json")
    before = children()
    with pytest.raises(am.AuthmockError) as e:
        am.Server(fixtures=tmp_path)
    msg = str(e.value)
    assert msg.startswith("authmock exited with code 2: authmock: invalid fixtures, not starting:"), msg
    assert "koodrive.json" in msg
    assert children() == before


def test_a_missing_binary_raises(monkeypatch):
    with pytest.raises(am.AuthmockError, match="'/nonexistent/authmock' does not exist"):
        am.Server(binary="/nonexistent/authmock")
    monkeypatch.setenv("AUTHMOCK_BIN", "/nonexistent/authmock")
    with pytest.raises(am.AuthmockError, match="'/nonexistent/authmock' does not exist"):
        am.Server()


def test_a_port_in_use_raises_naming_it():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    before = children()
    try:
        with pytest.raises(am.AuthmockError) as e:
            am.Server(port=port)
    finally:
        taken.close()
    assert f"cannot listen on 127.0.0.1:{port}" in str(e.value), str(e.value)
    assert children() == before


def test_a_server_that_dies_mid_test_raises_on_the_next_call_and_on_stop():
    before = children()
    s = am.Server()
    os.kill(s.pid, signal.SIGKILL)
    with pytest.raises(am.AuthmockError, match=r"authmock is not running \(exited with code -9\)"):
        s.admin.health()
    pid = s.pid
    with pytest.raises(am.AuthmockError, match=r"authmock died while in use \(exit code -9\)"):
        s.stop()
    assert children() == before
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped, not a zombie


def running(pid):
    """Whether ``pid`` still runs (a zombie left to an init that does not reap counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_script_that_never_stops_its_server_takes_it_along_on_exit():
    script = "import authmock; s = authmock.Server(); print(s.pid)"
    pid = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=20).stdout)
    for _ in range(100):  # bounded: 5 s
        if not running(pid):
            break
        time.sleep(0.05)
    assert not running(pid), f"authmock {pid} outlived the script"
