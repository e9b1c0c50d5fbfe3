// Queue file encoding and strict parsing. Encoding runs in cleanup (as
// mail_owner); parsing runs in qmgr, delivery agents and the queue tools, on
// files that a crash or a disk error may have damaged: never trust a length.
#include "lib/queue/queue_file.hpp"

#include <charconv>

namespace postern::queue {
namespace {

void put32(std::string& out, std::uint32_t v) {
  out += char(v >> 24);
  out += char(v >> 16);
  out += char(v >> 8);
  out += char(v);
}

std::uint32_t get32(std::string_view s) {
  auto b = [&](size_t i) { return std::uint32_t(static_cast<unsigned char>(s[i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

void put_record(std::string& out, char type, std::string_view payload) {
  out += type;
  put32(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
}

void put_attribute(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  std::string payload(name);
  payload += '=';
  payload.append(value);
  put_record(out, rec_attribute, payload);
}

Error corrupt(const std::string& why) { return Error{"corrupt queue file: " + why}; }

bool parse_time(std::string_view s, Envelope& env) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return false;
  auto [p1, e1] = std::from_chars(s.data(), s.data() + dot, env.arrival_seconds);
  if (e1 != std::errc() || p1 != s.data() + dot || dot == 0) return false;
  std::string_view us = s.substr(dot + 1);
  auto [p2, e2] = std::from_chars(us.data(), us.data() + us.size(), env.arrival_microseconds);
  return e2 == std::errc() && p2 == us.data() + us.size() && !us.empty() && env.arrival_microseconds < 1000000;
}

void set_attribute(Attributes& a, std::string_view name, std::string_view value) {
  std::string v(value);
  if (name == "client_name") a.client_name = v;
  else if (name == "client_address") a.client_address = v;
  else if (name == "protocol") a.protocol = v;
  else if (name == "helo_name") a.helo_name = v;
  else if (name == "sasl_username") a.sasl_username = v;
  else if (name == "envid") a.envid = v;
  else if (name == "ret") a.ret = v;
  else if (name == "body") a.body = v;
  else if (name == "smtputf8") a.smtputf8 = v == "1";
  else a.extra.emplace_back(std::string(name), v);
}

}  // namespace

std::string encode_envelope(const Envelope& env, std::uint64_t content_size) {
  std::string out(kMagic);
  out += char(kVersion);
  put_record(out, rec_time, std::to_string(env.arrival_seconds) + "." + std::to_string(env.arrival_microseconds));
  put_record(out, rec_sender, env.sender);
  const Attributes& a = env.attributes;
  put_attribute(out, "client_name", a.client_name);
  put_attribute(out, "client_address", a.client_address);
  put_attribute(out, "protocol", a.protocol);
  put_attribute(out, "helo_name", a.helo_name);
  put_attribute(out, "sasl_username", a.sasl_username);
  put_attribute(out, "envid", a.envid);
  put_attribute(out, "ret", a.ret);
  put_attribute(out, "body", a.body);
  if (a.smtputf8) put_attribute(out, "smtputf8", "1");
  for (const auto& [name, value] : a.extra) put_attribute(out, name, value);
  for (const auto& r : env.recipients) {
    std::string payload;
    payload += r.done ? kDone : kPending;
    payload += char(r.notify & 0xff);
    put32(payload, static_cast<std::uint32_t>(r.address.size()));
    payload += r.address;
    payload += r.orcpt;
    put_record(out, rec_recipient, payload);
  }
  out += char(rec_content);
  put32(out, static_cast<std::uint32_t>(content_size));
  return out;
}

Result<QueueFile> parse_queue_file(const ReadAt& read_at, std::uint64_t file_size) {
  QueueFile qf;
  auto header = read_at(0, kHeaderSize);
  if (!header) return header.error();
  if (header->size() < kHeaderSize || std::string_view(*header).substr(0, kMagic.size()) != kMagic)
    return corrupt("bad magic");
  if (static_cast<std::uint8_t>((*header)[kMagic.size()]) != kVersion)
    return corrupt("unsupported version " + std::to_string(static_cast<unsigned char>((*header)[kMagic.size()])));

  // Records come in this order; T, S, M and E exactly once, R at least once.
  const std::string_view order = "TSARME";
  size_t stage = 0;
  int seen_time = 0, seen_sender = 0;
  std::uint64_t pos = kHeaderSize;
  while (true) {
    if (file_size - pos < kRecordHeaderSize) return corrupt("truncated at offset " + std::to_string(pos));
    auto rh = read_at(pos, kRecordHeaderSize);
    if (!rh) return rh.error();
    if (rh->size() < kRecordHeaderSize) return corrupt("truncated record header");
    char type = (*rh)[0];
    std::uint32_t len = get32(std::string_view(*rh).substr(1));
    size_t at = order.find(type);
    if (at == std::string_view::npos) return corrupt("unknown record type at offset " + std::to_string(pos));
    if (at < stage) return corrupt(std::string("record ") + type + " out of order");
    if ((type == rec_time && seen_time++) || (type == rec_sender && seen_sender++))
      return corrupt(std::string("repeated record ") + type);
    if (at > 1 && (seen_time == 0 || seen_sender == 0)) return corrupt("missing time or sender record");
    if (at > order.find('R') && qf.envelope.recipients.empty()) return corrupt("no recipients");
    stage = at;
    std::uint64_t payload_at = pos + kRecordHeaderSize;
    if (file_size - payload_at < len) return corrupt("record runs past end of file");

    if (type == rec_content) {
      qf.content_offset = payload_at;
      qf.content_size = len;
      pos = payload_at + len;
      stage = at + 1;  // exactly one content record
      continue;
    }
    if (type == rec_end) {
      if (len != 0) return corrupt("bad end record");
      if (payload_at != file_size) return corrupt("data after end record");
      if (qf.content_offset == 0) return corrupt("no content record");
      return qf;
    }
    if (len > kMaxEnvelopeRecord) return corrupt("record too long");
    auto payload = read_at(payload_at, len);
    if (!payload) return payload.error();
    if (payload->size() != len) return corrupt("short read");
    std::string_view p = *payload;
    switch (type) {
      case rec_time:
        if (!parse_time(p, qf.envelope)) return corrupt("bad time record");
        break;
      case rec_sender:
        qf.envelope.sender = std::string(p);
        break;
      case rec_attribute: {
        size_t eq = p.find('=');
        if (eq == std::string_view::npos || eq == 0) return corrupt("bad attribute record");
        set_attribute(qf.envelope.attributes, p.substr(0, eq), p.substr(eq + 1));
        break;
      }
      case rec_recipient: {
        if (p.size() < 6 || (p[0] != kPending && p[0] != kDone)) return corrupt("bad recipient record");
        std::uint32_t alen = get32(p.substr(2));
        if (alen > p.size() - 6) return corrupt("bad recipient address length");
        Recipient r;
        r.done = p[0] == kDone;
        r.notify = static_cast<unsigned char>(p[1]);
        r.address = std::string(p.substr(6, alen));
        r.orcpt = std::string(p.substr(6 + alen));
        r.done_offset = payload_at;
        qf.envelope.recipients.push_back(std::move(r));
        break;
      }
      default:
        return corrupt("unexpected record");
    }
    pos = payload_at + len;
  }
}

Result<QueueFile> parse_queue_file(std::string_view bytes) {
  ReadAt read_at = [bytes](std::uint64_t offset, std::size_t size) -> Result<std::string> {
    if (offset >= bytes.size()) return std::string();
    return std::string(bytes.substr(offset, size));
  };
  return parse_queue_file(read_at, bytes.size());
}

}  // namespace postern::queue
