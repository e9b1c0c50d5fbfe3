// SMTP session transcript (see transcript.hpp). Pure; runs in smtpd.
#include "lib/smtp/transcript.hpp"

#include <algorithm>
#include <cctype>

namespace postern::smtp {
namespace {

bool iequal_word(std::string_view word, std::string_view upper) {
  if (word.size() != upper.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(word[i])) != upper[i]) return false;
  return true;
}

}  // namespace

Transcript::Transcript(std::size_t max_lines, std::size_t max_line)
    : head_limit_(std::max<std::size_t>(max_lines / 2, 1)),
      tail_limit_(std::max<std::size_t>(max_lines - max_lines / 2, 1)),
      max_line_(std::max<std::size_t>(max_line, 16)) {}

void Transcript::client_line(std::string_view line) {
  // "AUTH PLAIN <base64 of the password>": keep the verb and mechanism only.
  auto sp = line.find_first_of(" \t");
  if (sp != std::string_view::npos && iequal_word(line.substr(0, sp), "AUTH")) {
    std::string_view rest = line.substr(sp);
    auto mech_start = rest.find_first_not_of(" \t");
    if (mech_start != std::string_view::npos) {
      auto mech_end = rest.find_first_of(" \t", mech_start);
      if (mech_end != std::string_view::npos && rest.find_first_not_of(" \t", mech_end) != std::string_view::npos) {
        std::string kept(line.substr(0, sp + mech_end));
        kept += " ";
        kept += kHidden;
        return add("In:  ", kept);
      }
    }
  }
  add("In:  ", line);
}

void Transcript::client_secret() { add("In:  ", kHidden); }

void Transcript::server_text(std::string_view wire) {
  while (!wire.empty()) {
    auto lf = wire.find('\n');
    std::string_view line = wire.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    add("Out: ", line);
    if (lf == std::string_view::npos) break;
    wire.remove_prefix(lf + 1);
  }
}

void Transcript::add(std::string_view prefix, std::string_view text) {
  std::string line(prefix);
  const bool cut = text.size() > max_line_;
  for (char c : text.substr(0, max_line_)) {
    auto u = static_cast<unsigned char>(c);
    // The notice is plain US-ASCII text: control and 8-bit bytes become '?'.
    line += (u < 0x20 && u != '\t') || u >= 0x7f ? '?' : c;
  }
  if (cut) line += "...";
  ++total_;
  if (head_.size() < head_limit_) {
    head_.push_back(std::move(line));
    return;
  }
  tail_.push_back(std::move(line));
  if (tail_.size() > tail_limit_) {
    tail_.pop_front();
    ++omitted_;
  }
}

std::vector<std::string> Transcript::lines() const {
  std::vector<std::string> out(head_.begin(), head_.end());
  if (omitted_ > 0) out.push_back("... " + std::to_string(omitted_) + " lines omitted ...");
  out.insert(out.end(), tail_.begin(), tail_.end());
  return out;
}

void Transcript::clear() {
  head_.clear();
  tail_.clear();
  total_ = 0;
  omitted_ = 0;
}

}  // namespace postern::smtp
