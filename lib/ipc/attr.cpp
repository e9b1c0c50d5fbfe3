// Attribute protocol codec (see attr.hpp). Any process.
#include "lib/ipc/attr.hpp"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::ipc {

namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Error protocol_error(const std::string& what) { return Error{"protocol error: " + what, EPROTO}; }

// Adds one "name=value" line to attrs.
Status parse_line(std::string_view line, AttrList& attrs) {
  auto eq = line.find('=');
  if (eq == std::string_view::npos) return protocol_error("record without '='");
  std::string_view name = line.substr(0, eq);
  if (!valid_name(name)) return protocol_error("bad attribute name");
  auto value = unescape_value(line.substr(eq + 1));
  if (!value) return protocol_error("bad escape in attribute " + std::string(name));
  if (attrs.items().size() >= kMaxAttrs) return protocol_error("too many attributes");
  attrs.add(std::string(name), std::move(*value));
  return {};
}

}  // namespace

std::optional<std::string> AttrList::get(std::string_view name) const {
  for (const auto& [n, v] : items_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> AttrList::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : items_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

std::string escape_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f || c == '%') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<std::string> unescape_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= value.size()) return std::nullopt;
    int hi = hex_digit(value[i + 1]);
    int lo = hex_digit(value[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string encode(const AttrList& attrs) {
  std::string out;
  for (const auto& [name, value] : attrs.items()) {
    out += name;
    out += '=';
    out += escape_value(value);
    out += '\n';
  }
  out += '\n';
  return out;
}

Result<AttrList> AttrReader::parse(std::string_view wire) {
  AttrList attrs;
  while (!wire.empty()) {
    auto nl = wire.find('\n');
    if (nl == std::string_view::npos) return protocol_error("missing terminator");
    std::string_view line = wire.substr(0, nl);
    wire.remove_prefix(nl + 1);
    if (line.empty()) {
      if (!wire.empty()) return protocol_error("data after terminator");
      return attrs;
    }
    if (line.size() > kMaxAttrLine) return protocol_error("line too long");
    if (auto ok = parse_line(line, attrs); !ok) return ok.error();
  }
  return protocol_error("missing terminator");
}

Result<std::string> AttrReader::read_line() {
  for (;;) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      if (nl > kMaxAttrLine) return protocol_error("line too long");
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (buffer_.size() > kMaxAttrLine) return protocol_error("line too long");
    if (timeout_ > 0) {
      struct pollfd pfd{fd_, POLLIN, 0};
      int rc = ::poll(&pfd, 1, timeout_ * 1000);
      if (rc < 0 && errno == EINTR) continue;
      if (rc == 0) return Error{"timeout reading attributes", ETIMEDOUT};
    }
    char buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read attributes");
    if (n == 0) return Error{"lost connection while reading attributes", EPIPE};
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

Result<AttrList> AttrReader::read() {
  AttrList attrs;
  for (;;) {
    auto line = read_line();
    if (!line) return line.error();
    if (line->empty()) return attrs;
    if (auto ok = parse_line(*line, attrs); !ok) return ok.error();
  }
}

Status write_attrs(int fd, const AttrList& attrs) { return write_all(fd, encode(attrs)); }

Result<std::string> require(const AttrList& attrs, std::string_view name) {
  auto v = attrs.get(name);
  if (!v) return protocol_error("missing attribute " + std::string(name));
  return *v;
}

Result<long long> require_int(const AttrList& attrs, std::string_view name) {
  auto v = require(attrs, name);
  if (!v) return v.error();
  auto n = parse_long(*v);
  if (!n) return protocol_error("attribute " + std::string(name) + " is not a number");
  return *n;
}

}  // namespace postern::ipc
