# SPDX-License-Identifier: MIT
"""Python peer of bench/http_get.sh: one http.client.HTTPConnection reused for N
sequential keep-alive GETs, each body read whole (response.read()); or, with
--download, one GET whose body is read in 64 KiB pieces (readinto) and written
to --output. http.client sets TCP_NODELAY itself when it connects.

    python_get.py --url http://HOST:PORT/PATH --size BYTES [--requests N] [--download [--output FILE]]

Every response must be 200 with --size bytes of body. Prints requests, bytes,
seconds and cpu_us like bench/http_get_client. Run with Debian's /usr/bin/python3.
"""
import argparse
import http.client
import os
import sys
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--requests", type=int, default=1)
    ap.add_argument("--download", action="store_true")
    ap.add_argument("--output", default="/dev/null")
    a = ap.parse_args()
    requests = 1 if a.download else a.requests
    u = urllib.parse.urlsplit(a.url)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    out_fd = os.open(a.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) if a.download else -1
    buf = bytearray(64 * 1024)
    view = memoryview(buf)
    total = 0

    cpu0 = time.process_time()
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(u.hostname, u.port)
    for i in range(requests):
        conn.request("GET", path)
        r = conn.getresponse()
        if r.status != 200:
            sys.exit(f"python_get: GET {a.url} #{i + 1}: status {r.status}")
        if a.download:
            got = 0
            while True:
                n = r.readinto(buf)
                if not n:
                    break
                done = 0
                while done < n:
                    done += os.write(out_fd, view[done:n])
                got += n
        else:
            got = len(r.read())
        if got != a.size:
            sys.exit(f"python_get: GET {a.url} #{i + 1}: body of {got} bytes, expected {a.size}")
        total += got
    t1 = time.monotonic()
    cpu1 = time.process_time()
    conn.close()
    if out_fd >= 0:
        os.close(out_fd)
    print(f"requests={requests} bytes={total} seconds={t1 - t0:.6f} cpu_us={(cpu1 - cpu0) * 1e6:.0f}")


if __name__ == "__main__":
    try:
        main()
    except (OSError, http.client.HTTPException) as e:
        sys.exit(f"python_get: {type(e).__name__}: {e}")
