// CommandReader: frames IMAP commands line by line. Each line between
// literals is tokenized as soon as its CRLF arrives, so a broken command is
// answered before the client sends a literal; the open parenthesized lists
// carry over a literal to the next line. Unprivileged, in imapd.
#include "lib/imap/command_reader.hpp"

#include <algorithm>
#include <cstring>

#include "lib/base/strings.hpp"

namespace postern::imap {

namespace {

constexpr size_t kTailBytes = 32;  // enough for "{18446744073709551615+}\r"

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// "{123}" or "{123+}" at the very end of a line: size and whether it is
// non-synchronizing. nullopt when the line does not end in a literal marker.
struct Marker {
  size_t size = 0;
  bool non_sync = false;
  bool valid = true;  // digits fit in size_t
  size_t start = 0;   // offset of "{"
};

std::optional<Marker> trailing_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  Marker m;
  m.start = open;
  if (!inside.empty() && inside.back() == '+') {
    m.non_sync = true;
    inside.remove_suffix(1);
  }
  if (inside.empty()) return std::nullopt;
  for (char c : inside) {
    if (c < '0' || c > '9') return std::nullopt;
    size_t d = static_cast<size_t>(c - '0');
    if (m.size > (SIZE_MAX - d) / 10) {
      m.valid = false;
      continue;
    }
    m.size = m.size * 10 + d;
  }
  return m;
}

bool is_tag_char(unsigned char c) {
  if (is_ctl(c) || c >= 0x80) return false;
  return std::strchr("(){ %*\"\\+", c) == nullptr;
}

bool opens_section(std::string_view atom) {
  for (std::string_view k : {"BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE"})
    if (iequals(atom, k)) return true;
  return false;
}

}  // namespace

CommandReader::CommandReader(ReaderLimits limits) : limits_(limits) {}

void CommandReader::reset() {
  state_ = State::line;
  line_.clear();
  line_length_ = 0;
  line_too_long_ = false;
  tail_.clear();
  literal_.clear();
  literal_.shrink_to_fit();
  literal_size_ = 0;
  skip_left_ = 0;
  pending_error_.clear();
  command_bytes_ = 0;
  cmd_ = Command{};
  stack_.clear();
  have_tag_ = false;
  expect_uid_name_ = false;
  need_separator_ = false;
  literal_non_sync_ = false;
  literal_announced_ = false;
}

void CommandReader::reject_literal() { reset(); }

std::string CommandReader::current_tag() const { return have_tag_ ? cmd_.tag : std::string("*"); }

// Only APPEND carries a message; every other command stays small, so a
// client cannot make us buffer megabytes for a LOGIN or SEARCH.
size_t CommandReader::command_limit() const {
  if (cmd_.name == "APPEND" && !cmd_.uid) return limits_.max_command;
  return std::min(limits_.max_other_command, limits_.max_command);
}

CommandReader::Step CommandReader::feed(std::string_view input) {
  switch (state_) {
    case State::line:
      return feed_line(input, false);
    case State::skip_line:
      return feed_line(input, true);
    case State::literal:
      return feed_literal(input);
    case State::skip_literal:
      return feed_skip_literal(input);
  }
  return {};
}

