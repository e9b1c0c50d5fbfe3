// Client-side reply assembly and EHLO parsing (see client_reply.hpp).
#include "lib/smtp_client/client_reply.hpp"

#include <cctype>
#include <charconv>

namespace postern::smtp {

namespace {
bool is_enhanced(std::string_view word) {
  // class "." subject "." detail, class 2/4/5, up to 3 digits each side.
  if (word.size() < 5 || (word[0] != '2' && word[0] != '4' && word[0] != '5') || word[1] != '.') return false;
  int dots = 0;
  bool digit_before = false;
  for (std::size_t i = 1; i < word.size(); ++i) {
    if (word[i] == '.') {
      if (i > 1 && !digit_before) return false;
      ++dots;
      digit_before = false;
    } else if (std::isdigit(static_cast<unsigned char>(word[i]))) {
      digit_before = true;
    } else {
      return false;
    }
  }
  return dots == 2 && digit_before;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string ServerReply::enhanced() const {
  if (lines.empty()) return {};
  std::string_view first = lines.front();
  std::string_view word = first.substr(0, first.find(' '));
  return is_enhanced(word) ? std::string(word) : std::string();
}

std::string ServerReply::flat() const {
  std::string out = std::to_string(code);
  for (const auto& l : lines) {
    if (!l.empty()) out += ' ';
    out += l;
  }
  return out;
}

ReplyAssembler::Step ReplyAssembler::feed(std::string_view line) {
  int code = 0;
  if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
      !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])) ||
      (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
    error_ = "malformed reply line";
    current_ = {};
    return Step::error;
  }
  std::from_chars(line.data(), line.data() + 3, code);
  if (code < 200 || code > 599) {
    error_ = "reply code out of range";
    current_ = {};
    return Step::error;
  }
  if (!current_.lines.empty() && code != current_.code) {
    error_ = "reply code changed within a multi-line reply";
    current_ = {};
    return Step::error;
  }
  if (current_.lines.size() >= max_lines_) {
    error_ = "too many reply lines";
    current_ = {};
    return Step::error;
  }
  current_.code = code;
  current_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  return line.size() > 3 && line[3] == '-' ? Step::more : Step::done;
}

ServerReply ReplyAssembler::take() {
  ServerReply out = std::move(current_);
  current_ = {};
  return out;
}

EhloFeatures parse_ehlo(const ServerReply& reply) {
  EhloFeatures f;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::string_view line = reply.lines[i];
    auto space = line.find_first_of(" =");
    std::string keyword = upper(line.substr(0, space));
    std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (keyword == "PIPELINING") f.pipelining = true;
    else if (keyword == "8BITMIME") f.eightbitmime = true;
    else if (keyword == "DSN") f.dsn = true;
    else if (keyword == "STARTTLS") f.starttls = true;
    else if (keyword == "SMTPUTF8") f.smtputf8 = true;
    else if (keyword == "SIZE") {
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      f.size = (ec == std::errc() && end != rest.data()) ? n : 0;
    } else if (keyword == "AUTH") {
      // "AUTH PLAIN LOGIN" or the old "AUTH=PLAIN LOGIN".
      std::size_t pos = 0;
      while (pos < rest.size()) {
        auto end = rest.find(' ', pos);
        if (end == std::string_view::npos) end = rest.size();
        if (end > pos) {
          std::string mech = upper(rest.substr(pos, end - pos));
          bool seen = false;
          for (const auto& m : f.auth) seen = seen || m == mech;
          if (!seen) f.auth.push_back(mech);
        }
        pos = end + 1;
      }
    }
  }
  return f;
}

std::string default_enhanced(int code) {
  if (code >= 500) return "5.0.0";
  if (code >= 400) return "4.0.0";
  return "2.0.0";
}

}  // namespace postern::smtp
