# SPDX-License-Identifier: MIT
"""Soak: `wire http serve` under wrk and a crowd of clients that misbehave, for a bounded
time; then a graceful stop under load. Run by bench/soak.sh (see there for the options);
`make test` runs a short one (the soak.short test), `make soak` a long one.

Phases:
 1. start: the server on a free loopback port, 2 workers; its descriptors counted idle.
 2. warm-up (a tenth of the run, 2-10 s): wrk alone, so that allocator pools and buffers
    reach their size; then, connections closed, the server's RSS is the baseline.
 3. load (the run): wrk on keep-alive connections (GET of 1 KiB), and threads of
      verifier  keep-alive requests, some pipelined, for a 256 KiB file: each response's
                status, length and SHA-256 checked: every well-formed request answered;
      slow      a request head sent a byte at a time, slower than the header timeout
                (slowloris): must get 408 and a close;
      slow-rd   a 16 MiB file read at 64 KiB/s, abandoned when the run ends;
      bad       malformed requests (garbage, smuggling CL+TE, NUL, overlong line and head,
                bad version): each must get a 4xx or 5xx and a close;
      abandon   connections closed at once, after half a head, after a request without
                reading, halfway through a 16 MiB response, or after pipelining requests
                without reading any answer until the server stops reading them (a flood).
 4. after: the load stops; within the keep-alive timeout the server's descriptors are
    back to their idle count, and its RSS is within the bound of the baseline.
 5. drain: wrk again, and 8 clients each halfway through a 16 MiB download (read at
    4 MiB/s); SIGTERM to the server: every one of those downloads completes, SHA-256 equal,
    the server exits 0 and says it cut none.

Every process is started here, on 127.0.0.1, and stopped by its PID; every wait is bounded.
"""

import argparse
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "interop"))
from wire_interop import popen  # noqa: E402  (children die with this script)

KIB, MIB = 1024, 1024 * 1024
HEADER_TIMEOUT = 2     # seconds: the server's --header-timeout
KEEP_ALIVE = 5         # seconds: the server's --keep-alive-timeout
STEP = 30              # seconds: the bound on any one socket operation


def log(text):
    print(f"soak: {text}", file=sys.stderr, flush=True)