CommandReader::Step CommandReader::feed_line(std::string_view input, bool skipping) {
  Step step;
  size_t lf = input.find('\n');
  std::string_view chunk = input.substr(0, lf == std::string_view::npos ? input.size() : lf);
  // One CR before the LF is allowed beyond max_line.
  size_t room = limits_.max_line + 1;
  if (!skipping && !line_too_long_) {
    size_t keep = std::min(chunk.size(), room > line_.size() ? room - line_.size() : 0);
    line_.append(chunk.substr(0, keep));
    if (keep < chunk.size()) line_too_long_ = true;
  }
  line_length_ += chunk.size();
  // The tail lets a discarded line still reveal a literal announced at its end.
  if (skipping || line_too_long_) {
    tail_.append(chunk.substr(chunk.size() > kTailBytes ? chunk.size() - kTailBytes : 0));
    if (tail_.size() > kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
  }
  if (lf == std::string_view::npos) {
    step.consumed = input.size();
    return step;
  }
  step.consumed = lf + 1;
  step.outcome = skipping ? end_of_skipped_line() : end_of_line();
  return step;
}

CommandReader::Outcome CommandReader::end_of_line() {
  if (want_raw_line_ && command_bytes_ == 0 && !have_tag_) {
    want_raw_line_ = false;
    RawLine raw;
    raw.too_long = line_too_long_;
    raw.text = std::move(line_);
    if (!raw.text.empty() && raw.text.back() == '\r') raw.text.pop_back();
    line_.clear();
    line_length_ = 0;
    line_too_long_ = false;
    tail_.clear();
    return raw;
  }
  if (line_too_long_) {
    // Answer with the client's tag when the kept start of the line has one.
    if (!have_tag_ && command_bytes_ == 0) {
      std::string_view kept(line_);
      size_t space = kept.find(' ');
      if (space != std::string_view::npos && space > 0 &&
          std::all_of(kept.begin(), kept.begin() + space, [](char c) { return is_tag_char(static_cast<unsigned char>(c)); })) {
        cmd_.tag = std::string(kept.substr(0, space));
        have_tag_ = true;
      }
    }
    std::string tail = tail_;
    if (!tail.empty() && tail.back() == '\r') tail.pop_back();
    return fail_with_marker("Line too long (limit " + std::to_string(limits_.max_line) + " octets)", tail);
  }
  std::string line = std::move(line_);
  line_.clear();
  size_t length = line_length_;
  line_length_ = 0;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty() && command_bytes_ == 0 && !have_tag_) return std::monostate{};  // stray empty line
  command_bytes_ += length + 1;
  if (command_bytes_ > command_limit())
    return fail_with_marker("Command too long (limit " + std::to_string(command_limit()) + " octets)", line);
  if (auto error = tokenize(line)) return fail_with_marker(*error, line);
  if (literal_announced_) return start_literal();
  if (!stack_.empty()) return fail("Missing ')': " + std::to_string(stack_.size()) + " list(s) not closed");
  return complete();
}

CommandReader::Outcome CommandReader::start_literal() {
  size_t size = literal_size_;
  bool non_sync = literal_non_sync_;
  // A refused {n} is never sent. The octets of a refused {n+} are on their
  // way: skipped when within max_literal, else the connection must close.
  size_t literal_limit = std::min(limits_.max_literal, command_limit());
  if (size > literal_limit)
    return fail("Literal too large (" + std::to_string(size) + " octets, limit " + std::to_string(literal_limit) + ")",
                non_sync);
  if (command_bytes_ + size > command_limit()) {
    std::string text = "Command too long (limit " + std::to_string(command_limit()) + " octets)";
    if (!non_sync) return fail(std::move(text));
    literal_announced_ = false;
    pending_error_ = std::move(text);
    skip_left_ = size;
    state_ = size > 0 ? State::skip_literal : State::skip_line;
    tail_.clear();
    return std::monostate{};
  }
  literal_announced_ = false;
  command_bytes_ += size;
  literal_.clear();
  literal_.reserve(std::min<size_t>(size, 1 << 20));  // grow as bytes arrive, not as announced
  state_ = State::literal;
  // A zero-length literal is complete at once (after the "+" for {0}).
  Outcome done = size == 0 ? finish_literal_bytes() : Outcome{};
  if (non_sync || std::holds_alternative<ReadError>(done)) return done;
  return LiteralWanted{size};
}

CommandReader::Step CommandReader::feed_literal(std::string_view input) {
  Step step;
  size_t want = literal_size_ - literal_.size();
  size_t take = std::min(want, input.size());
  literal_.append(input.substr(0, take));
  step.consumed = take;
  if (literal_.size() == literal_size_) step.outcome = finish_literal_bytes();
  return step;
}

