# SPDX-License-Identifier: MIT
"""Network faults: 64 MiB over HTTP and HTTPS, both ways (`wire http get` of a file and
`wire http request POST` of one), across a link that loses, duplicates and reorders
packets, checked by SHA-256. The link is a veth pair between two network namespaces
this test creates and deletes (wireNNNa, the server's, 10.231.0.1; wireNNNb, the
client's, 10.231.0.2; NNN is the test's PID): no traffic goes anywhere else.

The link is impaired by `tc qdisc ... netem` (delay 2 ms ± 1 ms, loss 0.3 %, duplication
0.3 %, reordering 1 %) on both ends. Where the kernel has no netem (CONFIG_NET_SCH_NETEM
off, as in some VMs), nftables and an HTB class do what they can instead, on both ends:
loss and duplication (`numgen random` ... `drop`, `dup to`), and reordering (1 % of the
packets through a 20 Mbit/s class, the rest past them); that run says so on stderr.
Without root (CAP_NET_ADMIN), or without `ip` or either impairment, the test is
skipped, saying why.

    WIRE=build/tools/wire/wire WIRE_HTTP_TEST_SERVER=build/tests/interop/http_test_server \\
    /usr/bin/python3 tests/fault/test_netem.py
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from wire_interop import MIB, SEED, STEP, WIRE, WireProcess, binary_payload, make_test_pki, run, sha  # noqa: E402

HTTP_SERVER = os.environ.get("WIRE_HTTP_TEST_SERVER", "")
IP = shutil.which("ip") or "/usr/sbin/ip"
TC = shutil.which("tc") or "/usr/sbin/tc"
NFT = shutil.which("nft") or "/usr/sbin/nft"
SIZE = 64 * MIB
TRANSFER = 300  # seconds: the bound on one 64 MiB transfer across the impaired link
SERVER_IP, CLIENT_IP = "10.231.0.1", "10.231.0.2"
NAME = re.compile(r"^wire(\d+)[ab]\b")

NETEM = ["delay", "2ms", "1ms", "loss", "0.3%", "duplicate", "0.3%", "reorder", "1%", "50%"]
# What nftables can do where netem is missing: per packet (or per GSO burst, as the hook
# sees it), a small chance to be dropped, sent twice, or queued behind a slow class.
NFT_RULES = """table ip wire_impair {{
  chain out {{
    type filter hook postrouting priority 0; policy accept;
    numgen random mod 1000 < 3 counter drop
    numgen random mod 1000 < 3 counter dup to {peer}
    numgen random mod 100 < 1 counter meta priority set 1:20
  }}
}}
"""


def sh(*args, netns=None, check=True):
    """Runs a set-up command (in `netns`): its CompletedProcess; a failure raises with its stderr."""
    cmd = ([IP, "netns", "exec", netns] if netns else []) + list(args)
    r = run(cmd, capture_output=True, timeout=STEP)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.decode(errors='replace').strip()}")
    return r


def delete_stale_namespaces():
    """Namespaces an earlier run left when it was killed: their PID no longer runs."""
    r = sh(IP, "netns", "list", check=False)
    for line in r.stdout.decode().splitlines():
        m = NAME.match(line)
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            sh(IP, "netns", "delete", line.split()[0], check=False)


class NetworkFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not WIRE or not HTTP_SERVER:
            raise RuntimeError("set WIRE and WIRE_HTTP_TEST_SERVER")
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root (CAP_NET_ADMIN) to create network namespaces")
        if not os.access(IP, os.X_OK):
            raise unittest.SkipTest(f"no {IP} (iproute2)")
        cls.a, cls.b = f"wire{os.getpid()}a", f"wire{os.getpid()}b"
        cls.dev_a, cls.dev_b = f"wv{os.getpid()}a", f"wv{os.getpid()}b"
        cls.tmp = tempfile.mkdtemp(prefix="wire-netem-")
        try:
            delete_stale_namespaces()
            try:
                sh(IP, "netns", "add", cls.a)
            except RuntimeError as e:
                raise unittest.SkipTest(f"cannot create a network namespace: {e}")
            sh(IP, "netns", "add", cls.b)
            sh(IP, "link", "add", cls.dev_a, "netns", cls.a, "type", "veth", "peer", "name", cls.dev_b, "netns", cls.b)
            for ns, dev, addr in ((cls.a, cls.dev_a, SERVER_IP), (cls.b, cls.dev_b, CLIENT_IP)):
                sh(IP, "-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
                sh(IP, "-n", ns, "link", "set", dev, "up")
                sh(IP, "-n", ns, "link", "set", "lo", "up")
            cls.impairment = cls.impair()
            print(f"\n  link: {cls.impairment}; random seed: {SEED}", file=sys.stderr)
            cls.files = os.path.join(cls.tmp, "files")
            os.makedirs(cls.files)
            cls.payload = binary_payload(SIZE, salt=81)
            cls.path = os.path.join(cls.files, "big.bin")
            with open(cls.path, "wb") as f:
                f.write(cls.payload)
            cls.pki = make_test_pki(cls.tmp, names=f"IP:{SERVER_IP}")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for ns in (cls.a, cls.b):
            sh(IP, "netns", "delete", ns, check=False)  # takes its end of the veth pair along
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def impair(cls):
        """netem on both ends, or else nftables and HTB; what was applied, as text."""
        netem = [sh(TC, "qdisc", "add", "dev", dev, "root", "netem", *NETEM, netns=ns, check=False)
                 for ns, dev in ((cls.a, cls.dev_a), (cls.b, cls.dev_b))]
        if all(r.returncode == 0 for r in netem):
            return "netem " + " ".join(NETEM)
        why = netem[0].stderr.decode(errors="replace").strip()
        if not os.access(NFT, os.X_OK):
            raise unittest.SkipTest(f"no netem ({why}) and no {NFT} (nftables) to impair the link")
        for ns, dev, peer in ((cls.a, cls.dev_a, CLIENT_IP), (cls.b, cls.dev_b, SERVER_IP)):
            sh(TC, "qdisc", "del", "dev", dev, "root", netns=ns, check=False)
            nft = run([IP, "netns", "exec", ns, NFT, "-f", "-"], input=NFT_RULES.format(peer=peer).encode(),
                      capture_output=True, timeout=STEP)
            if nft.returncode != 0:
                raise unittest.SkipTest(f"no netem ({why}), and nftables failed: {nft.stderr.decode().strip()}")
            sh(TC, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10", netns=ns)
            sh(TC, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", "10gbit", netns=ns)
            sh(TC, "class", "add", "dev", dev, "parent", "1:", "classid", "1:20", "htb", "rate", "20mbit", netns=ns)
        return (f"no netem here ({why}); nftables instead: loss 0.3 %, duplication 0.3 %, "
                f"1 % reordered through a 20 Mbit/s class (no added delay)")

    def counters(self):
        """What the nftables rules did, for the log (netem keeps no such count)."""
        if not self.impairment.startswith("no netem"):
            return ""
        out = []
        for ns in (self.a, self.b):
            r = sh(NFT, "list", "table", "ip", "wire_impair", netns=ns, check=False)
            counts = re.findall(r"counter packets (\d+) bytes \d+ (\w+)", r.stdout.decode())
            out.append(f"{ns}: " + ", ".join(f"{n} {what}" for n, what in counts))
        return "; ".join(out)

    def server(self, tls):
        args = ["netns", "exec", self.a, HTTP_SERVER, "--host", SERVER_IP, "--port", "0", "--threads", "2",
                "--files", self.files]
        if tls:
            args += ["--tls-cert", self.pki["leaf.pem"], "--tls-key", self.pki["leaf.key"]]
        server = WireProcess(args, program=IP)
        self.addCleanup(server.stop)
        port = int(server.wait_stdout(rb"^listening on [0-9.]+:(\d+)$").group(1))
        scheme = "https" if tls else "http"
        return server, f"{scheme}://{SERVER_IP}:{port}", ["--cacert", self.pki["ca.pem"]] if tls else []

    def client(self, *args):
        try:
            return run([IP, "netns", "exec", self.b, WIRE, *args], capture_output=True, timeout=TRANSFER)
        except subprocess.TimeoutExpired:
            self.fail(f"`wire {' '.join(args)}` still running after {TRANSFER}s")

    def check_transfers(self, tls):
        server, base, extra = self.server(tls)
        out = os.path.join(self.tmp, "out.bin")
        r = self.client("http", "get", f"{base}/files/big.bin", "-o", out, *extra)
        self.assertEqual((r.returncode, r.stderr), (0, b""))
        with open(out, "rb") as f:
            self.assertEqual(sha(f.read()), sha(self.payload))
        os.unlink(out)
        r = self.client("http", "request", "POST", f"{base}/sha256", "--data-file", self.path, *extra)
        self.assertEqual((r.returncode, r.stderr), (0, b""))
        self.assertEqual(r.stdout, f"{sha(self.payload)} {SIZE}".encode())
        server.proc.terminate()
        self.assertEqual(server.wait(), 0, server.err)
        print(f"  {'https' if tls else 'http'}: {self.counters()}", file=sys.stderr)

    def test_http_64mib_both_ways(self):
        self.check_transfers(tls=False)

    def test_https_64mib_both_ways(self):
        self.check_transfers(tls=True)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun <= len(result.skipped):
        # ctest reports the test as skipped (SKIP_RETURN_CODE), with the reason in its output.
        print(f"test_netem: skipped: {result.skipped[0][1]}", file=sys.stderr)
        sys.exit(77)