class Server:
    def __init__(self, wire, root, env):
        self.proc = popen([wire, "http", "serve", root, "--host", "127.0.0.1", "--port", "0", "--threads", "2",
                           "--header-timeout", str(HEADER_TIMEOUT), "--keep-alive-timeout", str(KEEP_ALIVE),
                           "--grace", "20"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        line = self.proc.stdout.readline().decode()  # "Serving DIR on http://127.0.0.1:PORT/ (Ctrl-C to stop)"
        m = re.search(r" on http://127\.0\.0\.1:(\d+)/ ", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"wire http serve did not start: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(m.group(1))

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def cached_files(self, root):
        """Descriptors of files beneath `root`: the open-file cache's (large files stay open,
        at most one per file and worker)."""
        n = 0
        for fd in os.listdir(f"/proc/{self.proc.pid}/fd"):
            try:
                if os.readlink(f"/proc/{self.proc.pid}/fd/{fd}").startswith(root + os.sep):
                    n += 1
            except OSError:
                pass
        return n

    def connections(self):
        """The server's TCP sockets that are not listening (their inodes in /proc/net/tcp*)."""
        inodes = set()
        for fd in os.listdir(f"/proc/{self.proc.pid}/fd"):
            try:
                link = os.readlink(f"/proc/{self.proc.pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        n = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if fields[9] in inodes and fields[3] != "0A":  # 0A: LISTEN
                        n += 1
        return n

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(STEP)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=STEP)
    s.settimeout(STEP)
    return s


def read_head(s, buf=b""):
    """A response head on `s`: (head, its Content-Length or 0, the bytes after it)."""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("closed before a response head")
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
    return head, int(m.group(1)) if m else 0, buf


def read_response(s, buf=b""):
    """One response on `s` (Content-Length framed): (status, body, rest of buffer)."""
    head, length, buf = read_head(s, buf)
    status = int(head.split(b" ", 2)[1])
    while len(buf) < length:
        chunk = s.recv(min(1 << 20, length - len(buf)))
        if not chunk:
            raise EOFError("closed in a response body")
        buf += chunk
    return status, buf[:length], buf[length:]


def read_until_closed(s, deadline):
    data = b""
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {}
        self.failures = []

    def add(self, key, n=1):
        with self.lock:
            self.values[key] = self.values.get(key, 0) + n

    def fail(self, text):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(text)


class Soak:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="wire-soak-")
        self.root = os.path.join(self.tmp, "site")
        os.makedirs(self.root)
        rng = random.Random(args.seed)
        self.files = {"small.txt": rng.randbytes(KIB), "medium.bin": rng.randbytes(256 * KIB),
                      "big.bin": rng.randbytes(16 * MIB)}
        for name, data in self.files.items():
            with open(os.path.join(self.root, name), "wb") as f:
                f.write(data)
        self.sha = {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()}
        env = dict(os.environ)
        # Under ASan, freed memory waits in a quarantine (256 MiB by default) that would read
        # as growth: a small one keeps RSS about the program's own memory.
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=16"]))
        self.server = Server(args.wire, self.root, env)
        self.counts = Counts()
        self.stop_at = 0.0
        self.problems = []

    # --- clients ------------------------------------------------------------------------

    def wrk(self, seconds):
        return popen([self.args.wrk, "-t1", f"-c{self.args.connections}", f"-d{seconds}s", "--timeout", "10s",
                      f"http://127.0.0.1:{self.server.port}/small.txt"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def verifier(self):
        want = self.files["medium.bin"]
        while time.monotonic() < self.stop_at:
            with connect(self.server.port) as s:
                for _ in range(20):
                    pipelined = random.random() < 0.3
                    n = 2 if pipelined else 1
                    s.sendall(b"GET /medium.bin HTTP/1.1\r\nHost: soak\r\n\r\n" * n)
                    self.counts.add("verifier sent", n)
                    buf = b""
                    for _ in range(n):
                        status, body, buf = read_response(s, buf)
                        if status == 200 and body == want:
                            self.counts.add("verifier answered")
                        else:
                            self.counts.fail(f"verifier: status {status}, {len(body)} bytes")
                    if time.monotonic() >= self.stop_at:
                        break

    def slowloris(self):
        head = b"GET /small.txt HTTP/1.1\r\nHost: soak\r\nX-Slow: " + b"s" * 40 + b"\r\n\r\n"
        while time.monotonic() < self.stop_at:
            with connect(self.server.port) as s:
                start = time.monotonic()
                try:
                    for byte in head:  # one byte every 100 ms: 7 s for the head, past the timeout
                        s.sendall(bytes([byte]))
                        time.sleep(0.1)  # the client's own pace, not a wait for the server
                        if time.monotonic() - start > HEADER_TIMEOUT + 5:
                            break
                except (BrokenPipeError, ConnectionResetError):
                    pass
                answer = read_until_closed(s, time.monotonic() + STEP)
            if answer.startswith(b"HTTP/1.1 408 "):
                self.counts.add("slowloris got 408")
            else:
                self.counts.fail(f"slowloris: {answer[:80]!r}")

    def slow_reader(self):
        with connect(self.server.port) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * KIB)
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: soak\r\n\r\n")
            got = 0
            while time.monotonic() < self.stop_at:
                chunk = s.recv(8 * KIB)
                if not chunk:
                    break
                got += len(chunk)
                time.sleep(0.125)  # 64 KiB/s: the client's pace
            self.counts.add("slow readers abandoned")

    BAD = [
        (b"GARBAGE\r\n\r\n", 501),
        (b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX-Nul: a\x00b\r\n\r\n", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X-Big: " + b"b" * 17000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        (b"GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
        (b"GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ]

    def bad(self):
        while time.monotonic() < self.stop_at:
            request, status = random.choice(self.BAD)
            with connect(self.server.port) as s:
                try:
                    s.sendall(request)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                answer = read_until_closed(s, time.monotonic() + STEP)
            m = re.match(rb"HTTP/1\.1 (\d\d\d) ", answer)
            if m and int(m.group(1)) == status:
                self.counts.add("malformed refused")
            else:
                self.counts.fail(f"malformed {request[:40]!r}: wanted {status}, got {answer[:60]!r}")

    def abandon(self):
        kinds = ["connect", "half head", "no read", "half body", "pipelined flood"]
        while time.monotonic() < self.stop_at:
            kind = random.choice(kinds)
            with connect(self.server.port) as s:
                if kind == "half head":
                    s.sendall(b"GET /big.bin HTTP/1.1\r\nHo")
                elif kind == "no read":
                    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: soak\r\n\r\n")
                elif kind == "pipelined flood":
                    # Requests the client never reads the answers to, until the server stops
                    # reading them (its send buffer full): what it holds must stay bounded.
                    s.settimeout(1)
                    try:
                        for _ in range(200):
                            s.sendall(b"GET /medium.bin HTTP/1.1\r\nHost: soak\r\n\r\n" * 50)
                    except (socket.timeout, BrokenPipeError, ConnectionResetError):
                        pass
                elif kind == "half body":
                    s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: soak\r\n\r\n")
                    got = 0
                    while got < 8 * MIB:
                        chunk = s.recv(256 * KIB)
                        if not chunk:
                            break
                        got += len(chunk)
                # A reset rather than a FIN when data is left unread: the rudest way out.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.counts.add(f"abandoned ({kind})")
            time.sleep(0.02)  # the client's own pace

    def downloader(self, results, i, started):
        """For the drain: a 16 MiB download read at 4 MiB/s; its SHA-256, or the error."""
        try:
            with connect(self.server.port) as s:
                s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: soak\r\n\r\n")
                _, length, body = read_head(s)
                h = hashlib.sha256(body)
                got = len(body)
                started.release()
                while got < length:
                    chunk = s.recv(min(256 * KIB, length - got))
                    if not chunk:
                        raise EOFError(f"closed after {got} of {length} bytes")
                    h.update(chunk)
                    got += len(chunk)
                    time.sleep(len(chunk) / (4 * MIB))  # the client's pace: 4 MiB/s
                results[i] = h.hexdigest()
        except Exception as e:  # reported by the caller
            results[i] = repr(e)
            started.release()

    # --- phases -------------------------------------------------------------------------

    def run_threads(self, seconds):
        self.stop_at = time.monotonic() + seconds
        spec = [(self.verifier, 2), (self.slowloris, 6), (self.slow_reader, 2), (self.bad, 2), (self.abandon, 2)]
        threads = []
        for fn, n in spec:
            for _ in range(n):
                t = threading.Thread(target=self.guard(fn), daemon=True)
                t.start()
                threads.append(t)
        return threads

    def guard(self, fn):
        def run():
            try:
                fn()
            except Exception as e:
                self.counts.fail(f"{fn.__name__}: {e!r}")
        return run

    def wrk_result(self, proc, seconds):
        out, err = proc.communicate(timeout=seconds + STEP)
        text = out.decode()
        requests = re.search(r"(\d+) requests in", text)
        errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        return {"requests": int(requests.group(1)) if requests else 0,
                "socket errors": sum(map(int, errors.groups())) if errors else 0,
                "non-2xx": int(non2xx.group(1)) if non2xx else 0,
                "exit": proc.returncode, "text": text + err.decode()}

    def describe_fds(self):
        """What the server's descriptors are, and its TCP connections' states (for a failure)."""
        pid = self.server.proc.pid
        fds = []
        for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
            try:
                fds.append(f"{fd}->{os.readlink(f'/proc/{pid}/fd/{fd}')}")
            except OSError:
                pass
        ss = subprocess.run(["ss", "-tanpi"], capture_output=True, text=True, timeout=STEP).stdout
        mine = [line for line in ss.splitlines() if f"pid={pid}," in line]
        return "\n    descriptors: " + " ".join(fds) + "\n    " + "\n    ".join(mine)

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def check(self, ok, text):
        log(("ok: " if ok else "FAILED: ") + text)
        if not ok:
            self.problems.append(text)

    def run(self):
        a = self.args
        warm = max(2, min(10, a.seconds // 10))
        log(f"server pid {self.server.proc.pid} on port {self.server.port}; warm-up {warm} s, load {a.seconds} s, "
            f"seed {a.seed}")
        w = self.wrk_result(self.wrk(warm), warm)
        self.check(w["exit"] == 0 and w["requests"] > 0, f"warm-up: wrk made {w['requests']} requests")
        # Idle: every connection closed, the workers long started. The baseline of both counts.
        self.check(self.wait_for(lambda: self.server.connections() == 0, KEEP_ALIVE + 5),
                   "the warm-up's connections closed")
        idle_fds = self.server.fds()
        self.server_cached_at_idle = self.server.cached_files(self.root)
        base_rss = self.server.rss_kib()
        log(f"idle: {idle_fds} descriptors, RSS {base_rss} KiB")

        wrk = self.wrk(a.seconds)
        threads = self.run_threads(a.seconds)
        samples = []
        while time.monotonic() < self.stop_at:
            samples.append((self.server.rss_kib(), self.server.fds()))
            time.sleep(1)  # sampling period
        w = self.wrk_result(wrk, a.seconds)
        for t in threads:
            t.join(STEP + HEADER_TIMEOUT + 10)
        self.check(not any(t.is_alive() for t in threads), "every client thread ended")
        c = self.counts.values
        log(f"load: wrk {w['requests']} requests ({w['requests'] / a.seconds:.0f}/s), "
            f"{w['socket errors']} socket errors, {w['non-2xx']} non-2xx; " +
            ", ".join(f"{k} {v}" for k, v in sorted(c.items())) +
            f"; peak RSS {max(s[0] for s in samples) // 1024} MiB, peak descriptors {max(s[1] for s in samples)}")
        self.check(w["exit"] == 0 and w["requests"] > 0 and w["socket errors"] == 0 and w["non-2xx"] == 0,
                   "wrk: every request answered 2xx, no socket error" + ("" if w["exit"] == 0 else w["text"]))
        self.check(c.get("verifier sent", 0) > 0 and c.get("verifier answered", 0) == c.get("verifier sent"),
                   f"verifier: {c.get('verifier answered', 0)} of {c.get('verifier sent', 0)} answered exactly")
        for key in ("slowloris got 408", "malformed refused", "slow readers abandoned"):
            self.check(c.get(key, 0) > 0, f"{key}: {c.get(key, 0)}")
        self.check(not self.counts.failures, "no client saw a wrong answer" +
                   "".join(f"\n    {f}" for f in self.counts.failures))

        # Back to the idle count but for the file cache's open descriptors: the files above its
        # small-file size (64 KiB, read into memory below it), at most one each per worker.
        large = sum(1 for data in self.files.values() if len(data) > 64 * KIB)
        cache_bound = large * 2  # --threads 2

        def settled():
            cached = self.server.cached_files(self.root)
            return (self.server.connections() == 0 and cached <= cache_bound and
                    self.server.fds() - cached == idle_fds - self.server_cached_at_idle)
        back = self.wait_for(settled, KEEP_ALIVE + HEADER_TIMEOUT + 10)
        self.check(back, f"descriptors back to {idle_fds} after the load, the file cache's "
                         f"{self.server.cached_files(self.root)} (at most {cache_bound}) aside "
                         f"(now {self.server.fds()})" + ("" if back else self.describe_fds()))
        rss = self.server.rss_kib()
        bound = base_rss + max(a.rss_slack_mib * 1024, base_rss // 4)
        self.check(rss <= bound, f"RSS {rss // 1024} MiB after the load, baseline {base_rss // 1024} MiB "
                                 f"(bound {bound // 1024} MiB)")

        # Drain: SIGTERM with downloads in flight under load.
        wrk = self.wrk(10)
        results = [None] * 8
        started = threading.Semaphore(0)
        downloaders = [threading.Thread(target=self.downloader, args=(results, i, started), daemon=True)
                       for i in range(len(results))]
        for t in downloaders:
            t.start()
        for _ in downloaders:
            started.acquire(timeout=STEP)  # each has its head and the first bytes: in flight
        self.server.proc.send_signal(signal.SIGTERM)
        for t in downloaders:
            t.join(STEP + 20)
        try:
            status = self.server.proc.wait(STEP)
        except subprocess.TimeoutExpired:
            status = None
        err = self.server.proc.stderr.read().decode(errors="replace")
        wrk.kill()  # its connections were closed by the stop; its numbers are not checked
        wrk.communicate(timeout=STEP)
        complete = sum(r == self.sha["big.bin"] for r in results)
        self.check(complete == len(results), f"drain: {complete} of {len(results)} downloads in flight completed "
                                             f"exactly ({[r for r in results if r != self.sha['big.bin']]})")
        self.check(status == 0 and re.search(r"stopped; \d+ connection\(s\) finished, 0 cut", err),
                   f"the server stopped gracefully: exit {status}, {err.strip()!r}")
        return not self.problems


def main():
    p = argparse.ArgumentParser(description="Soak `wire http serve`; see bench/soak.py")
    p.add_argument("--seconds", type=int, default=300, help="length of the load phase")
    p.add_argument("--wire", default=os.environ.get("WIRE", "build/tools/wire/wire"))
    p.add_argument("--wrk", default="/usr/bin/wrk")
    p.add_argument("--connections", type=int, default=32, help="wrk's connections")
    p.add_argument("--rss-slack-mib", type=int, default=24, help="RSS growth allowed over the baseline")
    p.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "big"))
    args = p.parse_args()
    random.seed(args.seed)
    if args.seconds < 5 or args.seconds > 24 * 3600:
        p.error("--seconds: 5 to 86400")
    for path in (args.wire, args.wrk):
        if not os.access(path, os.X_OK):
            p.error(f"{path} is not an executable (make build; scripts/install-deps.sh)")
    soak = Soak(args)
    try:
        ok = soak.run()
    finally:
        soak.server.stop()
        subprocess.run(["rm", "-rf", soak.tmp], check=False)
    log("passed" if ok else f"FAILED: {len(soak.problems)} check(s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
