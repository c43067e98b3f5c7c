// SPDX-License-Identifier: MIT
#include "replies.hpp"

#include <stdexcept>
#include <string>

namespace wire::ftp::test {

dialogue::Reply reply_from(std::string_view bytes) {
  dialogue::ReplyParser parser(dialogue::Syntax::ftp);
  std::size_t n = parser.feed(bytes);
  if (parser.next().kind != dialogue::ReplyEvent::reply || n != bytes.size()) {
    throw std::logic_error("not exactly one reply: " + std::string(bytes));
  }
  return parser.take_reply();
}

}  // namespace wire::ftp::test
