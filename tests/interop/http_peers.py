# SPDX-License-Identifier: MIT
"""HTTP peers the CLI tests start: a scripted HTTP/1.1 server on a thread (HttpServer, with
`response()` to write its answers), an HTTP proxy that also tunnels CONNECT, and nginx in one
unprivileged process with a generated configuration. Each listens on 127.0.0.1 on a free port
and is stopped by the test that started it (nginx by its own PID)."""

import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from wire_interop import STEP

NGINX = "/usr/sbin/nginx"
CURL = "/usr/bin/curl"


def response(status=200, body=b"", reason=None, fields=()):
    reasons = {200: "OK", 206: "Partial Content", 301: "Moved Permanently", 302: "Found", 303: "See Other",
               307: "Temporary Redirect", 404: "Not Found", 500: "Internal Server Error",
               503: "Service Unavailable"}
    head = [f"HTTP/1.1 {status} {reason or reasons.get(status, 'Whatever')}",
            f"Content-Length: {len(body)}", *fields]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class Request:
    """A request as the server received it."""

    def __init__(self, head, body, connection):
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.target, self.version = lines[0].split(" ")
        self.fields = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line]
        self.body = body
        self.connection = connection  # which connection (0, 1, ...) carried it

    def get(self, name):
        values = [v for k, v in self.fields if k.lower() == name.lower()]
        return values[0] if values else None


def read_chunked(conn, buf):
    """A chunked body from `buf` and then `conn`: (body, what follows it)."""
    body = b""
    while True:
        while b"\r\n" not in buf:
            buf += conn.recv(65536) or b""
        size_line, buf = buf.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        while len(buf) < size + 2:
            chunk = conn.recv(65536)
            if not chunk:
                raise EOFError("chunked body cut short")
            buf += chunk
        body, buf = body + buf[:size], buf[size + 2:]
        if size == 0:
            return body, buf


