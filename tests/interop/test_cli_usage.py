# SPDX-License-Identifier: MIT
"""Interop: the `wire` tool's command line and what it does with a terminal. Argument errors
name the real mistake in one line and exit 2; `wire tcp send` exits by cause as `wire http`
does; binary data is refused on a terminal and the progress bar shows on one (both through a
pseudo-terminal, Python's pty); `wire http serve [PORT] [DIR]` reads its words as
`python3 -m http.server` does and types files from /etc/mime.types as Python's does.

Run with Debian's /usr/bin/python3; the tool under test is named by $WIRE:
    WIRE=build/tools/wire/wire /usr/bin/python3 tests/interop/test_cli_usage.py
"""

import os
import pty
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import tty
import unittest

import wire_interop
from http_peers import CURL, HttpServer, response
from wire_interop import MIB, STEP, WIRE, ModulePki, WireCase, WireProcess, binary_payload, sha

PKI = ModulePki("wire-cli-usage-pki-")


def setUpModule():
    wire_interop.setUpModule()
    PKI.start(CURL)


def tearDownModule():
    PKI.stop()


class Terminal:
    """A pseudo-terminal in raw mode (bytes pass as they are) that a child writes to; what
    arrives is collected on a thread, and wait_for() waits (bounded) for a pattern in it."""

    def __init__(self, case):
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.data = b""
        self._cond = threading.Condition()
        self._closed = False
        self._reader = None
        case.addCleanup(self.close)

    def run(self, argv, stdout_here=True):
        """Runs argv with stdout (or stderr) on the terminal, the other stream piped: (rc, piped bytes)."""
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=self.slave if stdout_here else subprocess.PIPE,
                                stderr=subprocess.PIPE if stdout_here else self.slave)
        os.close(self.slave)  # the child holds it now: its exit ends the terminal's output
        self.slave = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            _, piped = proc.communicate(timeout=STEP) if stdout_here else (None, proc.communicate(timeout=STEP)[0])
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(STEP)
        self._reader.join(STEP)
        return proc.returncode, piped

    def _read(self):
        deadline = time.monotonic() + STEP
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every writer is gone
                chunk = b""
            with self._cond:
                if not chunk:
                    self._closed = True
                    self._cond.notify_all()
                    return
                self.data += chunk
                self._cond.notify_all()

    def wait_for(self, pattern, timeout=STEP):
        with self._cond:
            return self._cond.wait_for(lambda: re.search(pattern, self.data) or self._closed, timeout)

    def close(self):
        for fd in (self.master, self.slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.master = self.slave = None


class UsageTest(WireCase):
    """Argument errors: one line that names the mistake, exit 2."""

    def usage(self, args, line):
        r = self.run_wire(*args)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (2, b"", line.encode() + b"\n"), args)

    def test_unknown_commands_with_a_suggestion(self):
        self.usage(["http", "gett", "http://127.0.0.1/"],
                   "wire http: unknown command 'gett' (did you mean 'get'?) (see wire http --help)")
        self.usage(["htp", "get"], "wire: unknown command 'htp' (did you mean 'http'?) (see wire --help)")
        self.usage(["http", "fetch"], "wire http: unknown command 'fetch' (see wire http --help)")
        self.usage(["http"], "wire http: missing command: one of get, request, serve (see wire http --help)")

    def test_unknown_options_named(self):
        self.usage(["http", "get", "--bogus", "http://127.0.0.1/"],
                   "wire http get: unknown option '--bogus' (see wire http get --help)")
        self.usage(["http", "get", "--max-redir", "3", "http://127.0.0.1/"],
                   "wire http get: unknown option '--max-redir' (did you mean '--max-redirects'?) "
                   "(see wire http get --help)")
        self.usage(["tcp", "send", "--tsl", "localhost", "1", "hi"],
                   "wire tcp send: unknown option '--tsl' (did you mean '--tls'?) (see wire tcp send --help)")
        # curl says the same with the same status.
        r = subprocess.run([CURL, "-q", "--bogus", "http://127.0.0.1/"], capture_output=True, timeout=STEP)
        self.assertEqual(r.returncode, 2)

    def test_values_out_of_range_say_the_range(self):
        self.usage(["http", "serve", "--port", "70000"],
                   "wire http serve: --port: '70000' is not a whole number from 0 to 65535 (see wire http serve --help)")
        self.usage(["tcp", "send", "localhost", "0", "hi"],
                   "wire tcp send: PORT: '0' is not a whole number from 1 to 65535 (see wire tcp send --help)")
        self.usage(["http", "get", "--max-redirects", "500", "http://127.0.0.1/"],
                   "wire http get: --max-redirects: '500' is not a whole number from 0 to 100 (see wire http get --help)")
        self.usage(["http", "get", "-m", "soon", "http://127.0.0.1/"],
                   "wire http get: --max-time: 'soon' is not a number from 0 to 1e+09 (see wire http get --help)")
        self.usage(["http", "get", "-C", "100", "http://127.0.0.1/"],
                   "wire http get: --continue-at: '100': wire resumes from the output file's size, -C - only "
                   "(see wire http get --help)")

    def test_missing_and_extra_arguments(self):
        self.usage(["http", "get"], "wire http get: URL is required (see wire http get --help)")
        self.usage(["http", "get", "http://a/", "http://b/"],
                   "wire http get: unexpected argument 'http://b/' (see wire http get --help)")
        self.usage(["http", "get", "-u", "nopassword", "http://127.0.0.1:9/"],
                   "wire: -u wants USER:PASSWORD (wire does not prompt for it)")
        self.usage(["http", "serve", "70000"], "wire: http serve: port '70000' is not a whole number from 0 to 65535")


