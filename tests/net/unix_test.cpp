// SPDX-License-Identifier: MIT
// Unix-domain sockets: paths in a temp dir, abstract names, datagrams, socket_pair().
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/temp_dir.hpp"
#include "wire/net/socket.hpp"
#include "wire/net/tcp.hpp"

namespace {

using namespace std::chrono_literals;
using wire::net::Address;
using wire::net::Socket;
using wire::net::SocketType;
using wire::net::unix_bind;
using wire::net::unix_connect;
using wire::net::unix_listen;

// A fresh abstract name, unique to this process and call.
std::string abstract_name() {
  static std::atomic<int> counter{0};
  return "@wire-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// Listener, client and accepted end over `name`; data both ways.
void exercise_stream(const std::string& name) {
  auto server = unix_listen(name);
  EXPECT_EQ(server.local_address().to_string(), name);
  EXPECT_TRUE(server.local_address().is_unix());
  auto client = unix_connect(name);
  EXPECT_EQ(client.peer_address().to_string(), name);
  EXPECT_EQ(client.peer_address(), Address::unix_path(name));
  auto [conn, peer] = server.accept();
  EXPECT_TRUE(peer.is_unix());
  EXPECT_EQ(peer.to_string(), "(unnamed unix socket)");  // the client did not bind
  EXPECT_EQ(conn.local_address().to_string(), name);

  client.send_all("to server");
  EXPECT_EQ(conn.recv_exactly(9), "to server");
  conn.send_all("to client\n");
  EXPECT_EQ(client.recv_until("\n", 100), "to client\n");
  client.close();
  EXPECT_EQ(conn.recv(10), "");
}

TEST(Unix, StreamOnPath) {
  wire::test::TempDir dir;
  auto path = (dir / "server.sock").string();
  exercise_stream(path);
  EXPECT_TRUE(std::filesystem::is_socket(path));
}

TEST(Unix, StreamOnAbstractName) {
  auto name = abstract_name();
  exercise_stream(name);
}

TEST(Unix, ListenOnExistingPathFails) {
  wire::test::TempDir dir;
  auto path = (dir / "taken.sock").string();
  auto first = unix_listen(path);
  try {
    unix_listen(path);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_EQ(std::string(e.what()), "bind to " + path + ": Address already in use");
  }
  // A stale file is not removed either: closing the listener leaves it behind.
  first.close();
  EXPECT_THROW(unix_listen(path), std::system_error);
}

TEST(Unix, ConnectToMissingPathFails) {
  wire::test::TempDir dir;
  auto path = (dir / "nobody.sock").string();
  try {
    unix_connect(path);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(std::string(e.what()), "connect to " + path + ": No such file or directory");
  }
  auto name = abstract_name();
  try {
    unix_connect(name);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
    EXPECT_EQ(std::string(e.what()), "connect to " + name + ": Connection refused");
  }
}

TEST(Unix, TooLongPathIsInvalidArgument) {
  std::string path = "/tmp/" + std::string(200, 'x');
  EXPECT_THROW(unix_listen(path), std::invalid_argument);
  EXPECT_THROW(unix_connect(path), std::invalid_argument);
}

TEST(Unix, DatagramOnPaths) {
  wire::test::TempDir dir;
  auto a_path = (dir / "a.sock").string();
  auto b_path = (dir / "b.sock").string();
  auto a = unix_bind(a_path);
  auto b = unix_bind(b_path);
  a.set_timeout(5s);
  b.set_timeout(5s);
  EXPECT_EQ(a.option(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  EXPECT_EQ(a.local_address().to_string(), a_path);

  a.send_to("one", b.local_address());
  a.send_to("", b.local_address());
  a.send_to("three", Address::unix_path(b_path));
  for (const char* expected : {"one", "", "three"}) {
    auto d = b.recv_from(100);
    EXPECT_EQ(d.data, expected);
    EXPECT_EQ(d.from.to_string(), a_path);
    EXPECT_EQ(d.from, a.local_address());
  }
  b.send_to("reply", a.local_address());
  auto r = a.recv_from(3);  // truncated to the buffer
  EXPECT_EQ(r.data, "rep");
  EXPECT_EQ(r.from.to_string(), b_path);
}

TEST(Unix, DatagramOnAbstractNames) {
  auto a_name = abstract_name();
  auto b_name = abstract_name();
  auto a = unix_bind(a_name);
  auto b = unix_bind(b_name);
  b.set_timeout(5s);
  EXPECT_EQ(a.local_address().to_string(), a_name);
  a.send_to("abstract", Address::unix_path(b_name));
  auto d = b.recv_from(100);
  EXPECT_EQ(d.data, "abstract");
  EXPECT_EQ(d.from.to_string(), a_name);
  EXPECT_EQ(d.from, Address::unix_path(a_name));
}

TEST(Unix, ConnectedDatagram) {
  wire::test::TempDir dir;
  auto path = (dir / "dgram.sock").string();
  auto server = unix_bind(path);
  server.set_timeout(5s);
  auto client = unix_connect(path, SocketType::datagram);
  client.send("a");
  client.send("bc");
  EXPECT_EQ(server.recv(100), "a");
  EXPECT_EQ(server.recv(100), "bc");
}

TEST(Unix, StreamBindListenByHand) {
  wire::test::TempDir dir;
  auto path = (dir / "s").string();
  auto listener = unix_bind(path, SocketType::stream);
  listener.listen(4);
  auto client = unix_connect(path);
  auto conn = listener.accept().socket;
  conn.send_all("x");
  EXPECT_EQ(client.recv(1), "x");
}

TEST(SocketPair, Stream) {
  auto [a, b] = wire::net::socket_pair();
  EXPECT_EQ(a.option(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  a.send_all("hello");
  EXPECT_EQ(b.recv_exactly(5), "hello");
  b.send_all("world");
  EXPECT_EQ(a.recv_exactly(5), "world");
  a.close();
  EXPECT_EQ(b.recv(10), "");
}

TEST(SocketPair, Datagram) {
  auto [a, b] = wire::net::socket_pair(SocketType::datagram);
  EXPECT_EQ(a.option(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  a.send("one");
  a.send("two!");
  EXPECT_EQ(b.recv(100), "one");
  EXPECT_EQ(b.recv(2), "tw");  // the rest of the datagram is dropped
  b.send("back");
  EXPECT_EQ(a.recv(100), "back");
  b.set_blocking(false);
  std::array<std::byte, 4> buf{};
  std::error_code ec;
  EXPECT_EQ(b.recv(buf, ec), 0u);
  EXPECT_EQ(ec, std::errc::resource_unavailable_try_again);
}

}  // namespace
