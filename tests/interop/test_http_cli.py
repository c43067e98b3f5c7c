# SPDX-License-Identifier: MIT
"""Interop: `wire http get` and `wire http request` against HTTP servers written
here with Python's socket module: exit codes, -o, -i, -H, request bodies from
-d, a file and stdin, redirects that keep or drop the body, credentials kept
from other origins, refused header injection, and timeouts. (nginx and Python's
http.server are in tests/http/nginx_test.cpp and python_server_test.cpp.)

Run with Debian's /usr/bin/python3; the tool under test is named by $WIRE:
    WIRE=build/tools/wire/wire /usr/bin/python3 tests/interop/test_http_cli.py

Every server runs on 127.0.0.1 on a free port, in a thread of this process,
and every wait has a deadline.
"""

import os
import socket
import struct
import subprocess
import tempfile
import time
import unittest
import zlib

from http_peers import HttpServer, response
from wire_interop import MIB, STEP, WIRE, WireCase, binary_payload, popen, sha
from wire_interop import setUpModule  # noqa: F401 (unittest runs it: checks $WIRE)


class HttpCliTest(WireCase):
    def http(self, *args, input=b"", timeout=STEP):
        return self.run_wire("http", *args, input=input, timeout=timeout)

    def assertSuccess(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")  # no progress bar: stderr is not a terminal

    # --- exit codes and output

    def test_get_prints_the_body(self):
        server = HttpServer(self, lambda req: response(200, b"hello\n"))
        r = self.http("get", server.url("/greeting?x=1"))
        self.assertSuccess(r)
        self.assertEqual(r.stdout, b"hello\n")
        (req,) = server.finish()
        self.assertEqual((req.method, req.target, req.version), ("GET", "/greeting?x=1", "HTTP/1.1"))
        self.assertEqual(req.get("Host"), f"127.0.0.1:{server.port}")

    def test_transport_errors_exit_non_zero(self):
        reserved = socket.socket()
        self.addCleanup(reserved.close)
        reserved.bind(("127.0.0.1", 0))  # bound, not listening: refused
        port = reserved.getsockname()[1]
        r = self.http("get", f"http://127.0.0.1:{port}/")
        self.assertFailure(r, b"wire: ")
        self.assertEqual(r.stderr, f"wire: connect to 127.0.0.1:{port}: Connection refused\n".encode())
        self.assertFailure(self.http("get", "ftp://127.0.0.1/"), b"wire: ", b"ftp")
        self.assertFailure(self.http("get", "http://exa mple.com/"), b"wire: ", b"invalid URL")

    def test_status_400_and_up_fail_only_with_fail(self):
        for status in (404, 500):
            server = HttpServer(self, lambda req, s=status: response(s, b"no luck\n"), connections=2)
            r = self.http("get", server.url("/x"))
            self.assertSuccess(r)
            self.assertEqual(r.stdout, b"no luck\n")
            r = self.http("get", "--fail", server.url("/x"))
            self.assertNotEqual(r.returncode, 0)
            self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
            self.assertTrue(r.stderr.startswith(f"wire: {server.url('/x')}: the server answered {status}".encode()),
                            r.stderr)
            server.finish()

    def test_output_file_is_exact(self):
        payload = binary_payload(3 * MIB, salt=1)
        server = HttpServer(self, lambda req: response(200, payload))
        with tempfile.TemporaryDirectory(prefix="wire-http-cli-") as d:
            path = os.path.join(d, "out.bin")
            r = self.http("get", "-o", path, server.url("/file"))
            self.assertSuccess(r)
            self.assertEqual(r.stdout, b"")
            with open(path, "rb") as f:
                self.assertEqual(sha(f.read()), sha(payload))
        server.finish()

    @unittest.skipUnless(os.environ.get("WIRE_IO_COUNT_SHIM"), "needs $WIRE_IO_COUNT_SHIM (tests/cli)")
    def test_large_download_one_write_per_read(self):
        # 64 MiB to -o FILE: the file's bytes are the body's (its checksum), and the body goes
        # out as it came in, one write(2) per socket read that returned bytes, no more: no stdio
        # buffer splitting a piece in two (issue 15, point 6). Counted in the wire process by an
        # LD_PRELOAD library (tests/cli/io_count_shim.c), not by strace.
        payload = binary_payload(64 * MIB, salt=15)
        server = HttpServer(self, lambda req: response(200, payload))
        with tempfile.TemporaryDirectory(prefix="wire-http-cli-") as d:
            path = os.path.join(d, "out.bin")
            counts = os.path.join(d, "counts")
            env = dict(os.environ, LD_PRELOAD=os.environ["WIRE_IO_COUNT_SHIM"], WIRE_IO_COUNT_FILE=counts)
            # The counter is not sanitized and comes first: an ASan build must not object to that.
            env["ASAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""),
                                                         "verify_asan_link_order=0"]))
            r = subprocess.run([WIRE, "http", "get", "-o", path, server.url("/big")], capture_output=True,
                               timeout=60, env=env)
            self.assertSuccess(r)
            with open(path, "rb") as f:
                self.assertEqual(sha(f.read()), sha(payload))
            with open(counts) as f:
                got = dict(kv.split("=") for kv in f.read().split())
            reads, writes = int(got["socket_reads"]), int(got["file_writes"])
            self.assertEqual(int(got["file_bytes"]), len(payload))
            self.assertGreater(reads, 0)
            # At most one write per read (the head's read may or may not hold body bytes).
            self.assertLessEqual(writes, reads, got)
        server.finish()

    def test_output_file_is_untouched_by_a_failure(self):
        # -o writes a temporary file beside FILE and renames it over FILE only once everything
        # arrived: a refused connection, a --fail status or a cut body leave FILE as it was,
        # and no temporary file behind.
        reserved = socket.socket()
        self.addCleanup(reserved.close)
        reserved.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{reserved.getsockname()[1]}/"

        class Truncating(HttpServer):
            def _session(self, conn, n):
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")

        cut = Truncating(self, None)
        with tempfile.TemporaryDirectory(prefix="wire-http-cli-") as d:
            path = os.path.join(d, "keep.bin")
            with open(path, "wb") as f:
                f.write(b"precious")
            os.chmod(path, 0o640)
            failing = HttpServer(self, lambda req: response(404, b"not found page\n"))
            for args in (("-o", path, refused), ("-o", path, "--fail", failing.url("/x")),
                         ("-o", path, cut.url("/cut"))):
                r = self.http("get", *args)
                self.assertNotEqual(r.returncode, 0, args)
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), b"precious", args)
                self.assertEqual(sorted(os.listdir(d)), ["keep.bin"], args)
            failing.finish()
            cut.finish()
            # Success replaces it, keeping its mode.
            ok = HttpServer(self, lambda req: response(200, b"new"))
            self.assertSuccess(self.http("get", "-o", path, ok.url("/")))
            with open(path, "rb") as f:
                self.assertEqual(f.read(), b"new")
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o640)
            self.assertEqual(sorted(os.listdir(d)), ["keep.bin"])
            ok.finish()

    def test_include_prints_the_head(self):
        server = HttpServer(self, lambda req: response(200, b"body", fields=["X-Server: test"]))
        r = self.http("get", "-i", server.url())
        self.assertSuccess(r)
        self.assertEqual(r.stdout, b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Server: test\r\n\r\nbody")

    # --- what is sent

    def test_headers_arrive(self):
        server = HttpServer(self, lambda req: response(200))
        r = self.http("get", "-H", "X-One: 1", "-H", "X-Two:   two words  ", "-H", "User-Agent: tester/1",
                      server.url())
        self.assertSuccess(r)
        (req,) = server.finish()
        self.assertEqual(req.get("X-One"), "1")
        self.assertEqual(req.get("X-Two"), "two words")
        self.assertEqual(req.get("User-Agent"), "tester/1")
        self.assertEqual(req.get("Accept"), "*/*")
        self.assertEqual([k for k, _ in req.fields].count("User-Agent"), 1)

    def test_post_data(self):
        server = HttpServer(self, lambda req: response(200, req.method.encode() + b" " + req.body))
        r = self.http("request", "POST", server.url("/form"), "-d", "a=1&b=two")
        self.assertSuccess(r)
        self.assertEqual(r.stdout, b"POST a=1&b=two")
        (req,) = server.finish()
        self.assertEqual(req.get("Content-Length"), "9")

    def test_data_file_from_stdin_and_from_a_file(self):
        payload = binary_payload(MIB, salt=2)
        server = HttpServer(self, lambda req: response(200, sha(req.body).encode()), connections=2)
        r = self.http("request", "PUT", server.url("/up"), "--data-file", "-", input=payload)
        self.assertSuccess(r)
        self.assertEqual(r.stdout, sha(payload).encode())
        with tempfile.TemporaryDirectory(prefix="wire-http-cli-") as d:
            path = os.path.join(d, "in.bin")
            with open(path, "wb") as f:
                f.write(payload[:1000])
            r = self.http("request", "POST", server.url("/up"), "--data-file", path)
            self.assertSuccess(r)
            self.assertEqual(r.stdout, sha(payload[:1000]).encode())
        requests = server.finish()
        self.assertEqual([req.get("Content-Length") for req in requests], [str(MIB), "1000"])

    def test_data_and_data_file_exclude_each_other(self):
        r = self.http("request", "POST", "http://127.0.0.1:1/", "-d", "x", "--data-file", "-")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"excludes", r.stderr)

    def test_header_injection_is_refused_before_sending(self):
        for header in ("X-A: a\r\nInjected: 1", "X-A: a\nInjected: 1", "X A: b"):
            server = HttpServer(self, lambda req: response(200))
            r = self.http("get", "-H", header, server.url())
            self.assertFailure(r, b"wire: ")
            server.finish()
            self.assertEqual(server.raw, [b""] if server.raw else [])  # connected at most, nothing sent
            self.assertEqual(server.requests, [])

    # --- redirects

    def test_307_resends_the_body_303_drops_it(self):
        def handler(req):
            if req.target == "/307":
                return response(307, fields=["Location: /echo"])
            if req.target == "/303":
                return response(303, fields=["Location: /echo"])
            return response(200, f"{req.method} {req.body.decode()}".encode())
        server = HttpServer(self, handler, connections=2)
        r = self.http("request", "POST", server.url("/307"), "-d", "payload", "-H", "Content-Type: text/plain")
        self.assertSuccess(r)
        self.assertEqual(r.stdout, b"POST payload")
        r = self.http("request", "POST", server.url("/303"), "-d", "payload", "-H", "Content-Type: text/plain")
        self.assertSuccess(r)
        self.assertEqual(r.stdout, b"GET ")
        first, resent, second, dropped = server.finish()
        self.assertEqual(resent.get("Content-Type"), "text/plain")
        self.assertEqual(dropped.get("Content-Length"), None)
        self.assertEqual(dropped.get("Content-Type"), None)
        self.assertEqual([req.connection for req in (first, resent, second, dropped)], [0, 0, 1, 1])

    def test_credentials_are_not_sent_to_another_origin(self):
        other = HttpServer(self, lambda req: response(200, b"other"))
        server = HttpServer(self, lambda req: response(302, fields=[f"Location: {other.url('/landing')}"]))
        r = self.http("get", "-H", "Authorization: Basic c2VjcmV0", "-H", "Cookie: id=1", "-H", "X-Kept: yes",
                      server.url("/start"))
        self.assertSuccess(r)
        self.assertEqual(r.stdout, b"other")
        (start,) = server.finish()
        (landing,) = other.finish()
        self.assertEqual(start.get("Authorization"), "Basic c2VjcmV0")
        self.assertIsNone(landing.get("Authorization"))
        self.assertIsNone(landing.get("Cookie"))
        self.assertEqual(landing.get("X-Kept"), "yes")

    # --- misbehaving servers

    def test_garbage_response_is_one_line(self):
        server = HttpServer(self, lambda req: b"garbage\r\n\r\n")
        r = self.http("get", server.url())
        self.assertFailure(r, f"wire: HTTP response from 127.0.0.1:{server.port}: ".encode())

    def test_timeout_ends_a_silent_server(self):
        server = HttpServer(self, lambda req: None)
        started = time.monotonic()
        r = self.http("get", "--timeout", "0.5", server.url())
        took = time.monotonic() - started
        self.assertFailure(r, b"wire: " + server.url().encode() + b": no complete response within 0.5 s: ")
        self.assertLess(took, 10)
        server.finish()

    def test_timeout_ends_a_body_that_never_ends(self):
        class Stalling(HttpServer):
            def _session(self, conn, n):
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial")
                while conn.recv(65536):  # until the client gives up
                    pass

        server = Stalling(self, None)
        started = time.monotonic()
        r = self.http("get", "--timeout", "0.5", server.url())
        took = time.monotonic() - started
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"partial")  # what came was written, as curl does
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        self.assertIn(b"no complete response within 0.5 s: ", r.stderr)
        self.assertLess(took, 10)
        server.finish()

    def test_truncated_body_is_an_error(self):
        class Truncating(HttpServer):
            def _session(self, conn, n):
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")

        server = Truncating(self, None)
        r = self.http("get", server.url())
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"only this")
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        self.assertIn(f"HTTP response from 127.0.0.1:{server.port}".encode(), r.stderr)
        server.finish()

    # --- bombs and encodings (issue 17)

    def gzip_of_zeros(self, mebibytes):
        """gzip of `mebibytes` MiB of zeros, about 1 KiB a MiB: one MiB compressed after a full
        flush (no history: the same bytes every time) repeated, in gzip's frame (RFC 1952)."""
        z = zlib.compressobj(6, zlib.DEFLATED, -15)
        zeros = bytes(MIB)
        z.compress(zeros)
        z.flush(zlib.Z_FULL_FLUSH)
        block = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
        crc = 0
        for _ in range(mebibytes):
            crc = zlib.crc32(zeros, crc)
        return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + block * mebibytes + z.flush() +
                struct.pack("<II", crc, (mebibytes * MIB) & 0xFFFFFFFF))

    def count_stdout(self, *args):
        """Runs `wire ARGS` and counts its stdout without keeping it: (exit, bytes, stderr, zeros only)."""
        proc = popen([WIRE, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                self.addCleanup(pipe.close)
        count, zeros, buf = 0, True, bytearray(MIB)
        view = memoryview(buf)
        while n := proc.stdout.readinto(buf):
            count += n
            zeros = zeros and not any(view[:n])
        err = proc.stderr.read()
        return proc.wait(STEP), count, err, zeros

    def test_a_gzip_bomb_stops_at_1_gib_whatever_the_output(self):
        """Issue 17: 1 GiB + 1 MiB of zeros, 1 MiB gzipped, used to come out whole with exit 0
        (the client's bound skipped a body going to a sink). Decoded output stops at exactly
        1 GiB without --max-filesize, at its value with it: exit 63."""
        bomb = self.gzip_of_zeros(1025)
        self.assertLess(len(bomb), 2 * MIB)
        server = HttpServer(self, lambda req: response(200, bomb, fields=("Content-Encoding: gzip",)), connections=3)
        rc, count, err, zeros = self.count_stdout("http", "get", "-s", "-S", server.url("/bomb"))
        self.assertEqual((rc, count, zeros), (63, 1024 * MIB, True), err)
        self.assertEqual(err, f"wire: response from 127.0.0.1:{server.port}: decoded body larger than "
                              f"{1024 * MIB} bytes: size limit exceeded\n".encode())
        # (The compressed body is over 1 MiB: 2M lets it through its Content-Length.)
        rc, count, err, zeros = self.count_stdout("http", "get", "-s", "-S", "--max-filesize", "2M", server.url("/bomb"))
        self.assertEqual((rc, count, zeros), (63, 2 * MIB, True), err)
        with tempfile.TemporaryDirectory(prefix="wire-http-cli-") as d:
            path = os.path.join(d, "out.bin")
            r = self.http("get", "-s", "-S", "--max-filesize", "2M", "-o", path, server.url("/bomb"))
            self.assertEqual(r.returncode, 63, r.stderr)
            self.assertEqual(os.listdir(d), [])  # nothing kept: the temporary file is gone too
        server.finish()

    def test_stacked_encodings_are_decoded_or_refused(self):
        """Issue 17: `Content-Encoding: gzip, gzip` was written still compressed, exit 0."""
        text = b"".join(b"line %d of a compressible body\n" % i for i in range(2000))
        inner = zlib.compressobj(6, zlib.DEFLATED, 31)
        outer = zlib.compressobj(6, zlib.DEFLATED, 31)
        once = inner.compress(text) + inner.flush()
        twice = outer.compress(once) + outer.flush()
        server = HttpServer(self, lambda req: response(200, twice, fields=("Content-Encoding: gzip, gzip",)))
        r = self.http("get", server.url())
        self.assertSuccess(r)
        self.assertEqual(sha(r.stdout), sha(text))
        server.finish()
        server = HttpServer(self, lambda req: response(200, once, fields=("Content-Encoding: br, gzip",)))
        r = self.http("get", server.url())
        self.assertFailure(r, f"wire: response from 127.0.0.1:{server.port}: cannot decode Content-Encoding "
                              f"'br, gzip'".encode())
        server.finish()

    def test_an_unrequested_101_is_an_error(self):
        """Issue 17: a 101 Switching Protocols to a GET was taken for a success."""
        server = HttpServer(self, lambda req: b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\n"
                                              b"Connection: Upgrade\r\n\r\nnot HTTP")
        r = self.http("get", server.url())
        self.assertFailure(r, f"wire: HTTP response from 127.0.0.1:{server.port}: 101 Switching Protocols to a "
                              f"request that asked for no upgrade\n".encode())
        self.assertEqual(r.returncode, 1)
        server.finish()


if __name__ == "__main__":
    unittest.main(verbosity=2)
