# SPDX-License-Identifier: MIT
"""What the interop tests share: running `wire` (named by $WIRE) as a child,
peers in threads, payloads and checksums, and a TestCase base with helpers.

Every process and socket a test uses is started and stopped by the test, on
127.0.0.1 or ::1 and free ports only. Nothing waits on bare sleeps: a server is
ready when it prints its `listening on` line, and every wait has a deadline.
Every child is started by popen() or run() below, and dies with the test even
when ctest kills the test past its timeout.
"""

import ctypes
import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

WIRE = os.environ.get("WIRE", "")
STEP = 30.0          # seconds: the bound on any one socket operation or process wait
READY = 10.0         # seconds: for a server to print its `listening on` line
MIB = 1 << 20
SEED = int.from_bytes(os.urandom(4), "big")  # printed, so a failure can be replayed
LISTENING = re.compile(rb"\Awire: listening on (127\.0\.0\.1|\[::1\]):(\d+)\n\Z")


def setUpModule():
    if not WIRE or not os.access(WIRE, os.X_OK):
        raise RuntimeError(f"set WIRE to the wire executable (got {WIRE!r})")
    print(f"wire: {WIRE}; python: {sys.executable} {sys.version.split()[0]}; "
          f"random seed: {SEED}", file=sys.stderr)


_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _dies_with(parent, sig):
    """A preexec_fn: the child gets `sig` when the thread that started it ends (the test
    included, killed by ctest's SIGKILL past its timeout, which runs no cleanup); if the test
    is gone already, the child exits at once."""
    def set_death_signal():
        _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(127)
    return set_death_signal


def popen(args, death_signal=signal.SIGKILL, **kwargs):
    """subprocess.Popen(args, **kwargs) for a child that dies with the test (see _dies_with).
    Start it from the test's thread (or a thread that outlives the child). A child that runs
    children of its own and stops them when it gets a signal (`timeout`) gets SIGTERM."""
    return subprocess.Popen(args, preexec_fn=_dies_with(os.getpid(), death_signal), **kwargs)


def run(args, death_signal=signal.SIGKILL, **kwargs):
    """subprocess.run(args, **kwargs) for a child that dies with the test."""
    return subprocess.run(args, preexec_fn=_dies_with(os.getpid(), death_signal), **kwargs)


def binary_payload(size, salt):
    """`size` pseudo-random bytes holding every byte value and runs of NULs."""
    rng = random.Random(SEED * 1000 + salt)
    data = bytearray(rng.randbytes(size))
    data[0:256] = bytes(range(256))
    for _ in range(64):  # runs of 1..8 NULs at random places
        at, length = rng.randrange(256, size - 8), rng.randrange(1, 9)
        data[at:at + length] = bytes(length)
    payload = bytes(data)
    assert len(payload) == size and payload.count(0) > 64 and len(set(payload)) == 256
    return payload


def sha(data):
    return hashlib.sha256(data).hexdigest()


def recv_until_eof(sock, limit, deadline):
    """Everything `sock` receives until the peer closes; at most `limit` bytes
    (more is returned as is, for the caller to report) and until `deadline`."""
    chunks, total = [], 0
    while total <= limit:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no end of stream after {total} bytes")
        chunk = sock.recv(256 * 1024)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def recv_exact(sock, size, deadline):
    chunks, total = [], 0
    while total < size:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {total} of {size} bytes arrived")
        chunk = sock.recv(size - total)
        if not chunk:
            raise EOFError(f"peer closed after {total} of {size} bytes")
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class Peer(threading.Thread):
    """Runs fn() in a thread; finish() joins it (bounded) and returns its result or
    re-raises its exception in the test's thread."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self._fn, self.result, self.error = fn, None, None

    def run(self):
        try:
            self.result = self._fn()
        except BaseException as e:  # handed to finish()
            self.error = e

    def finish(self, timeout=STEP):
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"peer thread still running after {timeout}s")
        if self.error is not None:
            raise self.error
        return self.result


class WireProcess:
    """A `wire` child kept running alongside the test; its stdout and stderr are
    drained by threads so pipes never fill up."""

    def __init__(self, args, program=None, env=None):
        # `program`: another executable than `wire` (a test's own server), run the same way.
        self.proc = popen([program or WIRE, *args], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._cond = threading.Condition()
        self._out, self._err = bytearray(), bytearray()
        self._eof = {"out": False, "err": False}
        self._readers = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self._out, "out"), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self._err, "err"), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _drain(self, pipe, sink, name):
        fd = pipe.fileno()
        while True:  # ends at EOF, which the child's exit (or kill) brings
            chunk = os.read(fd, 65536)
            with self._cond:
                if not chunk:
                    self._eof[name] = True
                    self._cond.notify_all()
                    return
                sink.extend(chunk)
                self._cond.notify_all()

    @property
    def out(self):
        with self._cond:
            return bytes(self._out)

    @property
    def err(self):
        with self._cond:
            return bytes(self._err)

    def wait_listening(self, timeout=READY):
        """The port from the one `wire: listening on ADDR:PORT` line on stderr."""
        with self._cond:
            self._cond.wait_for(lambda: b"\n" in self._err or self._eof["err"], timeout)
            err = bytes(self._err)
        m = LISTENING.match(err)
        if not m:
            raise AssertionError(f"no `listening on` line within {timeout}s; stderr: {err!r}; "
                                 f"exit status: {self.proc.poll()}")
        return int(m.group(2))

    def wait_stdout(self, pattern, timeout=READY, start=0):
        """The first match of the bytes regex `pattern` in stdout from offset `start`,
        waiting for it up to `timeout` (an AssertionError past it, or at EOF)."""
        regex = re.compile(pattern, re.MULTILINE)
        found = []

        def matched():
            m = regex.search(self._out, start)
            if m:
                found.append(m)
            return m is not None or self._eof["out"]

        with self._cond:
            self._cond.wait_for(matched, timeout)
            if found:
                return found[0]
            out, err = bytes(self._out), bytes(self._err)
        raise AssertionError(f"no {pattern!r} on stdout within {timeout}s; stdout: {out[-2000:]!r}; "
                             f"stderr: {err[-2000:]!r}; exit status: {self.proc.poll()}")

    def wait(self, timeout=STEP):
        """The exit status; the output is complete once this returns."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"wire still running after {timeout}s; stderr: {self.err!r}")
        for t in self._readers:
            t.join(timeout)
        return rc

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()  # SIGKILL to this child's own PID
        self.proc.wait(STEP)
        for t in self._readers:
            t.join(STEP)
        self.proc.stdout.close()
        self.proc.stderr.close()


