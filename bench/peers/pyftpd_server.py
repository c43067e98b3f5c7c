# SPDX-License-Identifier: MIT
# pyftpdlib as a benchmark server of bench/ftp.sh: ROOT on 127.0.0.1:PORT for USER (every
# right), TLS_FTPHandler with CERT and KEY (AUTH TLS optional, so clear and FTPS clients both
# come), logging off.
#   pyftpd_server.py ROOT PORT USER PASSWORD CERT KEY
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

root, port, user, password, cert, key = sys.argv[1:7]
logging.basicConfig(level=logging.ERROR)
authorizer = DummyAuthorizer()
authorizer.add_user(user, password, root, perm="elradfmwMT")
TLS_FTPHandler.certfile = cert
TLS_FTPHandler.keyfile = key
TLS_FTPHandler.authorizer = authorizer
server = FTPServer(("127.0.0.1", int(port)), TLS_FTPHandler)
server.serve_forever()
