# SPDX-License-Identifier: MIT
"""Interop: Python's socket module (a peer that is not ours) against `wire tcp`.

Run with Debian's /usr/bin/python3; the tool under test is named by $WIRE:
    WIRE=build/tools/wire/wire /usr/bin/python3 tests/interop/test_tcp_python.py

Every process and socket the test uses is started and stopped by the test, on
127.0.0.1 or ::1 and free ports only. Nothing waits on bare sleeps: a server is
ready when it prints its `listening on` line, and every wait has a deadline.
"""

import os
import re
import signal
import socket
import subprocess
import tempfile
import sys
import threading
import time
import unittest

from wire_interop import (LISTENING, MIB, READY, STEP, WIRE, Peer, WireCase, binary_payload, popen,
                          recv_exact, recv_until_eof, run, sha)
from wire_interop import setUpModule  # noqa: F401 (unittest runs it: checks $WIRE)


class WireTest(WireCase):
    def test_1_tutorial_client_to_wire_serve(self):
        server, port = self.serve("--port", "0", "--once")
        # The tutorial's client, with the server's free port and a timeout added.
        client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(client_socket.close)
        client_socket.settimeout(STEP)
        client_socket.connect(("localhost", port))
        self.assertEqual(client_socket.send(b"Hello, server!"), 14)
        data = client_socket.recv(1024)
        client_socket.close()
        self.assertEqual(data, b"Hello, client!")
        self.assertEqual(server.wait(), 0, server.err)
        self.assertEqual(server.out, b"Received: Hello, server!\n")
        self.assertEqual(server.err.count(b"\n"), 1, server.err)  # nothing but `listening on`

    # --- 2. the tutorial's server against `wire tcp send` ----------------------------

    def test_2_tutorial_server_to_wire_send(self):
        # The tutorial's server, on a free port instead of 12345.
        server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(server_socket.close)
        server_socket.settimeout(STEP)
        server_socket.bind(("localhost", 0))
        server_socket.listen(1)
        port = server_socket.getsockname()[1]

        def tutorial_server():
            client_socket, address = server_socket.accept()
            with client_socket:
                client_socket.settimeout(STEP)
                data = client_socket.recv(1024)
                client_socket.send(b"Hello, client!")
            server_socket.close()
            return data

        server = self.peer(tutorial_server)
        r = self.run_wire("tcp", "send", "localhost", str(port), "Hello, server!")
        received = server.finish()
        self.assertEqual(received, b"Hello, server!")
        self.assertEqual(r.stdout, b"Response: Hello, client!\n", r.stderr)
        self.assertEqual(r.stderr, b"")
        self.assertEqual(r.returncode, 0)

    # --- 3. binary echo, one after another and 8 at once -----------------------------

    def echo_exchange(self, port, payload, barrier=None, probe=4096):
        """Sends `payload` to an echo server from one thread while this one reads the
        echo; with `barrier`, first waits until every party has had a probe echoed
        while its connection stays open (which a one-at-a-time server cannot do)."""
        deadline = time.monotonic() + STEP
        with socket.create_connection(("127.0.0.1", port), timeout=STEP) as s:
            start = 0
            if barrier is not None:
                s.sendall(payload[:probe])
                if recv_exact(s, probe, deadline) != payload[:probe]:
                    raise AssertionError("probe echoed wrongly")
                try:
                    barrier.wait(STEP)
                except threading.BrokenBarrierError:
                    raise AssertionError("the server did not echo on all connections while "
                                         "they were open at once") from None
                start = probe

            def send_rest():
                s.sendall(payload[start:])
                s.shutdown(socket.SHUT_WR)

            sender = Peer(send_rest)
            sender.start()
            try:
                echo = recv_until_eof(s, len(payload) - start, deadline)
            finally:
                sender.join(STEP)
            sender.finish(0)
            return payload[:start] + echo

    def test_3_binary_echo_sequential_and_concurrent(self):
        server, port = self.serve("--port", "0", "--echo", "--quiet")
        for i in range(3):
            payload = binary_payload(MIB, salt=300 + i)
            echo = self.echo_exchange(port, payload)
            self.assertEqual(len(echo), len(payload), f"connection {i}")
            self.assertEqual(sha(echo), sha(payload), f"connection {i}")
            self.assertTrue(echo == payload, f"connection {i}: echo differs")

        payloads = [binary_payload(MIB, salt=310 + i) for i in range(8)]
        barrier = threading.Barrier(len(payloads))
        clients = [Peer(lambda p=p: self.echo_exchange(port, p, barrier)) for p in payloads]
        for c in clients:
            c.start()
        for i, (c, payload) in enumerate(zip(clients, payloads)):
            echo = c.finish(2 * STEP)
            self.assertEqual(len(echo), len(payload), f"concurrent connection {i}")
            self.assertEqual(sha(echo), sha(payload), f"concurrent connection {i}")
            self.assertTrue(echo == payload, f"concurrent connection {i}: echo differs")

        self.assertIsNone(server.proc.poll(), "server exited; stderr: %r" % server.err)
        self.assertEqual(server.out, b"")  # --quiet
        self.assertEqual(server.err.count(b"\n"), 1, server.err)

    # --- 4. binary bytes on the server's stdout --------------------------------------

    def test_4_binary_to_server_stdout(self):
        payload = b"a\x00b\xff\x80\r\nz"
        server, port = self.serve("--port", "0", "--once")
        deadline = time.monotonic() + STEP
        with socket.create_connection(("127.0.0.1", port), timeout=STEP) as s:
            s.sendall(payload)
            reply = recv_exact(s, 14, deadline)
            s.shutdown(socket.SHUT_WR)
            rest = recv_until_eof(s, 0, deadline)
        self.assertEqual(reply, b"Hello, client!")
        self.assertEqual(rest, b"")
        self.assertEqual(server.wait(), 0, server.err)
        self.assertEqual(server.out, b"Received: " + payload + b"\n")

    # --- 5. 1 MiB each way with `wire tcp send` --------------------------------------

    def binary_send(self, family, host, how, salt):
        """A Python server on `host` reads 1 MiB until wire half-closes, then answers
        another 1 MiB and closes; how(request) gives wire's arguments and stdin."""
        request = binary_payload(MIB, salt=500 + salt)
        reply = binary_payload(MIB, salt=550 + salt)
        self.assertNotEqual(request, reply)
        lsock, port = self.listener(family, host)
        send_args, stdin = how(request)

        def server():
            deadline = time.monotonic() + STEP
            conn, _ = lsock.accept()
            with conn:
                conn.settimeout(STEP)
                got = recv_until_eof(conn, len(request), deadline)  # wire half-closes
                conn.sendall(reply)
            return got

        peer = self.peer(server)
        r = self.run_wire("tcp", "send", host, str(port), *send_args, input=stdin)
        got = peer.finish()
        self.assertEqual(len(got), len(request))
        self.assertEqual(sha(got), sha(request))
        self.assertTrue(got == request, "the server received other bytes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")
        expected = b"Response: " + reply + b"\n"
        self.assertEqual(len(r.stdout), len(expected))
        self.assertEqual(sha(r.stdout), sha(expected))
        self.assertTrue(r.stdout == expected, "wire printed other bytes")

    def request_file(self, data):
        d = tempfile.TemporaryDirectory(prefix="wire-interop-")
        self.addCleanup(d.cleanup)
        path = os.path.join(d.name, "request.bin")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_5a_binary_send_file_ipv4(self):
        self.binary_send(socket.AF_INET, "127.0.0.1",
                         lambda req: (["--file", self.request_file(req)], b""), salt=1)

    def test_5b_binary_send_file_ipv6(self):
        self.binary_send(socket.AF_INET6, "::1",
                         lambda req: (["--file", self.request_file(req)], b""), salt=2)

    def test_5c_binary_send_stdin_file_dash(self):
        self.binary_send(socket.AF_INET, "127.0.0.1", lambda req: (["--file", "-"], req), salt=3)

    def test_5d_binary_send_stdin_message_dash(self):
        self.binary_send(socket.AF_INET, "127.0.0.1", lambda req: (["-"], req), salt=4)

    # --- 6. failures -----------------------------------------------------------------

    def test_6a_refused(self):
        # A port bound but not listening: nobody else can take it, and connects are refused.
        reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(reserved.close)
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        r = self.run_wire("tcp", "send", "127.0.0.1", str(port), "hi")
        self.assertFailure(r, b"wire: ")
        self.assertEqual(r.stderr, f"wire: connect to 127.0.0.1:{port}: Connection refused\n".encode())

    def test_6b_unresolvable(self):
        r = self.run_wire("tcp", "send", "nosuch.invalid", "12345", "hi")
        self.assertFailure(r, b"wire: resolve nosuch.invalid: ")

    def test_6c_port_out_of_range(self):
        # An argument error names its command and exits 2 (usage.cpp, test_cli_usage.py).
        r = self.run_wire("tcp", "send", "127.0.0.1", "70000", "hi")
        self.assertFailure(r, b"wire tcp send: PORT: '70000' is not a whole number from 1 to 65535")
        self.assertEqual(r.returncode, 2)
        r = self.run_wire("tcp", "serve", "--host", "127.0.0.1", "--port", "70000", "--once")
        self.assertFailure(r, b"wire tcp serve: --port: '70000' is not a whole number from 0 to 65535")
        self.assertEqual(r.returncode, 2)

    def test_6d_port_in_use(self):
        _, port = self.listener(socket.AF_INET, "127.0.0.1")
        r = self.run_wire("tcp", "serve", "--host", "127.0.0.1", "--port", str(port), "--once")
        self.assertFailure(r, b"wire: ")
        self.assertEqual(r.stderr,
                         f"wire: bind to 127.0.0.1:{port}: Address already in use\n".encode())

    def test_6e_timeout(self):
        lsock, port = self.listener(socket.AF_INET, "127.0.0.1")
        release = threading.Event()
        self.addCleanup(release.set)  # runs before the peer's join (cleanups are LIFO)

        def silent_server():
            conn, _ = lsock.accept()
            with conn:  # accepts, reads, never answers, keeps the connection open
                conn.settimeout(STEP)
                got = recv_until_eof(conn, 1024, time.monotonic() + STEP)
                release.wait(STEP)
            return got

        peer = self.peer(silent_server)
        started = time.monotonic()
        r = self.run_wire("tcp", "send", "127.0.0.1", str(port), "anyone?", "--timeout", "1")
        elapsed = time.monotonic() - started
        release.set()
        self.assertEqual(peer.finish(), b"anyone?")
        self.assertFailure(r, b"wire: ", b"timed out")
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 10)

    def test_6f_bad_timeouts_rejected_up_front(self):
        # Checked before any socket exists: once a connection arrived, a bad
        # --idle-timeout used to abort the whole threaded server, and a huge
        # --timeout overflowed its deadline into an instant "timed out".
        for value in ("-1", "0", "nan", "inf", "1e300"):
            r = self.run_wire("tcp", "serve", "--host", "127.0.0.1", "--port", "0",
                              "--idle-timeout", value, timeout=READY)
            self.assertFailure(r, b"wire: --idle-timeout must be a positive number of seconds")
        lsock, port = self.listener(socket.AF_INET, "127.0.0.1")
        for value in ("-1", "0", "nan", "1e300", "1e16"):
            r = self.run_wire("tcp", "send", "127.0.0.1", str(port), "hi", "--timeout", value)
            self.assertFailure(r, b"wire: --timeout must be a positive number of seconds")

        def server():
            conn, _ = lsock.accept()
            with conn:
                conn.settimeout(STEP)
                got = recv_until_eof(conn, 1024, time.monotonic() + STEP)
                conn.sendall(b"patient")
            return got

        peer = self.peer(server)  # the largest timeout accepted still works
        r = self.run_wire("tcp", "send", "127.0.0.1", str(port), "hi", "--timeout", "1e9")
        self.assertEqual(peer.finish(), b"hi")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"Response: patient\n", b""))

    # --- 7. demo and version ---------------------------------------------------------

    def test_6g_sigterm_drains_and_reports(self):
        """SIGTERM stops accepting, waits the 5 s grace for the one idle client, cuts it,
        reports on stderr and exits 0; the client sees its connection closed."""
        server, port = self.serve("--host", "127.0.0.1", "--port", "0", "--echo", "--quiet")
        idle = socket.create_connection(("127.0.0.1", port), timeout=STEP)
        self.addCleanup(idle.close)
        # An echo proves the server has this connection before the signal.
        idle.sendall(b"ping")
        self.assertEqual(idle.recv(16), b"ping")
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.wait(), 0)
        self.assertIn(b"wire: stopped; 0 connection(s) finished, 1 cut\n", server.err)
        self.assertEqual(idle.recv(16), b"")  # closed by the server

    def test_7a_demo(self):
        r = self.run_wire("demo")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(b"Received: Hello, server!", r.stdout)
        self.assertIn(b"Response: Hello, client!", r.stdout)

    def test_7b_version(self):
        r = self.run_wire("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"wire 0.1.0\n")

    # --- 8. Happy Eyeballs, seen from outside ----------------------------------------

    def test_8_happy_eyeballs_localhost_ipv4_only_listener(self):
        resolved = sorted({ai[4][0] for ai in socket.getaddrinfo(
            "localhost", 1, type=socket.SOCK_STREAM)})
        print(f"\n  localhost resolves to {resolved}", file=sys.stderr, end=" ... ")
        # A listener on 127.0.0.1 only; on ::1 the same port is bound without
        # listening, so an attempt there is refused for sure (when ::1 exists).
        lsock = port = None
        for _ in range(20):  # bounded: a port free on both families
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            candidate = s.getsockname()[1]
            try:
                v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                try:
                    v6.bind(("::1", candidate))
                except OSError:
                    v6.close()
                    s.close()
                    continue
                self.addCleanup(v6.close)
            except OSError:
                pass  # no IPv6 at all: nothing to reserve
            lsock, port = s, candidate
            break
        self.assertIsNotNone(lsock, "no port free on both 127.0.0.1 and ::1")
        self.addCleanup(lsock.close)
        lsock.settimeout(STEP)
        lsock.listen(1)

        def server():
            conn, peer_address = lsock.accept()
            with conn:
                conn.settimeout(STEP)
                got = recv_until_eof(conn, 1024, time.monotonic() + STEP)
                conn.sendall(b"over IPv4")
            return got, peer_address[0]

        peer = self.peer(server)
        r = self.run_wire("tcp", "send", "localhost", str(port), "which family?")
        got, peer_host = peer.finish()
        self.assertEqual(got, b"which family?")
        self.assertEqual(peer_host, "127.0.0.1")
        self.assertEqual(r.stdout, b"Response: over IPv4\n", r.stderr)
        self.assertEqual(r.stderr, b"")
        self.assertEqual(r.returncode, 0)

    # --- 9. full duplex and bounded memory (issue 17) --------------------------------

    def test_9a_send_streams_both_ways_64_mib_to_an_echo_server(self):
        """Issue 17: `wire tcp send` wrote its whole payload before reading: 64 MiB to an echo
        server filled both sides' buffers and stalled until the timeout. Now the echo comes
        back while the payload goes out."""
        payload = binary_payload(64 * MIB, salt=900)
        lsock, port = self.listener(socket.AF_INET, "127.0.0.1")

        def echo_server():
            conn, _ = lsock.accept()
            with conn:  # echoes each piece as it comes, never more than 64 KiB in hand
                conn.settimeout(STEP)
                total = 0
                try:
                    while chunk := conn.recv(65536):
                        conn.sendall(chunk)
                        total += len(chunk)
                except (ConnectionResetError, BrokenPipeError):
                    pass  # a client that gave up: the count tells
            return total

        peer = self.peer(echo_server)
        r = self.run_wire("tcp", "send", "127.0.0.1", str(port), "--file", self.request_file(payload),
                          "--timeout", "25")
        self.assertEqual(peer.finish(), len(payload))
        self.assertEqual((r.returncode, r.stderr), (0, b""))
        expected = b"Response: " + payload + b"\n"
        self.assertEqual(len(r.stdout), len(expected))
        self.assertEqual(sha(r.stdout), sha(expected))

    def test_9b_send_holds_a_flooding_answer_in_bounded_memory(self):
        """Issue 17: the whole answer was kept in memory before printing: a server that floods
        exhausted it. 256 MiB now pass through a 64 KiB buffer: wire's peak RSS stays small."""
        flood = 256 * MIB
        lsock, port = self.listener(socket.AF_INET, "127.0.0.1")

        def flooding_server():
            conn, _ = lsock.accept()
            with conn:
                conn.settimeout(STEP)
                piece = b"x" * MIB
                for _ in range(flood // MIB):
                    conn.sendall(piece)
                return recv_until_eof(conn, 2, time.monotonic() + STEP)

        peer = self.peer(flooding_server)
        proc = popen([WIRE, "tcp", "send", "127.0.0.1", str(port), "hi", "--timeout", "25"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                self.addCleanup(pipe.close)

        def peak_rss():  # KiB, since the exec (getrusage's would count the fork from this process)
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    return max([int(line.split()[1]) for line in f if line.startswith("VmHWM:")] + [0])
            except OSError:
                return 0  # gone already

        count, peak, buf = 0, 0, bytearray(MIB)
        while n := proc.stdout.readinto(buf):
            if count // (8 * MIB) != (count + n) // (8 * MIB):
                peak = max(peak, peak_rss())  # wire is alive: its answer has not all come
            count += n
        err = proc.stderr.read()
        self.assertEqual(proc.wait(STEP), 0, err)
        self.assertEqual(peer.finish(), b"hi")
        self.assertEqual(err, b"")
        self.assertEqual(count, len(b"Response: ") + flood + 1)
        # What the same program holds doing nothing: ~7 MiB, but ~135 MiB built with ASan,
        # whose allocator and shadow memory are resident from the start.
        # (GNU time forks from its own small process: a child of this one would count the
        # Python process it was forked from.)
        idle = run(["/usr/bin/time", "-f", "%M", WIRE, "--version"], capture_output=True, timeout=STEP)
        base = int(idle.stderr.split()[-1])  # KiB
        print(f"\n  peak RSS of wire tcp send: {peak} KiB ({base} KiB for wire --version)",
              file=sys.stderr, end=" ... ")
        self.assertGreater(peak, 0)
        self.assertLess(peak - base, 32 * 1024)  # KiB, while 256 MiB went through

    def test_9c_serve_never_stalls_on_a_stdout_that_does_not_drain(self):
        """Issue 17: every connection printed under one lock with a blocking write, so a stdout
        nobody read stalled all clients. Now a stalled stdout costs a connection its printing
        past 1 MiB queued (skipped, with a note), never its answers, nor other connections'."""
        proc = popen([WIRE, "tcp", "serve", "--host", "127.0.0.1", "--port", "0", "--echo", "--threads", "2"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                self.addCleanup(pipe.close)
        m = LISTENING.match(proc.stderr.readline())
        self.assertIsNotNone(m)
        port = int(m.group(2))
        payload = b"a" * (4 * MIB)  # no newline: each printed message is one line
        echo = self.echo_exchange(port, payload)  # stdout is not read: it fills, then stalls
        self.assertEqual(len(echo), len(payload))
        deadline = time.monotonic() + STEP
        with socket.create_connection(("127.0.0.1", port), timeout=STEP) as s:
            s.sendall(b"hello")
            self.assertEqual(recv_exact(s, 5, deadline), b"hello")  # answered all the same
        out = Peer(lambda: proc.stdout.read())  # now drain it
        out.start()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(STEP), 0)
        stdout, stderr = out.finish(STEP), proc.stderr.read()
        lines = stdout.split(b"\n")
        self.assertEqual(lines.pop(), b"")
        self.assertTrue(all(line.startswith(b"Received: ") for line in lines))
        self.assertIn(b"Received: hello", lines)
        printed = sum(len(line) - 10 for line in lines if line != b"Received: hello")
        notes = re.findall(rb"wire: (\d+) bytes in (\d+) message\(s\) from 127\.0\.0\.1:\d+ not printed: "
                           rb"stdout did not keep up\n", stderr)
        skipped = sum(int(n) for n, _ in notes)
        self.assertGreater(skipped, 0, stderr)
        self.assertEqual(printed + skipped, len(payload), stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