class TcpExitStatusTest(WireCase):
    """`wire tcp send` exits by cause with the numbers `wire http` uses."""

    def send(self, *args):
        return self.run_wire("tcp", "send", *args)

    def assertExit(self, r, status):
        self.assertEqual(r.returncode, status, r.stderr)
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)

    def test_network_failures(self):
        reserved = socket.socket()
        self.addCleanup(reserved.close)
        reserved.bind(("127.0.0.1", 0))
        self.assertExit(self.send("127.0.0.1", str(reserved.getsockname()[1]), "hi"), 7)
        self.assertExit(self.send("nosuch.invalid", "80", "hi"), 6)
        listener, port = self.listener()
        done = threading.Event()

        def silent():  # takes the message, answers nothing, and holds on until wire gives up
            conn, _ = listener.accept()
            with conn:
                done.wait(STEP)
        peer = self.peer(silent)
        self.assertExit(self.send("--timeout", "0.5", "127.0.0.1", str(port), "hi"), 28)
        done.set()
        peer.finish()

    def tls_peer(self, wrap):
        listener, port = self.listener()

        def serve():
            conn, _ = listener.accept()
            with conn:
                if wrap:
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    ctx.load_cert_chain(PKI["leaf.pem"], PKI["leaf.key"])
                    try:
                        with ctx.wrap_socket(conn, server_side=True) as s:
                            s.sendall(s.recv(100))
                            while s.recv(100):  # up to the client's close_notify: no reset
                                pass
                    except (ssl.SSLError, OSError):
                        pass  # the client refused our certificate
                else:
                    try:
                        conn.sendall(b"plain text, not TLS\r\n")
                        conn.recv(100)
                    except OSError:
                        pass  # the client gave up on us (a reset)
        return port, self.peer(serve)

    def test_tls_failures(self):
        port, peer = self.tls_peer(wrap=True)
        self.assertExit(self.send("--tls", "localhost", str(port), "hi"), 60)  # not the system's CA
        peer.finish()
        port, peer = self.tls_peer(wrap=True)
        r = self.send("--tls", "--cacert", PKI["ca.pem"], "localhost", str(port), "hi")
        self.assertEqual((r.returncode, r.stdout), (0, b"Response: hi\n"), r.stderr)  # (a warning: no close_notify)
        peer.finish()
        port, peer = self.tls_peer(wrap=False)
        self.assertExit(self.send("--tls", "localhost", str(port), "hi"), 35)
        peer.finish()