CommandReader::Outcome CommandReader::finish_literal_bytes() {
  Arg arg = Arg::string(std::move(literal_), true);
  literal_.clear();
  literal_size_ = 0;
  literal_non_sync_ = false;
  state_ = State::line;
  if (auto error = push_arg(std::move(arg))) {
    // The rest of the command still has to be read past.
    pending_error_ = *error;
    state_ = State::skip_line;
    tail_.clear();
    return std::monostate{};
  }
  need_separator_ = true;
  return std::monostate{};
}

CommandReader::Step CommandReader::feed_skip_literal(std::string_view input) {
  Step step;
  step.consumed = std::min(skip_left_, input.size());
  skip_left_ -= step.consumed;
  if (skip_left_ == 0) {
    state_ = State::skip_line;
    tail_.clear();
    line_length_ = 0;
  }
  return step;
}

CommandReader::Outcome CommandReader::end_of_skipped_line() {
  std::string tail = tail_;
  tail_.clear();
  line_length_ = 0;
  if (!tail.empty() && tail.back() == '\r') tail.pop_back();
  std::string text = pending_error_;
  return fail_with_marker(text, tail);
}

// An error in a line that may end in a literal marker: a {n} is never sent
// (we answer instead of "+"), but the n octets of a {n+} are coming and must
// not be taken for commands.
CommandReader::Outcome CommandReader::fail_with_marker(std::string text, std::string_view line_end) {
  auto marker = trailing_literal(line_end);
  if (!marker || !marker->non_sync) return fail(std::move(text));
  if (!marker->valid || marker->size > std::max(limits_.max_literal, limits_.max_other_command))
    return fail(std::move(text), true);
  pending_error_ = std::move(text);
  skip_left_ = marker->size;
  line_.clear();
  line_too_long_ = false;
  tail_.clear();
  line_length_ = 0;
  state_ = skip_left_ > 0 ? State::skip_literal : State::skip_line;
  return std::monostate{};
}

CommandReader::Outcome CommandReader::fail(std::string text, bool close) {
  ReadError error{current_tag(), std::move(text), close};
  reset();
  return error;
}

CommandReader::Outcome CommandReader::complete() {
  if (!have_tag_) return fail("Missing tag");
  if (cmd_.name.empty()) return fail("Missing command name");
  if (expect_uid_name_) return fail("UID must be followed by a command (COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE)");
  Command done = std::move(cmd_);
  reset();
  return done;
}

std::optional<std::string> CommandReader::push_arg(Arg arg) {
  if (!stack_.empty()) {
    stack_.back().push_back(std::move(arg));
    return std::nullopt;
  }
  if (!have_tag_) {
    if (!arg.is_atom() || arg.text.empty() || arg.text == "*" ||
        !std::all_of(arg.text.begin(), arg.text.end(), [](char c) { return is_tag_char(static_cast<unsigned char>(c)); }))
      return std::string("Invalid tag");
    cmd_.tag = std::move(arg.text);
    have_tag_ = true;
    return std::nullopt;
  }
  if (cmd_.name.empty() || expect_uid_name_) {
    bool valid = arg.is_atom() && !arg.text.empty() &&
                 std::all_of(arg.text.begin(), arg.text.end(), [](char c) {
                   return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_' || c == '.';
                 });
    if (!valid) return std::string("Invalid command name");
    std::string name = to_upper(arg.text);
    if (expect_uid_name_) {
      expect_uid_name_ = false;
      cmd_.uid = true;
      cmd_.name = std::move(name);
    } else if (name == "UID") {
      expect_uid_name_ = true;
      cmd_.name = std::move(name);
    } else {
      cmd_.name = std::move(name);
    }
    return std::nullopt;
  }
  cmd_.args.push_back(std::move(arg));
  return std::nullopt;
}