class HttpServer:
    """A keep-alive HTTP/1.1 server on a thread: `handler(request)` returns the
    response bytes for each request (None: stay silent until the client hangs up). It
    serves connections one after the other until `connections` have been served (or the
    test ends) and records every request and every byte received."""

    def __init__(self, case, handler, connections=1):
        self.listener, self.port = case.listener(backlog=8)
        self.handler = handler
        self.requests = []
        self.raw = []  # the bytes received on each connection
        self._lock = threading.Lock()
        self.peer = case.peer(lambda: self._serve(connections))

    def url(self, path="/", host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def _serve(self, connections):
        for n in range(connections):
            conn, _ = self.listener.accept()
            with conn:
                conn.settimeout(STEP)
                try:
                    self._session(conn, n)
                except (ConnectionResetError, BrokenPipeError):
                    pass  # a client that gave up (a refused body, a timeout): the next one may come

    def _receive(self, conn, buf, n):
        chunk = conn.recv(65536)
        with self._lock:
            self.raw[n] += chunk
        return buf + chunk, bool(chunk)

    def _session(self, conn, n):
        buf = b""
        with self._lock:
            self.raw.append(b"")
        while True:
            while b"\r\n\r\n" not in buf:
                buf, more = self._receive(conn, buf, n)
                if not more:
                    return
            head, buf = buf.split(b"\r\n\r\n", 1)
            request = Request(head, b"", n)
            if (request.get("Transfer-Encoding") or "").lower() == "chunked":
                request.body, buf = read_chunked(conn, buf)
            else:
                length = int(request.get("Content-Length") or 0)
                while len(buf) < length:
                    buf, more = self._receive(conn, buf, n)
                    if not more:
                        return
                request.body, buf = buf[:length], buf[length:]
            with self._lock:
                self.requests.append(request)
            reply = self.handler(request)
            if reply is None:  # stay silent until the client hangs up
                while conn.recv(65536):
                    pass
                return
            conn.sendall(reply)
            if b"\r\nConnection: close\r\n" in reply.split(b"\r\n\r\n", 1)[0] + b"\r\n":
                return

    def finish(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes an accept() still waiting
        except OSError:
            pass
        try:
            self.peer.finish()
        except OSError:
            pass  # accept() on the closed listener: no more connections came
        return self.requests


class Proxy:
    """An HTTP proxy on a thread, for `connections` clients one after the other: an
    absolute-form request is answered by `handler(request)`; CONNECT host:port opens a
    tunnel to 127.0.0.1:port and relays both ways until either side closes."""

    def __init__(self, case, handler, connections=1):
        self.listener, self.port = case.listener(backlog=8)
        self.handler = handler
        self.requests = []
        self.peer = case.peer(lambda: [self._session(n) for n in range(connections)])

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _session(self, n):
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(STEP)
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, rest = buf.split(b"\r\n\r\n", 1)
            request = Request(head, rest, n)
            self.requests.append(request)
            if request.method != "CONNECT":
                conn.sendall(self.handler(request))
                return
            port = int(request.target.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=STEP) as origin:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._relay(conn, origin, rest)

    @staticmethod
    def _relay(client, origin, pending):
        if pending:
            origin.sendall(pending)
        deadline = time.monotonic() + STEP
        while time.monotonic() < deadline:
            ready, _, _ = select.select([client, origin], [], [], STEP)
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (origin if s is client else client).sendall(data)

    def finish(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.peer.finish()
        except OSError:
            pass
        return self.requests


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """Debian's nginx in one unprivileged process (no daemon, no master), everything it writes
    in a temporary directory, on two free ports: `port` plain and `tls_port` with `pki`'s
    leaf (localhost, 127.0.0.1, signed by pki's CA). root() is served as static files, with
    these locations besides:
        /loop        302 to itself            /missing   404 "not here\\n"
        /host        200, the Host header     /headers   200, Authorization and Cookie, a line each
    stop() (or the test's cleanup) ends it with SIGTERM to its own PID."""

    def __init__(self, case, pki):
        self.dir = tempfile.mkdtemp(prefix="wire-nginx-")
        os.makedirs(os.path.join(self.dir, "www"))
        os.makedirs(os.path.join(self.dir, "tmp"))
        self.proc = None
        case.addCleanup(self.stop)
        errors = ""
        for _ in range(5):  # a free port may be taken before nginx binds it: try others
            self.port, self.tls_port = free_port(), free_port()
            if self.port == self.tls_port:
                continue
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(self._config(pki))
            self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-c", conf, "-e", "stderr"],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE)
            if self._wait_listening():
                return
            errors = self.stop()
        raise AssertionError(f"nginx did not start: {errors}")

    def _config(self, pki):
        d = self.dir
        return f"""# Generated by wire's CLI tests: one unprivileged process, everything under {d}
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
lock_file {d}/nginx.lock;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/tmp/body;
  proxy_temp_path {d}/tmp/proxy;
  fastcgi_temp_path {d}/tmp/fastcgi;
  uwsgi_temp_path {d}/tmp/uwsgi;
  scgi_temp_path {d}/tmp/scgi;
  default_type application/octet-stream;
  server {{
    listen 127.0.0.1:{self.port};
    listen 127.0.0.1:{self.tls_port} ssl;
    ssl_certificate {pki["leaf.pem"]};
    ssl_certificate_key {pki["leaf.key"]};
    root {d}/www;
    location = /loop {{ return 302 /loop; }}
    location = /missing {{ return 404 "not here\\n"; }}
    location = /host {{ return 200 "$http_host"; }}
    location = /headers {{ return 200 "authorization=$http_authorization\\ncookie=$http_cookie\\n"; }}
  }}
}}
"""

    def _wait_listening(self):
        deadline = time.monotonic() + 10
        pending = {self.port, self.tls_port}
        while pending and time.monotonic() < deadline and self.proc.poll() is None:
            for port in list(pending):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        pending.discard(port)
            if pending:
                time.sleep(0.01)  # polling a port that is not open yet; bounded by the deadline
        return not pending and self.proc.poll() is None

    def write(self, name, data):
        path = os.path.join(self.dir, "www", name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def url(self, path, tls=False, host="127.0.0.1"):
        return f"{'https' if tls else 'http'}://{host}:{self.tls_port if tls else self.port}{path}"

    def stop(self):
        """Stops nginx (SIGTERM to its PID) and returns what it wrote to stderr."""
        if self.proc is None:
            return ""
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.terminate()
        try:
            _, err = proc.communicate(timeout=STEP)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate(timeout=STEP)
        shutil.rmtree(self.dir, ignore_errors=True)
        return err.decode(errors="replace")
