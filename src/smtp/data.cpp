// SPDX-License-Identifier: MIT
// DataEncoder and DataParser: the two sides of SMTP's DATA (RFC 5321 §4.1.1.4, §4.5.2).
#include "wire/smtp/data_encoder.hpp"
#include "wire/smtp/data_parser.hpp"

namespace wire::smtp {

void DataEncoder::encode(std::string_view data, std::string& out) {
  out.reserve(out.size() + data.size() + data.size() / 64 + 8);
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c != '\r' && c != '\n' && c != '.') {
      at_ = At::mid_line;
      continue;
    }
    out.append(data.substr(run, i - run));
    run = i + 1;
    if (c == '\r') {
      out += "\r\n";  // a CR ends a line whether an LF follows or not
      at_ = At::after_cr;
    } else if (c == '\n') {
      if (at_ != At::after_cr) out += "\r\n";  // an LF after a CR is that CR's line end
      at_ = At::line_start;
    } else {
      out += at_ == At::mid_line ? "." : "..";  // §4.5.2: a leading dot is doubled
      at_ = At::mid_line;
    }
  }
  out.append(data.substr(run));
}

void DataEncoder::finish(std::string& out) {
  if (at_ == At::mid_line) out += "\r\n";
  out += ".\r\n";
  at_ = At::line_start;
}

void DataParser::reset() noexcept {
  state_ = State::line_start;
  problem_ = DataProblem::none;
  size_ = 0;
  line_ = 0;
}

// Appends message bytes, up to the size limit: the bytes given out before a problem are the
// same however the input was cut.
void DataParser::emit(std::string& out, std::string_view bytes) {
  std::uint64_t room = size_ < limits_.max_message_size ? limits_.max_message_size - size_ : 0;
  size_ += bytes.size();
  if (bytes.size() > room) {
    if (problem_ == DataProblem::none) out.append(bytes.substr(0, static_cast<std::size_t>(room)));
    flag(DataProblem::too_large);
  } else if (problem_ == DataProblem::none) {
    out.append(bytes);
  }
}

std::size_t DataParser::feed(std::string_view in, std::string& out) {
  std::size_t i = 0;
  std::size_t run = 0;  // start of plain bytes not yet emitted (only in mid_line)
  auto flush = [&](std::size_t end) {
    if (end > run) emit(out, in.substr(run, end - run));
    run = end;
  };
  // A problem at byte i: the line's bytes before it are given out first.
  auto problem = [&](DataProblem p) {
    if (state_ == State::mid_line) flush(i);
    flag(p);
  };
  for (; i < in.size() && state_ != State::done; ++i) {
    char c = in[i];
    if (++line_ > limits_.max_line_length) problem(DataProblem::line_too_long);
    switch (state_) {
      case State::mid_line:
        if (c == '\r') {
          flush(i);
          state_ = State::cr;
        } else if (c == '\n') {
          problem(DataProblem::bare_lf);  // and it ends no line: the next "." is not at a line start
        }
        continue;
      case State::line_start:
        if (c == '.') {
          flush(i);
          state_ = State::dot;
          continue;
        }
        break;
      case State::dot:  // a line that began with ".": the dot goes (§4.5.2), or it ends the data
        if (c == '\r') {
          state_ = State::dot_cr;
          run = i + 1;
          continue;
        }
        run = i;
        break;
      case State::dot_cr:  // "." CR: LF ends the data
      case State::cr:
        run = i + 1;
        if (c == '\n' && state_ == State::dot_cr) {
          state_ = State::done;
          continue;
        }
        if (c == '\n') {
          emit(out, "\r\n");
          state_ = State::line_start;
          line_ = 0;
          continue;
        }
        flag(DataProblem::bare_cr);  // the CR is kept as data; c is ordinary content
        emit(out, "\r");
        run = i;
        break;
      case State::done:
        break;
    }
    // c starts (or continues) ordinary line content.
    if (c == '\r') {
      flush(i);
      state_ = State::cr;
      run = i + 1;
    } else {
      if (c == '\n') flag(DataProblem::bare_lf);  // at a line start: nothing of the line before it
      state_ = State::mid_line;
    }
  }
  if (state_ == State::mid_line) flush(i);
  return i;
}

}  // namespace wire::smtp