// Tokenizes one line (CRLF removed) into the open command. Returns the BAD
// text on a syntax error. A literal marker must end the line; it sets
// literal_size_/literal_non_sync_ and state_ for the caller.
std::optional<std::string> CommandReader::tokenize(std::string_view line) {
  size_t i = 0;
  const size_t n = line.size();
  auto separator_ok = [&](size_t at) { return at >= n || line[at] == ' ' || line[at] == ')'; };
  if (need_separator_ && !separator_ok(0)) return std::string("Missing space after a literal");
  need_separator_ = false;
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == ' ') {
      ++i;
      continue;
    }
    if (c == '(') {
      if (stack_.size() >= limits_.max_depth)
        return "Too deeply nested parentheses (limit " + std::to_string(limits_.max_depth) + ")";
      stack_.emplace_back();
      ++i;
      continue;
    }
    if (c == ')') {
      if (stack_.empty()) return std::string("Unexpected ')'");
      Arg list = Arg::list(std::move(stack_.back()));
      stack_.pop_back();
      if (auto error = push_arg(std::move(list))) return error;
      ++i;
      if (!separator_ok(i)) return std::string("Missing space after ')'");
      continue;
    }
    if (c == '"') {
      std::string value;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= n) return std::string("Unterminated quoted string");
        unsigned char q = static_cast<unsigned char>(line[j]);
        if (q == '"') break;
        if (q == '\\') {
          if (j + 1 >= n || (line[j + 1] != '\\' && line[j + 1] != '"'))
            return std::string("Invalid escape in quoted string (only \\\\ and \\\" are allowed)");
          value.push_back(line[++j]);
          continue;
        }
        if (q == '\0' || q == '\r') return std::string("Control character in quoted string");
        value.push_back(static_cast<char>(q));
      }
      if (auto error = push_arg(Arg::string(std::move(value)))) return error;
      i = j + 1;
      if (!separator_ok(i)) return std::string("Missing space after a quoted string");
      continue;
    }
    if (c == '{') {
      auto marker = trailing_literal(line.substr(i));
      if (!marker || marker->start != 0) return std::string("Invalid literal: a literal {n} must end the line");
      if (!marker->valid) return std::string("Invalid literal size");
      literal_size_ = marker->size;
      literal_non_sync_ = marker->non_sync;
      literal_announced_ = true;
      return std::nullopt;
    }
    // An atom; BODY[...]-style items keep their bracketed section whole.
    size_t j = i;
    while (j < n) {
      unsigned char a = static_cast<unsigned char>(line[j]);
      if (a == ' ' || a == '(' || a == ')') break;
      if (is_ctl(a)) return std::string("Control character in command");
      if (a >= 0x80) return std::string("8-bit character outside a quoted string or literal");
      if (a == '"' || a == '{') return std::string("Invalid character '") + static_cast<char>(a) + "' in atom";
      if (a == '[' && opens_section(line.substr(i, j - i))) {
        size_t k = j + 1;
        for (; k < n && line[k] != ']'; ++k) {
          unsigned char b = static_cast<unsigned char>(line[k]);
          if (b == '"') {
            for (++k; k < n && line[k] != '"'; ++k)
              if (line[k] == '\\') ++k;
            if (k >= n) return std::string("Unterminated quoted string in section");
            continue;
          }
          if (b == '[') return std::string("Nested '[' in section");
          if (b == '{') return std::string("Literals inside a section are not supported; send a quoted string");
          if (is_ctl(b) || b >= 0x80) return std::string("Invalid character in section");
        }
        if (k >= n) return std::string("Missing ']' in section");
        j = k + 1;
        continue;
      }
      ++j;
    }
    if (auto error = push_arg(Arg::atom(std::string(line.substr(i, j - i))))) return error;
    i = j;
  }
  return std::nullopt;
}

}  // namespace postern::imap
