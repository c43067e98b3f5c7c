# SPDX-License-Identifier: MIT
"""Interop: wire's HTTP server (wire::http::Server) against clients that are not
ours: Debian's curl, Python's http.client and urllib.request, raw pipelined
requests from a socket, and a real browser (headless chromium).

Two servers are under test:
  - http_test_server (tests/interop/http_test_server.cpp, named by
    $WIRE_HTTP_TEST_SERVER): routes on wire::http::Server (/hello, streamed
    uploads to /sha256 and /upload/{name} answered "<sha256> <length>",
    /stream/{n}, /echo-headers, the files of a directory under /files);
  - `wire http serve DIR` (the CLI, named by $WIRE): static files from 0 bytes
    to 1 GiB, listings, the access log, path traversal, graceful shutdown.
Each runs plain and over HTTPS, with a test CA and a leaf for localhost and
127.0.0.1 made by the openssl tool for this run. Chromium's screenshots are
kept in $WIRE_TEST_ARTIFACTS (the path is printed).

Run with Debian's /usr/bin/python3:
    WIRE=build/tools/wire/wire \\
    WIRE_HTTP_TEST_SERVER=build/tests/interop/http_test_server \\
    /usr/bin/python3 tests/interop/test_http_server.py

Every server runs on 127.0.0.1 on a free port, started and stopped (by its PID)
here; chromium runs in a process group of its own, killed as a group only.
Every wait has a deadline; every loop is bounded.
"""

import calendar
import hashlib
import html.parser
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import zlib

import wire_interop
from wire_interop import MIB, STEP, ModulePki, WireCase, WireProcess, binary_payload, popen, run, sha

CURL = "/usr/bin/curl"
CHROMIUM = "/usr/bin/chromium"
CERTUTIL = "/usr/bin/certutil"
TIMEOUT = "/usr/bin/timeout"
TEST_SERVER = os.environ.get("WIRE_HTTP_TEST_SERVER", "")
ARTIFACTS = os.environ.get("WIRE_TEST_ARTIFACTS") or os.path.join(tempfile.gettempdir(), "wire-test-artifacts")
GIB = 1 << 30
BIG = 64 * MIB                 # uploads
LISTENING = rb"^listening on 127\.0\.0\.1:(\d+)\n"
SERVING = rb"^Serving (.+) on (https?)://localhost:(\d+)/ \(Ctrl-C to stop\)\n"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Common Log Format, as the access log writes it (the peer, no identity, no user).
CLF = re.compile(r'^127\.0\.0\.1 - - \[(\d{2})/(' + "|".join(MONTHS) + r')/(\d{4}):(\d{2}):(\d{2}):(\d{2}) '
                 r'\+0000\] "([^"\\]*)" (\d{3}) (\d+|-)$')
PKI = ModulePki("wire-http-server-pki-")


def setUpModule():
    wire_interop.setUpModule()
    if not TEST_SERVER or not os.access(TEST_SERVER, os.X_OK):
        raise RuntimeError(f"set WIRE_HTTP_TEST_SERVER to the http_test_server executable (got {TEST_SERVER!r})")
    PKI.start(CURL, TIMEOUT)


def tearDownModule():
    PKI.stop()


# --- helpers ---------------------------------------------------------------------------------

def start_test_server(cls, *args):
    """http_test_server ARGS for a whole test class: (process, port). Stopped with SIGTERM
    at the end of the class, and that stop must be clean (exit 0)."""
    server = WireProcess(["--port", "0", "--threads", "2", *args], program=TEST_SERVER)
    cls.addClassCleanup(stop_gracefully, server)
    return server, int(server.wait_stdout(LISTENING).group(1))


def start_wire_serve(cls_or_case, directory, *args):
    """`wire http serve DIR --port 0 ARGS`: (process, port) once it prints its URL."""
    server = WireProcess(["http", "serve", directory, "--port", "0", *args])
    if isinstance(cls_or_case, type):
        cls_or_case.addClassCleanup(stop_gracefully, server)
    else:
        cls_or_case.addCleanup(server.stop)
    m = server.wait_stdout(SERVING)
    if m.group(1) != os.path.abspath(directory).encode():
        raise AssertionError(f"serving {m.group(1)!r}, not {directory!r}")
    return server, int(m.group(3))


def stop_gracefully(server):
    """SIGTERM to the server's own PID; it must exit 0 (an ASan report would not)."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
    try:
        rc = server.wait(STEP)
    finally:
        server.stop()
    if rc != 0:
        raise AssertionError(f"the server exited {rc} on SIGTERM; stderr: {server.err[-4000:]!r}")


def head_fields(raw):
    """[(name, value)] of the last header block in `raw` (curl -D, or a response head)."""
    blocks = [b for b in raw.replace(b"\r\n", b"\n").split(b"\n\n") if b.strip()]
    lines = blocks[-1].decode("latin-1").split("\n")
    return lines[0], [tuple(p.strip() for p in line.split(":", 1)) for line in lines[1:] if line]


class Fetched:
    """What curl got: the status, the last header block, the body and curl's stderr."""

    def __init__(self, status, status_line, fields, body, stderr):
        self.status, self.status_line, self.fields, self.body, self.stderr = \
            status, status_line, fields, body, stderr

    def get(self, name):
        values = [v for k, v in self.fields if k.lower() == name.lower()]
        if len(values) > 1:
            raise AssertionError(f"{name} appears {len(values)} times: {self.fields}")
        return values[0] if values else None


class Response:
    def __init__(self, status, fields, body):
        self.status, self.fields, self.body = status, fields, body

    def get(self, name):
        values = [v for k, v in self.fields if k.lower() == name.lower()]
        return values[0] if values else None


class Reader:
    """Reads HTTP/1.1 responses from a socket, in order (for pipelining)."""

    def __init__(self, sock, deadline):
        self.sock, self.buf, self.deadline = sock, b"", deadline

    def _more(self):
        if time.monotonic() > self.deadline:
            raise TimeoutError(f"no complete response; have {self.buf[:200]!r}")
        chunk = self.sock.recv(256 * 1024)
        if not chunk:
            raise EOFError(f"the server closed; unparsed: {self.buf[:200]!r}")
        self.buf += chunk

    def line(self):
        for _ in range(100000):
            at = self.buf.find(b"\r\n")
            if at >= 0:
                line, self.buf = self.buf[:at], self.buf[at + 2:]
                return line
            self._more()
        raise AssertionError("line too long")

    def exact(self, n):
        for _ in range(1 << 20):
            if len(self.buf) >= n:
                data, self.buf = self.buf[:n], self.buf[n:]
                return data
            self._more()
        raise AssertionError("body never complete")

    def until_eof(self):
        for _ in range(1 << 20):
            try:
                self._more()
            except EOFError:
                data, self.buf = self.buf, b""
                return data
        raise AssertionError("no EOF")

    def response(self, method="GET"):
        status_line = self.line().decode("latin-1")
        version, status, _ = status_line.split(" ", 2)
        if version != "HTTP/1.1":
            raise AssertionError(f"status line {status_line!r}")
        fields = []
        for _ in range(200):
            line = self.line()
            if not line:
                break
            name, value = line.decode("latin-1").split(":", 1)
            fields.append((name, value.strip()))
        res = Response(int(status), fields, b"")
        te = res.get("Transfer-Encoding")
        if method == "HEAD" or res.status in (204, 304) or 100 <= res.status < 200:
            return res
        if te is not None:
            if te.lower() != "chunked":
                raise AssertionError(f"Transfer-Encoding: {te}")
            parts = []
            for _ in range(1 << 20):
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    break
                parts.append(self.exact(size))
                if self.exact(2) != b"\r\n":
                    raise AssertionError("chunk without its CRLF")
            for _ in range(100):  # trailers
                if not self.line():
                    break
            res.body = b"".join(parts)
        elif res.get("Content-Length") is not None:
            res.body = self.exact(int(res.get("Content-Length")))
        else:
            res.body = self.until_eof()
        return res


def trace_sent_body(path):
    """The request body bytes curl sent, from its --trace file ("=> Send data" blocks)."""
    data, sending = bytearray(), False
    hexline = re.compile(r"^[0-9a-f]{4}: ((?:[0-9a-f]{2} ){1,16})")
    with open(path, encoding="latin-1") as f:
        for line in f:
            if line.startswith(("=>", "<=", "==")):
                sending = line.startswith("=> Send data")
                continue
            m = hexline.match(line)
            if sending and m:
                data += bytes.fromhex(m.group(1))
    return bytes(data)


