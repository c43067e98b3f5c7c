// SPDX-License-Identifier: MIT
// The ftplib example of Python's documentation, in C++: log in anonymously, change directory,
// list it, download README, quit. Usage: ftp_client [HOST]
#include <iostream>
#include <wire/ftp.hpp>

int main(int argc, char** argv) {
  wire::ftp::Client ftp(argc > 1 ? argv[1] : "ftp.us.debian.org");  // connect to host, default port
  ftp.login();                                                       // user anonymous, passwd anonymous@
  ftp.cwd("debian");                                                 // change into "debian" directory
  for (const auto& entry : ftp.list()) std::cout << entry.line << "\n";  // list directory contents
  ftp.download("README", "README");                                  // retrbinary('RETR README', fp.write)
  ftp.quit();
}