class TerminalTest(WireCase):
    def test_binary_output_is_refused_on_a_terminal(self):
        payload = binary_payload(100_000, salt=11)
        server = HttpServer(self, lambda req: response(200, payload), connections=5)
        for argv in ([WIRE, "http", "get", server.url()], [CURL, "-q", "--noproxy", "*", "-sS", server.url()]):
            term = Terminal(self)
            rc, err = term.run(argv)
            self.assertEqual((rc, term.data), (23, b""), err)
        w = Terminal(self).run([WIRE, "http", "get", server.url()])[1]
        self.assertEqual(w, b"wire: binary output refused on a terminal: use -o FILE (or -o - to write it there anyway)\n")
        # -o - says: write it anyway.
        for argv in ([WIRE, "http", "get", "-o", "-", server.url()],
                     [CURL, "-q", "--noproxy", "*", "-sS", "-o", "-", server.url()]):
            term = Terminal(self)
            rc, err = term.run(argv)
            self.assertEqual(rc, 0, err)
            self.assertEqual(sha(term.data), sha(payload))
        server.finish()

    def test_text_goes_to_the_terminal(self):
        server = HttpServer(self, lambda req: response(200, b"plain text\n"))
        term = Terminal(self)
        rc, err = term.run([WIRE, "http", "get", server.url()])
        self.assertEqual((rc, err, term.data), (0, b"", b"plain text\n"))
        server.finish()

    def test_tcp_serve_escapes_control_bytes_on_a_terminal(self):
        """Issue 17: `wire tcp serve` printed what a client sent raw to a terminal (escape
        sequences could retitle it, clear it, or worse). There, every byte but printable ASCII
        is escaped; into a pipe the bytes stay as they came (test_tcp_python.py)."""
        term = Terminal(self)
        proc = wire_interop.popen([WIRE, "tcp", "serve", "--host", "127.0.0.1", "--port", "0", "--once"],
                                  stdin=subprocess.DEVNULL, stdout=term.slave, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                self.addCleanup(pipe.close)
        os.close(term.slave)
        term.slave = None
        term._reader = threading.Thread(target=term._read, daemon=True)
        term._reader.start()
        m = wire_interop.LISTENING.match(proc.stderr.readline())
        self.assertIsNotNone(m)
        sent = b"\x1b]0;owned\x07\x1b[2J\r\nback\\slash\t\x00\x7f\x9b\xffok"
        with socket.create_connection(("127.0.0.1", int(m.group(2))), timeout=STEP) as s:
            s.sendall(sent)
            self.assertEqual(s.recv(64), b"Hello, client!")
        self.assertEqual(proc.wait(STEP), 0)
        term._reader.join(STEP)
        self.assertEqual(term.data, b"Received: \\x1b]0;owned\\x07\\x1b[2J\\r\\nback\\\\slash\\t\\x00\\x7f"
                                    b"\\x9b\\xffok\n")

    def test_progress_bar_with_percentage_size_rate_and_time_left(self):
        size = 2 * MIB
        payload = binary_payload(size, salt=12)
        listener, port = self.listener()
        term = Terminal(self)

        def serve():  # half the body; the rest once the bar has shown
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + payload[:size // 2])
                term.wait_for(rb" left\x1b\[K")
                conn.sendall(payload[size // 2:])
        peer = self.peer(serve)
        out = tempfile.mktemp(prefix="wire-progress-")
        self.addCleanup(lambda: os.path.exists(out) and os.remove(out))
        rc, err = term.run([WIRE, "http", "get", "-o", out, f"http://127.0.0.1:{port}/"], stdout_here=False)
        peer.finish()
        self.assertEqual(rc, 0, term.data)
        with open(out, "rb") as f:
            self.assertEqual(sha(f.read()), sha(payload))
        self.assertRegex(term.data, rb"\r[\d.]+ (KiB|MiB) of 2\.0 MiB +\d+\.\d% +[\d.]+ (B|KiB|MiB|GiB)/s +\d+:\d\d left\x1b\[K")
        self.assertRegex(term.data, rb"\r2\.0 MiB of 2\.0 MiB  100\.0%  [\d.]+ (B|KiB|MiB|GiB)/s\x1b\[K\n\Z")

    def test_no_progress_bar_with_s(self):
        server = HttpServer(self, lambda req: response(200, b"x" * 1000))
        term = Terminal(self)
        out = tempfile.mktemp(prefix="wire-progress-")
        self.addCleanup(lambda: os.path.exists(out) and os.remove(out))
        rc, _ = term.run([WIRE, "http", "get", "-s", "-o", out, server.url()], stdout_here=False)
        self.assertEqual((rc, term.data), (0, b""))
        server.finish()


SERVING = rb"^Serving (.+) on http://localhost:(\d+)/ \(Ctrl-C to stop\)\n"


class ServeTest(WireCase):
    """`wire http serve [PORT] [DIR]` as `python3 -m http.server [PORT] [-d DIR]` reads it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="wire-serve-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.files = {"page.html": b"<p>hi</p>\n", "notes.txt": b"notes\n", "book.epub": b"PK\x03\x04",
                      "style.css": b"p {}\n", "pic.svg": b"<svg/>", "data.json": b"{}", "doc.pdf": b"%PDF",
                      "sound.wav": b"RIFF", "blob.bin": binary_payload(1000, salt=13)}
        for name, data in self.files.items():
            with open(os.path.join(self.dir, name), "wb") as f:
                f.write(data)

    def serve(self, *args):
        server = WireProcess(["http", "serve", *args])
        self.addCleanup(self.stop, server)
        m = server.wait_stdout(SERVING)
        self.assertEqual(m.group(1), os.path.abspath(self.dir).encode())
        return int(m.group(2))

    @staticmethod
    def stop(server):
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)  # its own PID
        server.wait(STEP)
        server.stop()

    def fetch(self, port, name):
        r = subprocess.run([CURL, "-q", "--noproxy", "*", "-sS", "-D", "-", f"http://127.0.0.1:{port}/{name}"],
                           capture_output=True, timeout=STEP)
        self.assertEqual(r.returncode, 0, r.stderr)
        head, body = r.stdout.split(b"\r\n\r\n", 1)
        types = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n") if l.lower().startswith(b"content-type:")]
        return types[0].split(b";")[0].decode(), body

    def test_port_and_directory_as_python_takes_them(self):
        python = subprocess.Popen(["/usr/bin/python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                                   "-d", self.dir], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: (python.poll() is None and python.send_signal(signal.SIGINT), python.wait(STEP),
                                 python.stdout.close()))
        line = python.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..."
        python_port = int(re.search(rb" port (\d+) ", line).group(1))
        for args in (["0", self.dir], ["0", "-d", self.dir], ["--port", "0", "--directory", self.dir], ["-d", self.dir, "0"]):
            port = self.serve(*args)
            for name, data in self.files.items():
                wire_type, body = self.fetch(port, name)
                python_type, python_body = self.fetch(python_port, name)
                self.assertEqual((body, python_body), (data, data), name)
                self.assertEqual(wire_type, python_type, name)  # both from /etc/mime.types

    def test_a_word_that_is_not_a_port_is_the_directory(self):
        cwd = os.getcwd()
        os.chdir(os.path.dirname(self.dir))
        self.addCleanup(os.chdir, cwd)
        port = self.serve(os.path.basename(self.dir), "--port", "0")
        self.assertEqual(self.fetch(port, "notes.txt"), ("text/plain", b"notes\n"))

    def test_mistakes(self):
        for args, message in ((["8000", "/no/such/dir"], b"wire: http serve: '/no/such/dir' is not a directory\n"),
                              ([self.dir, "8000"], b"wire: http serve: '8000' after the directory: the port comes first\n"),
                              (["0", self.dir, "-d", self.dir], b"wire: http serve: two directories given: '"
                               + self.dir.encode() + b"' and '" + self.dir.encode() + b"'\n"),
                              (["8000", "--port", "0"], b"wire: http serve: the port is given twice: 8000 and --port\n")):
            r = self.run_wire("http", "serve", *args)
            self.assertEqual((r.returncode, r.stderr), (2, message), args)


if __name__ == "__main__":
    unittest.main(verbosity=2)