def write_big_file(path, size, salt):
    """A file of `size` bytes, fast: one random MiB, each copy stamped with its index and
    the salt (so a misplaced or repeated MiB changes the checksum). Returns its sha256."""
    block = bytearray(os.urandom(MIB))
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for i in range(size // MIB):
            block[0:16] = struct.pack(">QQ", i, salt)
            f.write(block)
            h.update(block)
        tail = os.urandom(size % MIB)
        f.write(tail)
        h.update(tail)
    return h.hexdigest()


def make_png(width, height, rgb):
    """A width x height PNG of one colour (8-bit RGB), made with zlib and struct."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def read_png(data):
    """Checks a PNG whole (signature, every chunk's CRC, IHDR first, IEND last, the image
    data's size) and decodes it (8-bit RGB or RGBA, not interlaced): (width, height, rows),
    rows[y][x] an (r, g, b) tuple."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"not a PNG: {data[:16]!r}")
    chunks, pos = [], 8
    for _ in range(100000):
        if pos >= len(data):
            break
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if len(body) != length or zlib.crc32(kind + body) != crc:
            raise AssertionError(f"PNG chunk {kind!r} at {pos}: bad length or CRC")
        chunks.append((kind, body))
        pos += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise AssertionError(f"PNG chunks {[k for k, _ in chunks]}")
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if depth != 8 or color not in (2, 6) or interlace != 0:
        raise AssertionError(f"PNG depth {depth} colour type {color} interlace {interlace}: not decoded here")
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise AssertionError(f"PNG image data of {len(raw)} bytes for {width}x{height}")
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # RFC 2083 §6: filters
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            elif kind != 0:
                raise AssertionError(f"PNG filter {kind}")
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


class Links(html.parser.HTMLParser):
    """The (href, text) of every <a> in a page, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def links_of(page):
    parser = Links()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser.links


class ServerCase(WireCase):
    """Helpers for tests of the server: curl, a temporary directory."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wire-http-server-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    @classmethod
    def class_temp_dir(cls, prefix):
        """A temporary directory for the whole class, removed after its last test."""
        d = tempfile.TemporaryDirectory(prefix=prefix)
        cls.addClassCleanup(d.cleanup)
        return d.name

    def curl(self, *args, timeout=STEP, ok=True):
        """Runs curl (no config file, no proxy, bounded by --max-time)."""
        try:
            r = run([CURL, "-q", "--noproxy", "*", "--silent", "--show-error",
                     "--max-time", str(int(timeout)), *args],
                    capture_output=True, timeout=timeout + 10)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"curl {' '.join(args)} still running after {timeout}s; stderr: {e.stderr!r}")
        if ok:
            self.assertEqual(r.returncode, 0, f"curl {' '.join(args)}: {r.stderr!r}")
        return r

    def fetch(self, url, *args, timeout=STEP):
        """curl URL ARGS: a Fetched (status, head, body, verbose output)."""
        head = os.path.join(self.tmp, "head")
        body = os.path.join(self.tmp, "body")
        for p in (head, body):
            if os.path.exists(p):
                os.remove(p)
        r = self.curl("-D", head, "-o", body, "-w", "%{http_code}", *args, url, timeout=timeout)
        with open(head, "rb") as f:
            status_line, fields = head_fields(f.read())
        data = b""
        if os.path.exists(body):
            with open(body, "rb") as f:
                data = f.read()
        return Fetched(int(r.stdout), status_line, fields, data, r.stderr)

    def curl_sha(self, url, *args, timeout=300):
        """curl URL, its output hashed as it arrives (no copy on disk): (sha256, size)."""
        proc = popen([CURL, "-q", "--noproxy", "*", "--silent", "--show-error", "--fail",
                      "--max-time", str(timeout), *args, url],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        h, size = hashlib.sha256(), 0
        try:
            for _ in range(1 << 22):  # bounded: 1 MiB reads; curl's --max-time bounds the time
                chunk = proc.stdout.read(MIB)
                if not chunk:
                    break
                h.update(chunk)
                size += len(chunk)
            err = proc.stderr.read()
            rc = proc.wait(STEP)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(STEP)
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual(rc, 0, err)
        return h.hexdigest(), size

    def connect(self, port):
        s = socket.create_connection(("127.0.0.1", port), timeout=STEP)
        self.addCleanup(s.close)
        return s


# --- 1. http_test_server: routes on wire::http::Server ----------------------------------------

class RoutesTest(ServerCase):
    """curl, http.client, urllib and raw pipelining against http_test_server."""

    @classmethod
    def setUpClass(cls):
        d = cls.class_temp_dir("wire-http-server-files-")
        cls.files = os.path.join(d, "files")
        os.mkdir(cls.files)
        cls.ranged = binary_payload(100_000, salt=11)
        with open(os.path.join(cls.files, "ranged.bin"), "wb") as f:
            f.write(cls.ranged)
        with open(os.path.join(cls.files, "empty.bin"), "wb"):
            pass
        cls.small = b"a small file\n"
        with open(os.path.join(cls.files, "small.txt"), "wb") as f:
            f.write(cls.small)
        cls.big = os.path.join(d, "big.bin")  # uploaded, not served
        cls.big_sha = write_big_file(cls.big, BIG, salt=12)
        cls.server, cls.port = start_test_server(cls, "--files", cls.files)
        cls.tls_server, cls.tls_port = start_test_server(cls, "--files", cls.files, "--tls-cert", PKI["leaf.pem"],
                                                         "--tls-key", PKI["leaf.key"])

    def url(self, path, tls=False, host="127.0.0.1"):
        return f"https://{host}:{self.tls_port}{path}" if tls else f"http://{host}:{self.port}{path}"

    def tls_args(self):
        return ("--cacert", PKI["ca.pem"])

    def expected_answer(self, data):
        return f"{sha(data)} {len(data)}".encode()

    # --- curl

    def test_curl_get(self):
        r = self.fetch(self.url("/hello"))
        self.assertEqual((r.status, r.body), (200, b"Hello, World!"))
        self.assertEqual(r.status_line, "HTTP/1.1 200 OK")
        self.assertEqual(r.get("Content-Type"), "text/plain; charset=utf-8")
        self.assertEqual(r.get("Content-Length"), "13")
        self.assertEqual(r.get("Server"), "wire")
        date = time.strptime(r.get("Date"), "%a, %d %b %Y %H:%M:%S GMT")
        self.assertLess(abs(calendar.timegm(date) - time.time()), 60)
        r = self.fetch(self.url("/nowhere"))
        self.assertEqual((r.status, r.body), (404, b"404 Not Found\n"))
        r = self.fetch(self.url("/hello"), "-X", "DELETE")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.get("Allow"), "GET, HEAD, OPTIONS")

    def test_curl_https_verifies_the_certificate_and_negotiates_http11(self):
        for host in ("localhost", "127.0.0.1"):  # the leaf's DNS and IP names
            r = self.fetch(self.url("/hello", tls=True, host=host), "-v", "--http1.1", *self.tls_args())
            self.assertEqual((r.status, r.body), (200, b"Hello, World!"))
            self.assertIn(b"* ALPN: server accepted http/1.1\n", r.stderr)
            self.assertIn(b"*  SSL certificate verify ok.\n", r.stderr)
            self.assertIn(b"*  issuer: CN=wire interop CA\n", r.stderr)
        # Without the test CA, curl refuses the server: verification really took place.
        r = self.curl(self.url("/hello", tls=True), ok=False)
        self.assertEqual(r.returncode, 60, r.stderr)  # CURLE_PEER_FAILED_VERIFICATION
        self.assertEqual(r.stdout, b"")
        # Plain HTTP to the TLS port is told so in plain HTTP, as nginx does.
        r = self.fetch(self.url("/hello").replace(str(self.port), str(self.tls_port)))
        self.assertEqual((r.status, r.body), (400, b"400 a plain HTTP request came to an HTTPS port\n"))
        self.assertEqual(r.get("Connection"), "close")

    def test_curl_ranges(self):
        data = self.ranged
        for tls in (False, True):  # sendfile(2) over plain HTTP; pread + TLS records over HTTPS
            url = self.url("/files/ranged.bin", tls=tls)
            extra = self.tls_args() if tls else ()
            for rng, first, last in (("0-99", 0, 99), ("-100", 99_900, 99_999), ("99990-", 99_990, 99_999),
                                     ("1000-1999", 1000, 1999), ("99999-200000", 99_999, 99_999)):
                with self.subTest(tls=tls, range=rng):
                    r = self.fetch(url, "-r", rng, *extra)
                    self.assertEqual(r.status, 206)
                    self.assertEqual(r.body, data[first:last + 1])
                    self.assertEqual(r.get("Content-Range"), f"bytes {first}-{last}/100000")
                    self.assertEqual(r.get("Content-Length"), str(last - first + 1))
            # Several ranges, or a malformed one: ignored, the whole file (RFC 9110 §14.2 allows it).
            for rng in ("0-1,5-6", "abc", "5-1"):
                r = self.fetch(url, "-r", rng, *extra)
                self.assertEqual((rng, r.status, r.body), (rng, 200, data))
            r = self.fetch(url, "-r", "100000-100100", *extra)
            self.assertEqual(r.status, 416)
            self.assertEqual(r.get("Content-Range"), "bytes */100000")
            self.assertEqual(r.body, b"416 Range Not Satisfiable\n")
            r = self.fetch(url, *extra)
            self.assertEqual((r.status, r.body), (200, data))
            self.assertEqual(r.get("Accept-Ranges"), "bytes")
            self.assertEqual(r.get("Content-Type"), "application/octet-stream")

    def test_range_of_an_empty_file(self):
        """RFC 9110 §14.1.1: "When a selected representation has zero length, the only
        satisfiable form of range-spec is a suffix-range with a non-zero suffix-length." So
        `Range: bytes=-100` on an empty file must not be 416 (the server may ignore the range
        and answer 200 with the empty body); `bytes=0-99` is unsatisfiable: 416."""
        r = self.fetch(self.url("/files/empty.bin"), "-r", "0-99")
        self.assertEqual((r.status, r.get("Content-Range")), (416, "bytes */0"))
        r = self.fetch(self.url("/files/empty.bin"), "-r", "-100")
        self.assertIn(r.status, (200, 206), r.body)  # today: 416
        self.assertEqual(r.body, b"")

    def test_curl_conditional_requests(self):
        url = self.url("/files/ranged.bin")
        # A large file's ETag and Last-Modified are sent once it has been unchanged for 2 s (a
        # rewrite within the same clock tick could keep its size and times): the file was
        # written when the class began, so wait for them (a condition, bounded).
        deadline = time.monotonic() + 10
        first = self.fetch(url)
        while not (first.get("ETag") and first.get("Last-Modified")) and time.monotonic() < deadline:
            time.sleep(0.05)
            first = self.fetch(url)
        self.assertEqual(first.status, 200)
        etag, modified = first.get("ETag"), first.get("Last-Modified")
        self.assertRegex(etag, r'^"[^"]+"$')
        # -z DATE: If-Modified-Since.
        r = self.fetch(url, "-v", "-z", modified)
        self.assertIn(f"> If-Modified-Since: {modified}\r\n".encode(), r.stderr)
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(r.get("ETag"), etag)
        r = self.fetch(url, "-z", "Thu, 01 Jan 2015 00:00:00 GMT")
        self.assertEqual((r.status, r.body), (200, self.ranged))
        # If-None-Match with the ETag of the first response.
        for value in (etag, f'"nope", {etag}', f"W/{etag}", "*"):
            with self.subTest(if_none_match=value):
                r = self.fetch(url, "-H", f"If-None-Match: {value}")
                self.assertEqual((r.status, r.body), (304, b""))
                self.assertIsNone(r.get("Content-Length"))
        r = self.fetch(url, "-H", 'If-None-Match: "something-else"')
        self.assertEqual((r.status, r.body), (200, self.ranged))
        # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). (Not with -z: curl
        # itself reports 304 for a 200 whose Last-Modified is not newer than -z's date.)
        r = self.fetch(url, "-H", 'If-None-Match: "something-else"', "-H", f"If-Modified-Since: {modified}")
        self.assertEqual((r.status_line, r.body), ("HTTP/1.1 200 OK", self.ranged))
        # If-Range with the current ETag: the range; with another: the whole file.
        r = self.fetch(url, "-r", "0-9", "-H", f"If-Range: {etag}")
        self.assertEqual((r.status, r.body), (206, self.ranged[:10]))
        r = self.fetch(url, "-r", "0-9", "-H", 'If-Range: "stale"')
        self.assertEqual((r.status, r.body), (200, self.ranged))

    def test_curl_uploads_64_mib(self):
        with open(self.big, "rb") as f:
            self.assertEqual(sha(f.read()), self.big_sha)
        answer = f"{self.big_sha} {BIG}".encode()
        for tls in (False, True):
            extra = self.tls_args() if tls else ()
            with self.subTest(tls=tls, how="-T (PUT)"):
                r = self.fetch(self.url("/upload/big.bin", tls=tls), "-T", self.big, *extra, timeout=120)
                self.assertEqual((r.status, r.body), (200, answer))
            with self.subTest(tls=tls, how="--data-binary (POST)"):
                r = self.fetch(self.url("/sha256", tls=tls), "--data-binary", "@" + self.big, *extra, timeout=120)
                self.assertEqual((r.status, r.body), (200, answer))

    def test_curl_expect_100_continue(self):
        answer = f"{self.big_sha} {BIG}".encode()
        r = self.fetch(self.url("/sha256"), "-v", "-H", "Expect: 100-continue", "--data-binary", "@" + self.big,
                       timeout=120)
        self.assertEqual((r.status, r.body), (200, answer))
        self.assertIn(b"> Expect: 100-continue\r\n", r.stderr)
        self.assertIn(b"< HTTP/1.1 100 Continue\r\n", r.stderr)
        # 100 Continue is sent when the handler reads, which it does at once: curl never had
        # to give up waiting for it (it would print "Done waiting for 100-continue").
        self.assertNotIn(b"Done waiting for 100-continue", r.stderr)
        # A body the server refuses (413 past the limit, said up front) is never sent.
        small = os.path.join(self.tmp, "small.bin")
        with open(small, "wb") as f:
            f.write(b"x" * 1000)
        r = self.fetch(self.url("/hello"), "-v", "-X", "POST", "-H", "Expect: 100-continue",
                       "--data-binary", "@" + small)
        self.assertEqual(r.status, 405)
        self.assertNotIn(b"< HTTP/1.1 100 Continue", r.stderr)

    def test_curl_chunked_upload(self):
        answer = f"{self.big_sha} {BIG}".encode()
        for tls in (False, True):
            with self.subTest(tls=tls):
                r = self.fetch(self.url("/sha256", tls=tls), "-v", "-H", "Transfer-Encoding: chunked",
                               "--data-binary", "@" + self.big, *(self.tls_args() if tls else ()), timeout=120)
                self.assertEqual((r.status, r.body), (200, answer))
                self.assertIn(b"> Transfer-Encoding: chunked\r\n", r.stderr)
                self.assertNotIn(b"> Content-Length", r.stderr)

    def test_curl_multipart_form(self):
        data = binary_payload(100_000, salt=13)
        path = os.path.join(self.tmp, "form.bin")
        with open(path, "wb") as f:
            f.write(data)
        trace = os.path.join(self.tmp, "trace")
        r = self.fetch(self.url("/sha256"), "--trace", trace, "-F", f"file=@{path}", "-F", "name=value")
        self.assertEqual(r.status, 200)
        sent = trace_sent_body(trace)
        digest, length = r.body.decode().split(" ")
        # The server hashed exactly the bytes curl sent: the multipart body, file inside.
        self.assertEqual((digest, int(length)), (sha(sent), len(sent)))
        self.assertGreater(len(sent), len(data))
        self.assertIn(b'Content-Disposition: form-data; name="file"; filename="form.bin"\r\n'
                      b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n", sent)
        self.assertIn(b'Content-Disposition: form-data; name="name"\r\n\r\nvalue\r\n', sent)

    def test_curl_reuses_the_connection(self):
        paths = ["/hello", "/stream/3", "/echo-headers", "/files/small.txt", "/hello", "/nowhere", "/hello"]
        for tls in (False, True):
            with self.subTest(tls=tls):
                r = self.curl("-v", *(self.tls_args() if tls else ()), *[self.url(p, tls=tls) for p in paths])
                self.assertEqual(r.stderr.count(b"* Connected to "), 1, r.stderr)
                self.assertEqual(r.stderr.count(b"* Re-using existing connection"), len(paths) - 1, r.stderr)
                self.assertEqual(r.stderr.count(b"Closing connection"), 0, r.stderr)
                headers = (f"Host: 127.0.0.1:{self.tls_port if tls else self.port}\n"
                           "User-Agent: curl/" + self.curl_version() + "\nAccept: */*\n").encode()
                self.assertEqual(r.stdout, b"Hello, World!" + b"chunk 0\nchunk 1\nchunk 2\n" + headers +
                                 self.small + b"Hello, World!" + b"404 Not Found\n" + b"Hello, World!")

    def curl_version(self):
        r = self.curl("--version")
        return r.stdout.split(b" ")[1].decode()

    def test_curl_streamed_response(self):
        expected = "".join(f"chunk {i}\n" for i in range(1000)).encode()
        r = self.fetch(self.url("/stream/1000"))
        self.assertEqual((r.status, r.body), (200, expected))
        self.assertEqual(r.get("Transfer-Encoding"), "chunked")
        self.assertIsNone(r.get("Content-Length"))
        r = self.fetch(self.url("/stream/1000", tls=True), *self.tls_args())
        self.assertEqual((r.status, r.body), (200, expected))
        # HTTP/1.0 has no chunked coding: the body ends with the connection.
        r = self.fetch(self.url("/stream/1000"), "--http1.0")
        self.assertEqual((r.status, r.body), (200, expected))
        self.assertIsNone(r.get("Transfer-Encoding"))
        self.assertEqual(r.get("Connection"), "close")
        r = self.fetch(self.url("/stream/0"))
        self.assertEqual((r.status, r.body), (200, b""))
        # HEAD: the head only (curl -I writes the head where the body would go, so the
        # absence of a body is checked by the next request on the same connection).
        r = self.curl("-v", "-I", self.url("/stream/5"), self.url("/hello"))
        self.assertEqual(r.stderr.count(b"* Re-using existing connection"), 1, r.stderr)
        self.assertEqual(r.stderr.count(b"< Transfer-Encoding: chunked\r\n"), 1, r.stderr)
        self.assertEqual(r.stderr.count(b"< HTTP/1.1 200 OK\r\n"), 2, r.stderr)
        self.assertNotIn(b"chunk 0", r.stdout)

    def test_https_http10_client(self):
        """curl --http1.0 over HTTPS offers ALPN "http/1.0" only. The server answers HTTP/1.0
        requests (as over plain HTTP), so it must accept that protocol too, as nginx does,
        rather than end the handshake with a no_application_protocol alert (RFC 7301 §3.2
        says to when nothing in common is supported: here HTTP/1.0 is)."""
        expected = "".join(f"chunk {i}\n" for i in range(10)).encode()
        for path, body in (("/hello", b"Hello, World!"), ("/stream/10", expected)):
            with self.subTest(path=path):
                r = self.fetch(self.url(path, tls=True), "-v", "--http1.0", *self.tls_args())
                self.assertEqual((r.status_line, r.body), ("HTTP/1.1 200 OK", body))
                self.assertIn(b"> GET " + path.encode() + b" HTTP/1.0\r\n", r.stderr)
        # Python's ssl with ALPN http/1.0 offered alone, the same. (Without ALPN, HTTP/1.0
        # over TLS works: test_https_http10_without_alpn.)
        ctx = ssl.create_default_context(cafile=PKI["ca.pem"])
        ctx.set_alpn_protocols(["http/1.0"])
        with ctx.wrap_socket(self.connect(self.tls_port), server_hostname="localhost") as s:
            self.assertEqual(s.selected_alpn_protocol(), "http/1.0")
            s.sendall(b"GET /hello HTTP/1.0\r\n\r\n")
            res = Reader(s, time.monotonic() + STEP).response()
            self.assertEqual((res.status, res.body), (200, b"Hello, World!"))

    def test_curl_through_it_as_a_proxy(self):
        """curl -x sends the absolute-form request-target (RFC 9112 §3.2.2: servers accept it);
        the host in it names nothing reachable, and only the path counts."""
        proxy = ("--noproxy", "", "-x", self.url(""))  # (the later --noproxy wins over ours)
        r = self.fetch("http://wire.invalid/files/small.txt", "-v", *proxy)
        self.assertIn(b"> GET http://wire.invalid/files/small.txt HTTP/1.1\r\n", r.stderr)
        self.assertEqual((r.status, r.body), (200, self.small))
        r = self.fetch("http://wire.invalid/hello?x=1", *proxy)
        self.assertEqual((r.status, r.body), (200, b"Hello, World!"))

    def test_curl_options(self):
        r = self.fetch(self.url("/files/small.txt"), "-X", "OPTIONS")
        self.assertEqual((r.status, r.body, r.get("Allow")), (204, b"", "GET, HEAD, OPTIONS"))
        r = self.fetch(self.url("/sha256"), "-X", "OPTIONS")
        self.assertEqual((r.status, r.get("Allow")), (204, "POST, OPTIONS"))
        r = self.fetch(self.url("/"), "-v", "-X", "OPTIONS", "--request-target", "*")
        self.assertIn(b"> OPTIONS * HTTP/1.1\r\n", r.stderr)
        self.assertEqual((r.status, r.body, r.get("Allow")), (204, b"", "GET, HEAD, POST, PUT, OPTIONS"))

    def test_https_http10_without_alpn(self):
        """HTTP/1.0 over TLS (no ALPN offered): a streamed body is delimited by the close, and
        that close must be a TLS close_notify, or the client could not tell the end of the
        body from a truncation (Python's ssl with suppress_ragged_eofs=False says which)."""
        expected = "".join(f"chunk {i}\n" for i in range(100)).encode()
        r = self.fetch(self.url("/stream/100", tls=True), "--http1.0", "--no-alpn", *self.tls_args())
        self.assertEqual((r.status, r.body, r.get("Connection")), (200, expected, "close"))
        ctx = ssl.create_default_context(cafile=PKI["ca.pem"])
        for target, body in (("/stream/100", expected), ("/hello", b"Hello, World!"),
                             ("/files/ranged.bin", self.ranged)):
            with self.subTest(target=target):
                s = ctx.wrap_socket(self.connect(self.tls_port), server_hostname="localhost",
                                    suppress_ragged_eofs=False)
                self.addCleanup(s.close)
                s.sendall(f"GET {target} HTTP/1.0\r\n\r\n".encode())
                reader = Reader(s, time.monotonic() + STEP)
                res = reader.response()
                self.assertEqual((res.status, res.body), (200, body))
                self.assertEqual(reader.until_eof(), b"")  # SSLEOFError without close_notify

    def test_refused_client_still_sending_is_not_reset(self):
        """A request refused before its handler (431 here: a head over 16 KB) is answered, then
        the connection closed. Over plain HTTP the server lingers (it shuts down its side and
        reads what the client still sends) so that the close is not a reset; over TLS it must
        too. Without it, a client still writing its request when the server closes gets a
        reset, and with it EPIPE on its writes: curl with a 60 KB header over HTTPS fails with
        "Send failure: Broken pipe" instead of showing the 431, most of the time."""
        for tls in (False, True):
            with self.subTest(tls=tls):
                s = self.connect(self.tls_port if tls else self.port)
                if tls:
                    s = ssl.create_default_context(cafile=PKI["ca.pem"]).wrap_socket(s, server_hostname="localhost")
                    self.addCleanup(s.close)
                s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000)  # the head goes on
                res = Reader(s, time.monotonic() + STEP).response()
                self.assertEqual((res.status, res.get("Connection")), (431, "close"))
                if tls:
                    s = s.unwrap()  # both close_notify sent: what follows is the socket beneath
                # The rest of the request, as a client that writes all of it before reading.
                s.sendall(b"a" * 65536 + b"\r\n\r\n")
                self.assertEqual(s.recv(100), b"")  # a clean end (FIN); today over TLS: a reset

    def test_curl_echo_headers(self):
        r = self.fetch(self.url("/echo-headers"), "-H", "X-Test:   spaced  value  ", "-H", "X-Empty;",
                       "-H", "User-Agent: tester/1", "-H", "X-Dup: 1", "-H", "X-Dup: 2")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body.decode().split("\n"),
                         [f"Host: 127.0.0.1:{self.port}", "Accept: */*", "X-Test: spaced  value", "X-Empty: ",
                          "User-Agent: tester/1", "X-Dup: 1", "X-Dup: 2", ""])

    def test_curl_parallel_transfers(self):
        """curl -Z: 64 transfers over up to 16 connections at once, every body exact."""
        out = os.path.join(self.tmp, "parallel")
        r = self.curl("-Z", "--parallel-max", "16", "--no-progress-meter", "--create-dirs", "--output-dir", out,
                      "-o", "s#1", self.url("/stream/[1-64]"), "-o", "f#1", self.url("/files/{small.txt,ranged.bin}"),
                      timeout=120)
        self.assertNotIn(b"curl:", r.stderr)
        for n in range(1, 65):
            with open(os.path.join(out, f"s{n}"), "rb") as f:
                self.assertEqual(f.read(), "".join(f"chunk {k}\n" for k in range(n)).encode(), n)
        for name, data in (("small.txt", self.small), ("ranged.bin", self.ranged)):
            with open(os.path.join(out, "f" + name), "rb") as f:
                self.assertEqual(f.read(), data)

    def test_limits_as_clients_see_them(self):
        r = self.fetch(self.url("/hello"), "-H", "X-Big: " + "a" * 20_000)
        self.assertEqual((r.status, r.body), (431, b"431 Request Header Fields Too Large\n"))
        self.assertEqual(r.get("Connection"), "close")
        r = self.fetch(self.url("/hello"), *[a for i in range(101) for a in ("-H", f"X-H{i}: {i}")])
        self.assertEqual(r.status, 431)
        r = self.fetch(self.url("/hello?" + "q" * 9000))
        self.assertEqual((r.status, r.body), (414, b"414 URI Too Long\n"))
        # A body said to be too large up front is refused unread: no 100 Continue.
        s = self.connect(self.port)
        s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000000\r\n"
                  b"Expect: 100-continue\r\n\r\n")
        reader = Reader(s, time.monotonic() + STEP)
        res = reader.response("POST")
        self.assertEqual((res.status, res.body, res.get("Connection")), (413, b"413 Content Too Large\n", "close"))
        self.assertEqual(reader.until_eof(), b"")
        # An unknown expectation: 417.
        r = self.fetch(self.url("/sha256"), "-H", "Expect: something", "--data-binary", "x")
        self.assertEqual(r.status, 417)
        # Content-Length and Transfer-Encoding both (a request smuggling attempt): 400, closed.
        s = self.connect(self.port)
        s.sendall(b"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        reader = Reader(s, time.monotonic() + STEP)
        res = reader.response("POST")
        self.assertEqual((res.status, res.get("Connection")), (400, "close"))
        self.assertEqual(reader.until_eof(), b"")
        # A body the handler does not read: a small one is skipped and the connection goes
        # on; a large one closes it after the answer.
        s = self.connect(self.port)
        s.sendall(b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"G" * 1000 +
                  b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        reader = Reader(s, time.monotonic() + STEP)
        self.assertEqual(reader.response("POST").status, 405)
        self.assertEqual(reader.response().body, b"Hello, World!")
        s = self.connect(self.port)
        s.sendall(b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + b"G" * 1000)
        reader = Reader(s, time.monotonic() + STEP)
        res = reader.response("POST")
        self.assertEqual((res.status, res.get("Connection")), (405, "close"))
        self.assertEqual(reader.until_eof(), b"")
        # HTTP/1.0 with keep-alive asked for: kept, and said so; without it: closed.
        s = self.connect(self.port)
        s.sendall(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello HTTP/1.0\r\n\r\n")
        reader = Reader(s, time.monotonic() + STEP)
        first, second = reader.response(), reader.response()
        self.assertEqual((first.body, first.get("Connection")), (b"Hello, World!", "keep-alive"))
        self.assertEqual((second.body, second.get("Connection")), (b"Hello, World!", "close"))
        self.assertEqual(reader.until_eof(), b"")

    # --- Python's http.client and urllib.request

    def test_http_client_get_head_post(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STEP)
        self.addCleanup(conn.close)
        conn.request("GET", "/hello")
        res = conn.getresponse()
        self.assertEqual((res.status, res.reason, res.read()), (200, "OK", b"Hello, World!"))
        conn.request("HEAD", "/files/ranged.bin")
        res = conn.getresponse()
        self.assertEqual((res.status, res.read()), (200, b""))
        self.assertEqual(res.getheader("Content-Length"), "100000")
        conn.request("HEAD", "/hello")
        res = conn.getresponse()
        self.assertEqual((res.status, res.read(), res.getheader("Content-Length")), (200, b"", "13"))
        body = binary_payload(3 * MIB, salt=14)
        conn.request("POST", "/sha256", body=body, headers={"Content-Type": "application/octet-stream"})
        res = conn.getresponse()
        self.assertEqual((res.status, res.read()), (200, self.expected_answer(body)))
        conn.request("POST", "/sha256", body=b"")
        res = conn.getresponse()
        self.assertEqual((res.status, res.read()), (200, self.expected_answer(b"")))

    def test_http_client_chunked_post(self):
        parts = [b"first,", b"", b"x" * 70_000, binary_payload(300_000, salt=15), b"last"]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STEP)
        self.addCleanup(conn.close)
        conn.request("POST", "/sha256", body=iter(parts), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        res = conn.getresponse()
        self.assertEqual((res.status, res.read()), (200, self.expected_answer(b"".join(parts))))
        conn.request("PUT", "/upload/parts", body=iter(parts[:1]), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        res = conn.getresponse()
        self.assertEqual((res.status, res.read()), (200, self.expected_answer(parts[0])))

    def test_http_client_keep_alive_100_requests(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STEP)
        self.addCleanup(conn.close)
        sock, local = None, None
        for i in range(100):
            if i % 3 == 2:
                body = f"request {i}".encode() * i
                conn.request("POST", "/sha256", body=body)
                expected = self.expected_answer(body)
            elif i % 3 == 1:
                conn.request("GET", "/echo-headers", headers={"X-Seq": str(i)})
                expected = (f"Host: 127.0.0.1:{self.port}\nAccept-Encoding: identity\nX-Seq: {i}\n").encode()
            else:
                conn.request("GET", f"/stream/{i % 7}")
                expected = "".join(f"chunk {k}\n" for k in range(i % 7)).encode()
            res = conn.getresponse()
            self.assertEqual((i, res.status, res.read()), (i, 200, expected))
            self.assertFalse(res.will_close, i)
            if sock is None:
                sock, local = conn.sock, conn.sock.getsockname()
            # http.client reconnects silently when a connection closes: the same socket,
            # on the same local port, is the proof of keep-alive.
            self.assertIs(conn.sock, sock, i)
            self.assertEqual(conn.sock.getsockname(), local, i)

    def test_http_client_https_with_alpn(self):
        ctx = ssl.create_default_context(cafile=PKI["ca.pem"])
        ctx.set_alpn_protocols(["http/1.1"])
        conn = http.client.HTTPSConnection("localhost", self.tls_port, context=ctx, timeout=STEP)
        self.addCleanup(conn.close)
        for _ in range(3):
            conn.request("GET", "/hello")
            res = conn.getresponse()
            self.assertEqual((res.status, res.read()), (200, b"Hello, World!"))
        self.assertEqual(conn.sock.selected_alpn_protocol(), "http/1.1")
        self.assertEqual(conn.sock.getpeercert()["subject"], ((("commonName", "localhost"),),))
        body = binary_payload(2 * MIB, salt=16)
        conn.request("POST", "/sha256", body=body)
        res = conn.getresponse()
        self.assertEqual((res.status, res.read()), (200, self.expected_answer(body)))

    def test_urllib(self):
        ctx = ssl.create_default_context(cafile=PKI["ca.pem"])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=ctx))
        with opener.open(self.url("/hello"), timeout=STEP) as res:
            self.assertEqual((res.status, res.read()), (200, b"Hello, World!"))
            self.assertEqual(res.headers["Content-Type"], "text/plain; charset=utf-8")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            opener.open(self.url("/no/such/thing"), timeout=STEP)
        self.assertEqual(caught.exception.code, 404)
        self.assertEqual(caught.exception.read(), b"404 Not Found\n")
        caught.exception.close()
        with opener.open(self.url("/files/small.txt", tls=True, host="localhost"), timeout=STEP) as res:
            self.assertEqual((res.status, res.read()), (200, self.small))
        req = urllib.request.Request(self.url("/upload/u", tls=True), data=b"put by urllib", method="PUT")
        with opener.open(req, timeout=STEP) as res:
            self.assertEqual(res.read(), self.expected_answer(b"put by urllib"))
        # The default context trusts the system's CAs only: the test CA's leaf is refused.
        plain = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                            urllib.request.HTTPSHandler(context=ssl.create_default_context()))
        with self.assertRaises(urllib.error.URLError) as caught:
            plain.open(self.url("/hello", tls=True), timeout=STEP)
        self.assertIsInstance(caught.exception.reason, ssl.SSLCertVerificationError)

    # --- raw pipelining

    def test_pipelining_50_requests_in_one_write(self):
        requests, expected = [], []
        for i in range(50):
            if i == 25:
                requests.append(b"HEAD /files/ranged.bin HTTP/1.1\r\nHost: p\r\n\r\n")
                expected.append(("HEAD", 200, b"", {"Content-Length": "100000"}))
            elif i == 49:
                requests.append(b"GET /hello HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n")
                expected.append(("GET", 200, b"Hello, World!", {"Connection": "close"}))
            elif i % 6 == 0:
                requests.append(b"GET /hello HTTP/1.1\r\nHost: p\r\n\r\n")
                expected.append(("GET", 200, b"Hello, World!", {"Content-Length": "13"}))
            elif i % 6 == 1:
                requests.append(f"GET /echo-headers HTTP/1.1\r\nHost: p\r\nX-Seq: {i}\r\n\r\n".encode())
                expected.append(("GET", 200, f"Host: p\nX-Seq: {i}\n".encode(), {}))
            elif i % 6 == 2:
                requests.append(f"GET /stream/{i} HTTP/1.1\r\nHost: p\r\n\r\n".encode())
                expected.append(("GET", 200, "".join(f"chunk {k}\n" for k in range(i)).encode(),
                                 {"Transfer-Encoding": "chunked"}))
            elif i % 6 == 3:
                requests.append(b"GET /files/small.txt HTTP/1.1\r\nHost: p\r\n\r\n")
                expected.append(("GET", 200, self.small, {"Content-Type": "text/plain; charset=utf-8"}))
            elif i % 6 == 4:
                body = bytes([i]) * (i * 1000)
                requests.append(f"POST /sha256 HTTP/1.1\r\nHost: p\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                                + body)
                expected.append(("POST", 200, self.expected_answer(body), {}))
            else:
                body = f"chunked {i}".encode()
                requests.append(f"PUT /upload/{i} HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n"
                                f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
                expected.append(("PUT", 200, self.expected_answer(body), {}))
        for tls in (False, True):
            with self.subTest(tls=tls):
                raw = self.connect(self.tls_port if tls else self.port)
                sock = raw
                if tls:
                    ctx = ssl.create_default_context(cafile=PKI["ca.pem"])
                    sock = ctx.wrap_socket(raw, server_hostname="localhost")
                sock.sendall(b"".join(requests))
                reader = Reader(sock, time.monotonic() + STEP)
                for i, (method, status, body, fields) in enumerate(expected):
                    res = reader.response(method)
                    self.assertEqual((i, res.status, res.body), (i, status, body))
                    for name, value in fields.items():
                        self.assertEqual((i, name, res.get(name)), (i, name, value))
                # Connection: close on the last one: the server closes after it, nothing more.
                self.assertEqual(reader.until_eof(), b"")
                if tls:
                    sock.close()


# --- 2. `wire http serve DIR`: static files, listings, the access log, traversal --------------

class ServeTest(ServerCase):
    SIZES = {"empty.bin": 0, "one.bin": 1, "64k-1.bin": 65535, "64k.bin": 65536, "64k+1.bin": 65537,
             "1m.bin": MIB}
    # Names the listing must escape, in HTML and in its links.
    ODD_NAMES = ["a b.txt", "<b>&amp;'\"x.txt", "100%.txt", "ünï cødé.txt", "semi;colon#hash?.txt"]

    @classmethod
    def setUpClass(cls):
        top = cls.class_temp_dir("wire-http-serve-")
        cls.root = os.path.join(top, "root")
        os.mkdir(cls.root)
        cls.content = {}
        for salt, (name, size) in enumerate(cls.SIZES.items()):
            data = binary_payload(size, salt=100 + salt) if size > 1000 else bytes([0x5a]) * size
            cls.content[name] = data
            with open(os.path.join(cls.root, name), "wb") as f:
                f.write(data)
        for name in cls.ODD_NAMES:
            with open(os.path.join(cls.root, name), "wb") as f:
                f.write(name.encode())
        os.mkdir(os.path.join(cls.root, "sub dir"))
        with open(os.path.join(cls.root, "sub dir", "inner.txt"), "wb") as f:
            f.write(b"inner\n")
        os.mkdir(os.path.join(cls.root, "with-index"))
        with open(os.path.join(cls.root, "with-index", "index.html"), "wb") as f:
            f.write(b"<p>the index</p>\n")
        # The secret lives next to the served directory; links inside point at it.
        cls.secret = b"TOP-SECRET-" + os.urandom(8).hex().encode()
        cls.secret_path = os.path.join(top, "secret.txt")
        with open(cls.secret_path, "wb") as f:
            f.write(cls.secret)
        os.symlink("../secret.txt", os.path.join(cls.root, "link-out"))
        os.symlink(cls.secret_path, os.path.join(cls.root, "abs-link"))
        os.symlink("..", os.path.join(cls.root, "parent-link"))
        cls.server, cls.port = start_wire_serve(cls, cls.root, "--access-log", "--threads", "2")
        cls.tls_server, cls.tls_port = start_wire_serve(cls, cls.root, "--access-log", "--threads", "2",
                                                        "--tls-cert", PKI["leaf.pem"], "--tls-key", PKI["leaf.key"])

    def url(self, path, tls=False, host="127.0.0.1"):
        return f"https://{host}:{self.tls_port}{path}" if tls else f"http://{host}:{self.port}{path}"

    def test_prints_its_url(self):
        self.assertRegex(self.server.out, rb"\AServing " + re.escape(self.root.encode()) +
                         rb" on http://localhost:\d+/ \(Ctrl-C to stop\)\n")
        self.assertRegex(self.tls_server.out, rb"\AServing " + re.escape(self.root.encode()) +
                         rb" on https://localhost:\d+/ \(Ctrl-C to stop\)\n")

    def test_static_files_of_every_size(self):
        for tls in (False, True):
            extra = ("--cacert", PKI["ca.pem"]) if tls else ()
            for name, data in self.content.items():
                with self.subTest(tls=tls, file=name):
                    r = self.fetch(self.url("/" + name, tls=tls), *extra)
                    self.assertEqual(r.status, 200)
                    self.assertEqual((len(r.body), sha(r.body)), (len(data), sha(data)))
                    self.assertEqual(r.get("Content-Length"), str(len(data)))
                    self.assertEqual(r.get("Content-Type"), "application/octet-stream")
                    r = self.fetch(self.url("/" + name, tls=tls), "-I", *extra)  # HEAD
                    self.assertEqual(r.status, 200)
                    self.assertEqual(r.get("Content-Length"), str(len(data)))

    def test_one_gib_file(self):
        path = os.path.join(self.root, "1g.bin")
        self.addCleanup(os.remove, path)
        started = time.monotonic()
        digest = write_big_file(path, GIB, salt=17)
        print(f"\n  1 GiB written in {time.monotonic() - started:.1f}s", file=sys.stderr)
        for tls in (False, True):
            with self.subTest(tls=tls):
                started = time.monotonic()
                got = self.curl_sha(self.url("/1g.bin", tls=tls), *(("--cacert", PKI["ca.pem"]) if tls else ()))
                took = time.monotonic() - started
                print(f"  1 GiB over {'HTTPS' if tls else 'HTTP'}: {took:.1f}s ({GIB / MIB / took:.0f} MiB/s)",
                      file=sys.stderr)
                self.assertEqual(got, (digest, GIB))

    def test_directory_listing_escapes_names(self):
        for tls in (False, True):
            with self.subTest(tls=tls):
                r = self.fetch(self.url("/", tls=tls), *(("--cacert", PKI["ca.pem"]) if tls else ()))
                self.assertEqual(r.status, 200)
                self.assertEqual(r.get("Content-Type"), "text/html; charset=utf-8")
                links = links_of(r.body)
                for name in self.ODD_NAMES + list(self.SIZES):
                    # The text is the name (entities decoded), the link its percent-encoding:
                    # followed, it leads back to the file.
                    self.assertIn((urllib.parse.quote(name, safe=""), name), links)
                self.assertIn(("sub%20dir/", "sub dir/"), links)
                self.assertNotIn(b"<b>", r.body)  # the name's markup was escaped, not parsed
                self.assertNotIn(b"../", r.body)  # no parent link at the root
                for href, text in links:
                    if text in self.ODD_NAMES:
                        got = self.fetch(self.url("/" + href, tls=tls), *(("--cacert", PKI["ca.pem"]) if tls else ()))
                        self.assertEqual((got.status, got.body), (200, text.encode()))
        r = self.fetch(self.url("/sub%20dir/"))
        self.assertEqual(r.status, 200)
        self.assertEqual(links_of(r.body), [("../", "../"), ("inner.txt", "inner.txt")])
        self.assertIn(b"<title>Index of /sub dir/</title>", r.body)
        r = self.fetch(self.url("/sub%20dir"))
        self.assertEqual((r.status, r.get("Location")), (301, "/sub%20dir/"))
        r = self.fetch(self.url("/with-index/"))
        self.assertEqual((r.status, r.body), (200, b"<p>the index</p>\n"))
        self.assertEqual(r.get("Content-Type"), "text/html; charset=utf-8")

    def test_directory_redirect_stays_on_this_server(self):
        """A directory's URL without its slash is redirected to the same path with it. The
        Location must be a path on this server: "//sub%20dir/" would be a protocol-relative
        URL to the host "sub%20dir" (an open redirect, CVE-2021-28861 in Python's http.server),
        and browsers read "/\\" as "//" too."""
        for target in ("/sub%20dir", "//sub%20dir", "///sub%20dir", "//sub%20dir?q=1", "/.//sub%20dir"):
            with self.subTest(target=target):
                r = self.fetch(self.url(target), "--path-as-is")
                self.assertEqual(r.status, 301)
                location = r.get("Location")
                self.assertTrue(location.startswith("/"), location)
                self.assertFalse(location.startswith(("//", "/\\")), location)
                # Followed, it leads to the listing of that directory on this server.
                followed = self.fetch(urllib.parse.urljoin(self.url(target), location), "--path-as-is")
                self.assertEqual(followed.status, 200)
                self.assertIn(b"inner.txt", followed.body)

    def test_no_listing_option(self):
        server, port = start_wire_serve(self, self.root, "--no-listing", "--threads", "1")
        r = self.fetch(f"http://127.0.0.1:{port}/sub%20dir/")
        self.assertEqual((r.status, r.body), (404, b"404 Not Found\n"))
        r = self.fetch(f"http://127.0.0.1:{port}/with-index/")
        self.assertEqual((r.status, r.body), (200, b"<p>the index</p>\n"))
        r = self.fetch(f"http://127.0.0.1:{port}/one.bin")
        self.assertEqual((r.status, r.body), (200, b"\x5a"))

    def test_access_log_lines(self):
        marker = os.urandom(4).hex()
        for tls in (False, True):
            server = self.tls_server if tls else self.server
            extra = ("--cacert", PKI["ca.pem"]) if tls else ()
            start = len(server.out)
            done = [
                (self.fetch(self.url(f"/1m.bin?{marker}", tls=tls), *extra), f"GET /1m.bin?{marker} HTTP/1.1", 200,
                 str(MIB)),
                (self.fetch(self.url(f"/one.bin?{marker}", tls=tls), "-I", *extra), f"HEAD /one.bin?{marker} HTTP/1.1",
                 200, "-"),
                (self.fetch(self.url(f"/missing-{marker}", tls=tls), *extra), f"GET /missing-{marker} HTTP/1.1", 404,
                 "14"),
                (self.fetch(self.url(f"/64k.bin?{marker}", tls=tls), "-r", "0-99", *extra),
                 f"GET /64k.bin?{marker} HTTP/1.1", 206, "100"),
                # (HTTP/1.0 over TLS: test_https_http10_client, in RoutesTest)
                (self.fetch(self.url(f"/empty.bin?{marker}", tls=tls), *(() if tls else ("--http1.0",)), *extra),
                 f"GET /empty.bin?{marker} HTTP/1.{1 if tls else 0}", 200, "-"),
                (self.fetch(self.url(f"/a%20b.txt?{marker}", tls=tls), *extra),
                 f"GET /a%20b.txt?{marker} HTTP/1.1", 200, "7"),
            ]
            for r, request, status, size in done:
                self.assertEqual(r.status, status, request)
                with self.subTest(tls=tls, request=request):
                    line = server.wait_stdout(rb"^.*" + re.escape(f'"{request}"'.encode()) + rb".*$", start=start)
                    m = CLF.match(line.group(0).decode())
                    self.assertIsNotNone(m, line.group(0))
                    self.assertEqual(m.group(7, 8, 9), (request, str(status), size))
                    day, month, year, hh, mm, ss = m.group(1, 2, 3, 4, 5, 6)
                    when = calendar.timegm((int(year), MONTHS.index(month) + 1, int(day), int(hh), int(mm), int(ss)))
                    self.assertLess(abs(when - time.time()), 120)
            # Every line this test caused is an access log line.
            lines = server.out[start:].decode().split("\n")
            self.assertEqual(lines[-1], "")
            self.assertEqual(len(lines) - 1, len(done), lines)
            for line in lines[:-1]:
                self.assertRegex(line, CLF)
        self.assertTrue(self.server.out.startswith(b"Serving "))

    def test_access_log_names_the_peer_of_a_refused_request(self):
        """A request refused before it was parsed whole (a malformed one, here) is logged with
        the client's address like any other: that is the request one wants to trace."""
        start = len(self.server.out)
        s = self.connect(self.port)
        s.sendall(b"GET ../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        res = Reader(s, time.monotonic() + STEP).response()
        self.assertEqual((res.status, res.body), (400, b"400 Bad Request\n"))
        line = self.server.wait_stdout(rb"^.* 400 16$", start=start).group(0).decode()
        self.assertRegex(line, CLF)

    # (target, status) for requests that try to leave the served directory. None of them
    # may ever show the secret file that sits next to it.
    TRAVERSALS = [
        ("/../secret.txt", 400), ("/..%2fsecret.txt", 400), ("/..%2Fsecret.txt", 400),
        ("/%2e%2e/secret.txt", 400), ("/%2E%2E/secret.txt", 400), ("/%2e%2e%2fsecret.txt", 400),
        ("/.%2e/secret.txt", 400), ("/%2e./secret.txt", 400), ("/sub%20dir/../../secret.txt", 400),
        ("/sub%20dir/%2e%2e/%2e%2e/secret.txt", 400), ("//../secret.txt", 400), ("/./../secret.txt", 400),
        ("/..", 400), ("/%2e%2e", 400), ("/..%2f..%2f..%2f..%2fetc%2fpasswd", 400),
        ("/secret.txt%00", 400), ("/one.bin%00.txt", 400), ("/%00", 400), ("/%00/../secret.txt", 400),
        ("/%", 400), ("/%zz/secret.txt", 400),
        ("/%252e%252e/secret.txt", 404), ("/..%5csecret.txt", 404), ("/..\\secret.txt", 404),
        ("/%c0%ae%c0%ae/secret.txt", 404), ("/secret.txt", 404), ("//etc/passwd", 404),
        ("/link-out", 403), ("/abs-link", 403), ("/parent-link/secret.txt", 403), ("/parent-link/", 403),
    ]
    # What curl cannot send: targets that are not origin-form paths.
    RAW_TRAVERSALS = [
        (b"../secret.txt", 400), (b"secret.txt", 400), (b"http://127.0.0.1/../secret.txt", 400),
        (b"http://127.0.0.1/%2e%2e/secret.txt", 400), (b"/\x00", 400),
    ]

    def test_traversal_never_leaves_the_directory(self):
        for tls in (False, True):
            extra = ("--cacert", PKI["ca.pem"]) if tls else ()
            for target, status in self.TRAVERSALS:
                with self.subTest(tls=tls, target=target):
                    r = self.fetch(self.url(target, tls=tls), "--path-as-is", *extra)
                    self.assertNotIn(self.secret, r.body)
                    self.assertNotIn(b"root:", r.body)
                    self.assertEqual(r.status, status)
                    self.assertIn(f"{status} ".encode(), r.body)
        for target, status in self.RAW_TRAVERSALS:
            with self.subTest(raw=target):
                s = self.connect(self.port)
                s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                reader = Reader(s, time.monotonic() + STEP)
                res = reader.response()
                self.assertNotIn(self.secret, res.body)
                self.assertEqual(res.status, status)
        # The secret is there, and the same server serves what is beneath its root.
        with open(self.secret_path, "rb") as f:
            self.assertEqual(f.read(), self.secret)
        self.assertEqual(self.fetch(self.url("/sub%20dir/inner.txt")).body, b"inner\n")


class ServeOptionsTest(ServerCase):
    """The limits of `wire http serve` as clients meet them."""

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, "root")
        os.mkdir(self.root)
        with open(os.path.join(self.root, "small.txt"), "wb") as f:
            f.write(b"small\n")

    def get_small(self, s):
        s.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        res = Reader(s, time.monotonic() + STEP).response()
        self.assertEqual((res.status, res.body), (200, b"small\n"))

    def test_header_timeout(self):
        server, port = start_wire_serve(self, self.root, "--header-timeout", "1", "--threads", "1")
        s = self.connect(port)
        started = time.monotonic()
        s.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n")  # and never the end of the head
        reader = Reader(s, started + STEP)
        res = reader.response()
        took = time.monotonic() - started
        self.assertEqual((res.status, res.body, res.get("Connection")), (408, b"408 Request Timeout\n", "close"))
        self.assertEqual(reader.until_eof(), b"")
        self.assertGreaterEqual(took, 0.9)
        self.assertLess(took, 5)

    def test_keep_alive_timeout(self):
        server, port = start_wire_serve(self, self.root, "--keep-alive-timeout", "1", "--threads", "1")
        s = self.connect(port)
        self.get_small(s)
        started = time.monotonic()
        self.assertEqual(s.recv(100), b"")  # closed, idle, without a word
        took = time.monotonic() - started
        self.assertGreaterEqual(took, 0.9)
        self.assertLess(took, 5)

    def test_max_per_client(self):
        server, port = start_wire_serve(self, self.root, "--max-per-client", "2", "--threads", "2")
        first, second = self.connect(port), self.connect(port)
        self.get_small(first)
        self.get_small(second)
        third = self.connect(port)
        third.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reader = Reader(third, time.monotonic() + STEP)
        res = reader.response()
        self.assertEqual((res.status, res.body, res.get("Retry-After"), res.get("Connection")),
                         (503, b"503 too many connections from you\n", "1", "close"))
        try:  # (test_max_per_client_refusal_closes_cleanly wants EOF only)
            self.assertEqual(reader.until_eof(), b"")
        except ConnectionResetError:
            pass
        first.close()  # a place frees up
        for _ in range(100):
            fourth = self.connect(port)
            fourth.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
            res = Reader(fourth, time.monotonic() + STEP).response()
            if res.status == 200:
                break
            self.assertEqual(res.status, 503)  # the close is not seen by the server yet
            time.sleep(0.02)  # between the attempts of a bounded poll
        self.assertEqual((res.status, res.body), (200, b"small\n"))

    def test_max_per_client_refusal_closes_cleanly(self):
        """The 503 for a client over --max-per-client must be followed by a clean close (FIN),
        as wire's other refusals are (they linger, reading what the client still sends), not
        by a reset: the client sent its request before it could see the 503, and closing a
        socket with unread data sends RST, which may erase the 503 before the client reads
        it (RFC 9112 §9.6, "the TCP reset problem")."""
        server, port = start_wire_serve(self, self.root, "--max-per-client", "1", "--threads", "1")
        first = self.connect(port)
        self.get_small(first)
        second = self.connect(port)
        second.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reader = Reader(second, time.monotonic() + STEP)
        res = reader.response()
        self.assertEqual(res.status, 503)
        # Whatever the client still sends (the rest of an upload, say) is read and dropped:
        # the end is a FIN. Today: the server has closed already, and this gets a reset.
        second.sendall(b"x" * 65536)
        self.assertEqual(reader.until_eof(), b"")

    def test_max_connections(self):
        server, port = start_wire_serve(self, self.root, "--max-connections", "1", "--threads", "1")
        first = self.connect(port)
        self.get_small(first)
        second = self.connect(port)  # the kernel accepts it; the server does not, yet
        second.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        second.settimeout(0.5)
        with self.assertRaises(socket.timeout):  # nothing while the first one is open
            second.recv(100)
        first.close()
        second.settimeout(STEP)
        res = Reader(second, time.monotonic() + STEP).response()
        self.assertEqual((res.status, res.body), (200, b"small\n"))

    def test_ipv6_loopback(self):
        server, port = self.serve_on("::1")
        r = self.fetch(f"http://[::1]:{port}/small.txt", "-g")
        self.assertEqual((r.status, r.body), (200, b"small\n"))
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=STEP).close()

    def serve_on(self, host):
        server = WireProcess(["http", "serve", self.root, "--port", "0", "--host", host, "--threads", "1"])
        self.addCleanup(server.stop)
        m = server.wait_stdout(rb"^Serving .+ on http://\[::1\]:(\d+)/ \(Ctrl-C to stop\)\n")
        return server, int(m.group(1))


# --- 3. graceful shutdown of `wire http serve` with a download in flight ----------------------

class ShutdownTest(ServerCase):
    SIZE = 32 * MIB

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, "root")
        os.mkdir(self.root)
        self.digest = write_big_file(os.path.join(self.root, "big.bin"), self.SIZE, salt=18)
        with open(os.path.join(self.root, "small.txt"), "wb") as f:
            f.write(b"small\n")

    def slow_client(self, port, tls=False):
        """A connection with a small receive buffer, the GET for big.bin sent and the
        response head read: (socket, Reader)."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.settimeout(STEP)
        s.connect(("127.0.0.1", port))
        if tls:
            s = ssl.create_default_context(cafile=PKI["ca.pem"]).wrap_socket(s, server_hostname="localhost")
            self.addCleanup(s.close)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reader = Reader(s, time.monotonic() + STEP)
        status = reader.line()
        self.assertEqual(status, b"HTTP/1.1 200 OK")
        length = None
        for _ in range(100):
            line = reader.line()
            if not line:
                break
            name, value = line.split(b":", 1)
            if name.lower() == b"content-length":
                length = int(value)
            self.assertNotEqual(name.lower(), b"connection", line)  # sent before the signal: keep-alive
        self.assertEqual(length, self.SIZE)
        return s, reader

    def read_body(self, s, reader, body, limit, pace):
        """Appends to `body` until it holds `limit` bytes or the server closes, 64 KiB at a
        time, waiting `pace` seconds between reads (a slow client). True at EOF."""
        take = reader.buf[:limit - len(body)]
        reader.buf = reader.buf[len(take):]
        body += take
        deadline = time.monotonic() + 120
        for _ in range(1 << 20):
            if len(body) >= limit:
                return False
            self.assertLess(time.monotonic(), deadline, "the download took too long")
            chunk = s.recv(min(64 * 1024, limit - len(body)))
            if not chunk:
                return True
            body += chunk
            if pace:
                time.sleep(pace)  # pacing a slow reader, not waiting for a condition
        raise AssertionError("unbounded")

    def refused(self, port, deadline):
        """Waits until a new connection to `port` is refused; False if it never is."""
        for _ in range(1000):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass
            except ConnectionRefusedError:
                return True
            except ConnectionResetError:
                pass  # in the backlog of a listener closing just now: reset, try again
            except TimeoutError:
                pass  # a SYN unanswered for 1 s while the listeners close (a loaded machine): again
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)  # between the attempts of a bounded poll
        return False

    def test_sigterm_lets_a_download_in_flight_finish(self):
        self.download_in_flight(tls=False)

    def test_sigterm_lets_a_download_in_flight_finish_over_https(self):
        self.download_in_flight(tls=True)

    def download_in_flight(self, tls):
        server, port = start_wire_serve(self, self.root, "--grace", "20", "--threads", "2",
                                        *(("--tls-cert", PKI["leaf.pem"], "--tls-key", PKI["leaf.key"]) if tls else ()))
        s, reader = self.slow_client(port, tls)
        body = bytearray()
        self.assertFalse(self.read_body(s, reader, body, MIB, 0))
        # An idle keep-alive connection, its request answered.
        idle = self.connect(port)
        if tls:
            idle = ssl.create_default_context(cafile=PKI["ca.pem"]).wrap_socket(idle, server_hostname="localhost")
            self.addCleanup(idle.close)
        idle.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        res = Reader(idle, time.monotonic() + STEP).response()
        self.assertEqual((res.status, res.body), (200, b"small\n"))

        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        # New connections are refused once it stopped listening, while the download goes on.
        self.assertTrue(self.refused(port, signalled + 10), "still accepting 10 s after SIGTERM")
        self.assertIsNone(server.proc.poll(), "exited with a download in flight")
        self.assertLess(len(body) + len(reader.buf), self.SIZE)
        # The idle connection is closed at once (over TLS without close_notify: Python's ssl
        # reports that as an EOF that violates the protocol).
        idle.settimeout(10)
        try:
            self.assertEqual(idle.recv(100), b"")
        except ssl.SSLEOFError:
            self.assertTrue(tls)
        # The download completes, read slowly (64 KiB every 2 ms), with the right bytes.
        self.assertFalse(self.read_body(s, reader, body, self.SIZE, 0.002))
        self.assertEqual((len(body), sha(bytes(body))), (self.SIZE, self.digest))
        # Then the server closes the connection: it is draining.
        self.assertEqual(s.recv(100), b"")
        rc = server.wait(STEP)
        took = time.monotonic() - signalled
        self.assertEqual(rc, 0, server.err)
        self.assertLess(took, 20, "not within the grace period")
        print(f"\n  download finished and server exited {took:.1f}s after SIGTERM", file=sys.stderr)
        # The count is taken when the listeners close: the download, and maybe the idle
        # connection and a probe of refused() that got in just before.
        m = re.fullmatch(rb"wire: stopped; (\d+) connection\(s\) finished, 0 cut at the end of the grace period\n",
                         server.err)
        self.assertIsNotNone(m, server.err)
        self.assertGreaterEqual(int(m.group(1)), 1)

    def test_sigterm_lets_an_upload_in_flight_finish(self):
        """http_test_server: a streamed upload under way when SIGTERM comes is read to its end
        and answered, with Connection: close."""
        server = WireProcess(["--port", "0", "--threads", "2", "--grace", "20"], program=TEST_SERVER)
        self.addCleanup(server.stop)
        port = int(server.wait_stdout(LISTENING).group(1))
        body = binary_payload(8 * MIB, salt=19)
        s = self.connect(port)
        # 100 Continue comes when the handler starts reading: from then on the upload is in
        # flight. (A request that merely arrived at a connection the server still holds as
        # idle may be closed unread by the drain: the keep-alive race of RFC 9112 §9.3.1.)
        s.sendall(f"POST /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                  "Expect: 100-continue\r\n\r\n".encode())
        reader = Reader(s, time.monotonic() + STEP)
        self.assertEqual(reader.line(), b"HTTP/1.1 100 Continue")
        self.assertEqual(reader.line(), b"")
        s.sendall(body[:MIB])
        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        self.assertTrue(self.refused(port, signalled + 10), "still accepting 10 s after SIGTERM")
        self.assertIsNone(server.proc.poll(), "exited with an upload in flight")
        s.sendall(body[MIB:])
        res = reader.response("POST")
        self.assertEqual((res.status, res.body), (200, f"{sha(body)} {len(body)}".encode()))
        self.assertEqual(res.get("Connection"), "close")
        self.assertEqual(reader.until_eof(), b"")
        self.assertEqual(server.wait(STEP), 0, server.err)
        self.assertLess(time.monotonic() - signalled, 20)
        # (a probe of refused() that got in just before the listeners closed counts too)
        self.assertRegex(server.err, rb"\Ahttp_test_server: signal 15; stopped; [1-9]\d* connection\(s\) finished, "
                                     rb"0 cut\n\Z")

    def test_grace_period_cuts_a_stalled_download(self):
        server, port = start_wire_serve(self, self.root, "--grace", "1", "--threads", "1")
        s, reader = self.slow_client(port)
        body = bytearray()
        self.assertFalse(self.read_body(s, reader, body, MIB, 0))  # then it stops reading
        signalled = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        rc = server.wait(STEP)
        took = time.monotonic() - signalled
        self.assertEqual(rc, 0, server.err)
        self.assertGreaterEqual(took, 0.9)  # it waited for the download...
        self.assertLess(took, 6)            # ...for the grace period, not more
        self.assertRegex(server.err, rb"\Awire: stopped; 0 connection\(s\) finished, 1 cut at the end of the "
                                     rb"grace period\n\Z")
        # The client gets what was in the buffers, then the end: never the whole file.
        self.assertTrue(self.read_body(s, reader, body, self.SIZE, 0))
        self.assertLess(len(body), self.SIZE)

    def test_sigint_stops_an_idle_server(self):
        server, port = start_wire_serve(self, self.root, "--threads", "1")
        r = self.fetch(f"http://127.0.0.1:{port}/small.txt")
        self.assertEqual((r.status, r.body), (200, b"small\n"))
        server.proc.send_signal(signal.SIGINT)
        self.assertEqual(server.wait(10), 0, server.err)
        # (curl's connection counts if the server has not seen it close yet)
        self.assertRegex(server.err, rb"\Awire: stopped; [01] connection\(s\) finished, 0 cut at the end of the "
                                     rb"grace period\n\Z")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=STEP).close()


# --- 4. a real browser: headless chromium --------------------------------------------------

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>wire in a browser</title>
<link rel="stylesheet" href="css/style.css">
</head>
<body>
<p id="styled">coloured by the stylesheet only</p>
<img id="picture" src="img/picture.png" alt="picture">
<pre id="result">the script did not run</pre>
<script src="js/app.js"></script>
</body>
</html>
"""
# The background and the paragraph's colour come from here only; the picture is drawn
# scaled up at a known place, so a screenshot shows whether it was decoded.
STYLE = """body { background: rgb(12, 34, 56); margin: 0; }
#styled { color: rgb(201, 102, 3); }
#picture { position: absolute; left: 100px; top: 100px; width: 70px; height: 50px; image-rendering: pixelated; }
#result { position: absolute; left: 0; top: 200px; color: rgb(12, 34, 56); }
"""
SCRIPT = """window.addEventListener('load', function () {
  var picture = document.getElementById('picture');
  var resources = performance.getEntriesByType('resource').map(function (e) {
    return [new URL(e.name).pathname, e.nextHopProtocol];
  });
  var result = {
    script: 'ran',
    color: getComputedStyle(document.getElementById('styled')).color,
    width: picture.naturalWidth,
    height: picture.naturalHeight,
    complete: picture.complete,
    protocol: location.protocol,
    secure: window.isSecureContext,
    resources: resources.sort()
  };
  document.getElementById('result').textContent = 'RESULT ' + JSON.stringify(result) + ' END';
});
"""
PICTURE = (7, 5, (255, 0, 0))  # width, height, colour


class ChromiumTest(ServerCase):
    WINDOW = (320, 240)
    RUN_TIME = 60  # seconds for one chromium run

    @classmethod
    def setUpClass(cls):
        if not os.access(CHROMIUM, os.X_OK):
            raise AssertionError(f"{CHROMIUM} is missing: the browser test needs Debian's chromium "
                                 "(sudo scripts/install-deps.sh installs it)")
        if not os.access(CERTUTIL, os.X_OK):
            raise AssertionError(f"{CERTUTIL} is missing (Debian's libnss3-tools): sudo scripts/install-deps.sh")
        top = cls.class_temp_dir("wire-http-browser-")
        cls.site = os.path.join(top, "site")
        for sub in ("css", "js", "img", "listed"):
            os.makedirs(os.path.join(cls.site, sub))
        files = {"index.html": PAGE.encode(), "css/style.css": STYLE.encode(), "js/app.js": SCRIPT.encode(),
                 "img/picture.png": make_png(*PICTURE)}
        cls.listed = ["plain.txt", "with space.txt", "<tag>&amp.txt", "é.txt"]
        for name in cls.listed:
            files["listed/" + name] = name.encode()
        for name, data in files.items():
            with open(os.path.join(cls.site, name), "wb") as f:
                f.write(data)
        os.makedirs(os.path.join(cls.site, "listed", "subdir"))
        # HOME for chromium runs that trust the test CA: its NSS database
        # ($HOME/.pki/nssdb), where Chromium on Linux looks for locally trusted CAs. Headless
        # chromium honours it (checked with Debian's chromium 156), so the certificate is
        # verified as for any site: no --ignore-certificate-errors-spki-list pin is needed,
        # and test_https_is_refused_without_the_test_ca shows the trust is what makes it work.
        cls.home = os.path.join(top, "home")
        nssdb = os.path.join(cls.home, ".pki", "nssdb")
        os.makedirs(nssdb)
        for args in (["-N", "-d", "sql:" + nssdb, "--empty-password"],
                     ["-A", "-d", "sql:" + nssdb, "-t", "C,,", "-n", "wire-test-ca", "-i", PKI["ca.pem"]]):
            run([CERTUTIL, *args], check=True, capture_output=True, timeout=STEP)
        # HOME without it, for the control run.
        cls.untrusting_home = os.path.join(top, "home-untrusting")
        os.makedirs(cls.untrusting_home)
        cls.server, cls.port = start_wire_serve(cls, cls.site, "--access-log", "--threads", "2")
        cls.tls_server, cls.tls_port = start_wire_serve(cls, cls.site, "--access-log", "--threads", "2",
                                                        "--tls-cert", PKI["leaf.pem"], "--tls-key", PKI["leaf.key"])
        cls.version = run([CHROMIUM, "--version"], capture_output=True, timeout=STEP,
                          env=dict(os.environ, HOME=cls.untrusting_home)).stdout.decode().strip()
        os.makedirs(ARTIFACTS, exist_ok=True)
        print(f"\n  {cls.version}; screenshots in {ARTIFACTS}", file=sys.stderr)

    def url(self, path, tls):
        return f"https://localhost:{self.tls_port}{path}" if tls else f"http://localhost:{self.port}{path}"

    def chromium(self, *args, home=None):
        """Runs headless chromium with a fresh profile: (stdout, stderr). It runs in a
        session (process group) of its own under `timeout`, and only that group is killed."""
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.tmp)
        env = dict(os.environ, HOME=home or self.home)
        cmd = [TIMEOUT, "-k", "5", str(self.RUN_TIME), CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--no-first-run",
               "--no-default-browser-check", "--disable-sync", "--no-proxy-server", "--disable-extensions",
               "--force-color-profile=srgb", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
        # `timeout` gets SIGTERM when the test dies, and passes it on to chromium's group.
        proc = popen(cmd, death_signal=signal.SIGTERM, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=self.RUN_TIME + 15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group is ours: the leader is not reaped yet
            out, err = proc.communicate(timeout=STEP)
            raise AssertionError(f"chromium still running after {self.RUN_TIME + 15}s; stderr: {err[-3000:]!r}")
        finally:
            self.kill_leftovers(proc.pid)
        return out, err, proc.returncode

    @staticmethod
    def kill_leftovers(pgid):
        """Kills what is left of chromium's process group (helpers outliving the browser):
        a group id is never reused while a process is in it, so those are ours."""
        left = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            if int(fields[2]) == pgid:
                left.append(int(pid))
        if left:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def dump_dom(self, url, home=None):
        out, err, rc = self.chromium("--virtual-time-budget=5000", "--dump-dom", url, home=home)
        return out, err, rc

    def result_of(self, dom, err):
        m = re.search(rb'<pre id="result">RESULT (.*) END</pre>', dom)
        self.assertIsNotNone(m, f"no result in the DOM: {dom[:2000]!r}; stderr: {err[-3000:]!r}")
        return json.loads(m.group(1).decode())

    def check_page(self, tls):
        server = self.tls_server if tls else self.server
        start = len(server.out)
        dom, err, rc = self.dump_dom(self.url("/", tls))
        self.assertEqual(rc, 0, err[-3000:])
        result = self.result_of(dom, err)
        self.assertEqual(result["script"], "ran")
        self.assertEqual(result["color"], "rgb(201, 102, 3)")     # from the stylesheet alone
        self.assertEqual((result["width"], result["height"], result["complete"]), (7, 5, True))
        self.assertEqual(result["protocol"], "https:" if tls else "http:")
        self.assertTrue(result["secure"])
        self.assertEqual(result["resources"], [["/css/style.css", "http/1.1"], ["/img/picture.png", "http/1.1"],
                                               ["/js/app.js", "http/1.1"]])
        # The server saw the browser fetch each of them.
        for path in ("/", "/css/style.css", "/js/app.js", "/img/picture.png"):
            server.wait_stdout(rb'"GET ' + re.escape(path.encode()) + rb' HTTP/1\.1" 200 \d+$', start=start)

    def check_listing(self, tls):
        dom, err, rc = self.dump_dom(self.url("/listed/", tls))
        self.assertEqual(rc, 0, err[-3000:])
        links = links_of(dom)
        expected = [("../", "../")] + sorted([(urllib.parse.quote(n, safe=""), n) for n in self.listed] +
                                             [("subdir/", "subdir/")], key=lambda link: link[1].encode())
        self.assertEqual(links, expected, dom)
        self.assertIn(b"<title>Index of /listed/</title>", dom)

    def check_screenshot(self, tls):
        path = os.path.join(ARTIFACTS, f"chromium-{'https' if tls else 'http'}.png")
        if os.path.exists(path):
            os.remove(path)
        out, err, rc = self.chromium(f"--screenshot={path}", "--window-size={},{}".format(*self.WINDOW),
                                     "--virtual-time-budget=5000", self.url("/", tls))
        self.assertEqual(rc, 0, err[-3000:])
        print(f"  screenshot: {path}", file=sys.stderr)
        with open(path, "rb") as f:
            data = f.read()
        self.assertGreater(len(data), 100)
        width, height, rows = read_png(data)
        self.assertEqual((width, height), self.WINDOW)
        self.assertEqual(rows[height - 5][width - 5], (12, 34, 56))  # the stylesheet's background
        self.assertEqual(rows[5][width - 5], (12, 34, 56))
        self.assertEqual(rows[125][135], PICTURE[2])                 # inside the scaled picture
        self.assertEqual(rows[99][99], (12, 34, 56))                 # just outside it

    def test_page_over_http(self):
        self.check_page(tls=False)

    def test_page_over_https_trusting_the_test_ca(self):
        self.check_page(tls=True)

    def test_https_is_refused_without_the_test_ca(self):
        """The control: the same page with a HOME whose NSS database lacks the test CA."""
        dom, err, _ = self.dump_dom(self.url("/", True), home=self.untrusting_home)
        self.assertNotIn(b"RESULT", dom)
        self.assertIn(b"ERR_CERT_AUTHORITY_INVALID", err)

    def test_listing_over_http(self):
        self.check_listing(tls=False)

    def test_listing_over_https(self):
        self.check_listing(tls=True)

    def test_screenshot_over_http(self):
        self.check_screenshot(tls=False)

    def test_screenshot_over_https(self):
        self.check_screenshot(tls=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