def make_test_pki(d, openssl="/usr/bin/openssl", names="DNS:localhost,IP:127.0.0.1"):
    """A test CA and a leaf signed by it, made by the openssl tool in directory `d`:
    ca.pem/ca.key, leaf.pem/leaf.key (P-256, for `names`: DNS:localhost and IP:127.0.0.1
    unless told otherwise, valid for two days). Returns their paths by those names
    ("ca.pem", ...)."""
    def tool(*args):
        run([openssl, *args], cwd=d, check=True, capture_output=True, timeout=STEP)

    tool("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=wire interop CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    tool("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "leaf.ext"), "w") as f:
        f.write(f"subjectAltName={names}\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n")
    tool("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.pem")
    return {name: os.path.join(d, name) for name in ("ca.pem", "ca.key", "leaf.pem", "leaf.key")}


class ModulePki:
    """make_test_pki() in a temporary directory, for a whole test module: `setUpModule` calls
    start(), `tearDownModule` stop(); the paths are in the dict, by name ("ca.pem", ...)."""

    def __init__(self, prefix):
        self.prefix, self.paths, self._dir = prefix, {}, None

    def start(self, *tools):
        for tool in ("/usr/bin/openssl", *tools):
            if not os.access(tool, os.X_OK):
                raise RuntimeError(f"{tool} is missing: run scripts/install-deps.sh")
        self._dir = tempfile.TemporaryDirectory(prefix=self.prefix)
        self.paths.update(make_test_pki(self._dir.name))

    def stop(self):
        if self._dir is not None:
            self._dir.cleanup()

    def __getitem__(self, name):
        return self.paths[name]


class WireCase(unittest.TestCase):
    """Helpers for tests that run `wire`; it holds no tests itself."""

    maxDiff = 2000

    def serve(self, *args):
        """Starts `wire tcp serve ARGS` and returns (process, port) once it listens."""
        server = WireProcess(["tcp", "serve", *args])
        self.addCleanup(server.stop)
        return server, server.wait_listening()

    def run_wire(self, *args, input=b"", timeout=STEP):
        """Runs `wire ARGS` to completion (killed if it outlives `timeout`)."""
        try:
            return run([WIRE, *args], input=input, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"`wire {' '.join(args)}` still running after {timeout}s; "
                                 f"stderr: {e.stderr!r}")

    def listener(self, family=socket.AF_INET, host="127.0.0.1", backlog=1):
        s = socket.socket(family, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.settimeout(STEP)
        s.bind((host, 0))
        s.listen(backlog)
        return s, s.getsockname()[1]

    def peer(self, fn):
        p = Peer(fn)
        p.start()
        self.addCleanup(p.join, STEP)
        return p

    def assertFailure(self, r, starts, contains=None):
        """A failure: empty stdout, one line `wire: ...` on stderr, non-zero exit."""
        self.assertEqual(r.stdout, b"", r.stderr)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stderr.startswith(starts), r.stderr)
        self.assertTrue(r.stderr.endswith(b"\n"), r.stderr)
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        if contains is not None:
            self.assertIn(contains, r.stderr)

    # --- 1. the tutorial's client against `wire tcp serve` ---------------------------
