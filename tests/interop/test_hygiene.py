# SPDX-License-Identifier: MIT
"""Test hygiene: a peer the Python harness starts (wire_interop.popen / run) dies with
the test that started it, even when the test is killed with SIGKILL, as ctest kills
a test past its timeout (no cleanup runs then). tests/support/support_test.cpp checks
the same of the C++ tests' ChildProcess.

    /usr/bin/python3 tests/interop/test_hygiene.py
"""

import ctypes
import os
import select
import signal
import subprocess
import sys
import time
import unittest

import wire_interop

HERE = os.path.dirname(os.path.abspath(__file__))
PR_SET_CHILD_SUBREAPER = 36
# A stand-in for a test: starts `sleep 120` as a peer, prints its PID, waits to be killed.
TEST_LIKE = f"""
import sys, time
sys.path.insert(0, {HERE!r})
import wire_interop
peer = wire_interop.popen(["/bin/sleep", "120"])
print(peer.pid, flush=True)
time.sleep(120)
"""


def reap(pid, timeout):
    """Waits (bounded) for `pid`, reparented to this process, to end: its wait status, or
    None after killing it if it outlived `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return status
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)  # ours: started by this test, reparented here
    os.waitpid(pid, 0)
    return None


class Hygiene(unittest.TestCase):
    def test_peer_dies_when_the_test_is_killed(self):
        # Orphans below this process come here instead of to init: their end can be awaited.
        libc = ctypes.CDLL(None, use_errno=True)
        self.assertEqual(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0, os.strerror(ctypes.get_errno()))
        test_like = wire_interop.popen([sys.executable, "-c", TEST_LIKE], stdout=subprocess.PIPE)
        self.addCleanup(test_like.stdout.close)
        ready, _, _ = select.select([test_like.stdout], [], [], wire_interop.STEP)
        self.assertTrue(ready, "the test-like parent printed nothing")
        line = test_like.stdout.readline()  # a whole line: it is printed with one write
        self.assertRegex(line, rb"\A\d+\n\Z")
        peer = int(line)
        os.kill(peer, 0)  # running
        test_like.kill()  # SIGKILL, to our own child, by its PID
        self.assertEqual(test_like.wait(wire_interop.STEP), -signal.SIGKILL)
        status = reap(peer, 10)
        self.assertIsNotNone(status, "the peer outlived the test that started it")
        self.assertTrue(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status)


if __name__ == "__main__":
    unittest.main(verbosity=2)
