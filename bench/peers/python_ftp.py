# SPDX-License-Identifier: MIT
# Python's ftplib as a benchmark client of bench/ftp.sh: one download (to nowhere) or one upload,
# with ftplib's defaults (8 KiB blocks), as its documentation uses it.
#   python_ftp.py get|put plain|tls HOST PORT USER PASSWORD REMOTE [LOCAL]
# Prints "bytes=N" after a complete transfer; exits non-zero on any error.
import ftplib
import ssl
import sys

op, mode, host, port, user, password, remote = sys.argv[1:8]
if mode == "tls":
    ftp = ftplib.FTP_TLS(context=ssl._create_unverified_context())  # a self-signed test certificate
else:
    ftp = ftplib.FTP()
ftp.connect(host, int(port), timeout=300)
ftp.login(user, password)
if mode == "tls":
    ftp.prot_p()
count = 0
if op == "get":
    def sink(block):
        global count
        count += len(block)
    ftp.retrbinary("RETR " + remote, sink)
else:
    with open(sys.argv[8], "rb") as f:
        ftp.storbinary("STOR " + remote, f)
        count = f.tell()
ftp.quit()
print(f"bytes={count}")
