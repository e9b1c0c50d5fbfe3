// Password scheme verification and hashing: crypt(3) schemes through
// libxcrypt's crypt_r, digest schemes and CRAM-MD5 through OpenSSL.
// Runs in the auth daemon and postern-pw; no privilege needed.
#define OPENSSL_SUPPRESS_DEPRECATED 1  // CRAM-MD5 needs MD5's intermediate state
#include "lib/auth/password_scheme.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>
#include <vector>

#include "lib/auth/sasl_codec.hpp"
#include "lib/base/strings.hpp"

namespace postern::auth {
namespace {

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Crypt-family schemes and the salt prefix each one hashes with.
struct CryptScheme {
  std::string_view name;
  const char* prefix;  // for crypt_gensalt; nullptr: verify only
};
constexpr CryptScheme kCrypt[] = {
    {"SHA512-CRYPT", "$6$"}, {"SHA256-CRYPT", "$5$"}, {"MD5-CRYPT", "$1$"}, {"MD5", "$1$"},
    {"BLF-CRYPT", "$2y$"},   {"YESCRYPT", "$y$"},     {"CRYPT", nullptr},   {"DES-CRYPT", nullptr},
};

const CryptScheme* crypt_scheme(std::string_view name) {
  for (const auto& c : kCrypt)
    if (c.name == name) return &c;
  return nullptr;
}

// Digest schemes: {SHA}, {SSHA}, ... base64 of digest (+ salt for the S forms).
struct DigestScheme {
  std::string_view name;
  const char* md;
  bool salted;
  bool hex;
};
constexpr DigestScheme kDigest[] = {
    {"SHA", "SHA1", false, false},        {"SHA1", "SHA1", false, false},      {"SSHA", "SHA1", true, false},
    {"SHA256", "SHA256", false, false},   {"SSHA256", "SHA256", true, false},  {"SHA512", "SHA512", false, false},
    {"SSHA512", "SHA512", true, false},   {"PLAIN-MD5", "MD5", false, true},   {"LDAP-MD5", "MD5", false, false},
    {"SMD5", "MD5", true, false},
};

const DigestScheme* digest_scheme(std::string_view name) {
  for (const auto& d : kDigest)
    if (d.name == name) return &d;
  return nullptr;
}

std::string digest(const char* md_name, std::string_view a, std::string_view b) {
  const EVP_MD* md = EVP_get_digestbyname(md_name);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), md, nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      c = char(c | 0x20);
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(char(hi * 16 + lo));
  }
  return out;
}

Verify verify_crypt(std::string_view hashed, std::string_view plain) {
  auto data = std::make_unique<crypt_data>();
  std::string h(hashed), p(plain);
  const char* out = crypt_r(p.c_str(), h.c_str(), data.get());
  wipe(p);
  bool ok = out && out[0] != '*' && equal_secret(out, hashed);
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return ok ? Verify::match : Verify::mismatch;
}

void put_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}
uint32_t get_le32(const unsigned char* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }

}  // namespace

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

StoredPassword split_stored(std::string_view stored, std::string_view default_scheme) {
  if (stored.size() > 2 && stored.front() == '{') {
    auto close = stored.find('}');
    if (close != std::string_view::npos) {
      std::string scheme = to_upper(stored.substr(1, close - 1));
      // Dovecot's ".b64"/".hex" encoding suffixes: only the default encodings are supported.
      if (auto dot = scheme.find('.'); dot != std::string::npos) scheme.resize(dot);
      return {scheme, std::string(stored.substr(close + 1))};
    }
  }
  std::string scheme = default_scheme.empty() ? std::string("CRYPT") : to_upper(default_scheme);
  return {scheme, std::string(stored)};
}

Verify verify_password(const StoredPassword& stored, std::string_view plain) {
  const std::string& s = stored.scheme;
  if (s == "PLAIN" || s == "CLEARTEXT" || s == "CLEAR")
    return equal_secret(stored.data, plain) ? Verify::match : Verify::mismatch;
  if (crypt_scheme(s)) return verify_crypt(stored.data, plain);
  if (const DigestScheme* d = digest_scheme(s)) {
    std::string raw;
    if (d->hex) {
      auto h = from_hex(stored.data);
      if (!h) return Verify::mismatch;
      raw = *h;
    } else {
      auto b = base64_decode(stored.data);
      if (!b) return Verify::mismatch;
      raw = *b;
    }
    size_t dlen = size_t(EVP_MD_get_size(EVP_get_digestbyname(d->md)));
    if (raw.size() < dlen || (!d->salted && raw.size() != dlen)) return Verify::mismatch;
    std::string salt = raw.substr(dlen);
    return equal_secret(digest(d->md, plain, salt), raw.substr(0, dlen)) ? Verify::match : Verify::mismatch;
  }
  if (s == "CRAM-MD5") {
    // Can't verify a plain password from the HMAC state directly: recompute it.
    return equal_secret(cram_md5_context(plain), to_lower(stored.data)) ? Verify::match : Verify::mismatch;
  }
  return Verify::unsupported;
}

Result<std::string> hash_password(std::string_view scheme_in, std::string_view plain, int rounds) {
  std::string scheme = to_upper(scheme_in);
  if (scheme == "PLAIN" || scheme == "CLEARTEXT") return "{" + scheme + "}" + std::string(plain);
  if (scheme == "CRAM-MD5") return "{CRAM-MD5}" + cram_md5_context(plain);
  if (const CryptScheme* c = crypt_scheme(scheme); c && c->prefix) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn(c->prefix, rounds, nullptr, 0, salt, sizeof salt))
      return Error{"cannot make a salt for " + scheme};
    auto data = std::make_unique<crypt_data>();
    std::string p(plain);
    const char* out = crypt_r(p.c_str(), salt, data.get());
    wipe(p);
    if (!out || out[0] == '*') return Error{"crypt failed for " + scheme};
    std::string result = "{" + scheme + "}" + out;
    OPENSSL_cleanse(data.get(), sizeof(crypt_data));
    return result;
  }
  if (const DigestScheme* d = digest_scheme(scheme)) {
    std::string salt;
    if (d->salted) {
      salt.resize(8);
      RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), int(salt.size()));
    }
    std::string raw = digest(d->md, plain, salt) + salt;
    return "{" + scheme + "}" + (d->hex ? to_hex(raw) : base64_encode(raw));
  }
  return Error{"unknown scheme: " + std::string(scheme_in)};
}

std::string_view supported_schemes() {
  return "SHA512-CRYPT SHA256-CRYPT BLF-CRYPT MD5-CRYPT YESCRYPT CRAM-MD5 PLAIN CLEARTEXT SHA SSHA SHA256 SSHA256 "
         "SHA512 SSHA512 PLAIN-MD5 LDAP-MD5 SMD5";
}

std::string cram_md5_context(std::string_view secret_in) {
  std::string key(secret_in);
  if (key.size() > 64) key = digest("MD5", key, "");
  unsigned char ipad[64], opad[64];
  std::memset(ipad, 0x36, 64);
  std::memset(opad, 0x5c, 64);
  for (size_t i = 0; i < key.size(); ++i) {
    ipad[i] ^= static_cast<unsigned char>(key[i]);
    opad[i] ^= static_cast<unsigned char>(key[i]);
  }
  wipe(key);
  MD5_CTX ictx, octx;
  MD5_Init(&ictx);
  MD5_Update(&ictx, ipad, 64);
  MD5_Init(&octx);
  MD5_Update(&octx, opad, 64);
  std::string raw;
  for (MD5_CTX* c : {&ictx, &octx}) {
    put_le32(raw, c->A);
    put_le32(raw, c->B);
    put_le32(raw, c->C);
    put_le32(raw, c->D);
  }
  OPENSSL_cleanse(ipad, 64);
  OPENSSL_cleanse(opad, 64);
  OPENSSL_cleanse(&ictx, sizeof ictx);
  OPENSSL_cleanse(&octx, sizeof octx);
  return to_hex(raw);
}

std::optional<std::string> cram_md5_response_from_context(std::string_view context_hex, std::string_view challenge) {
  auto raw = from_hex(context_hex);
  if (!raw || raw->size() != 32) return std::nullopt;
  auto* p = reinterpret_cast<const unsigned char*>(raw->data());
  auto load = [&](MD5_CTX& c, const unsigned char* q) {
    MD5_Init(&c);
    c.A = get_le32(q);
    c.B = get_le32(q + 4);
    c.C = get_le32(q + 8);
    c.D = get_le32(q + 12);
    c.Nl = 512;  // one 64-byte block (the pad) already processed
  };
  MD5_CTX ictx, octx;
  load(ictx, p);
  load(octx, p + 16);
  unsigned char inner[16], outer[16];
  MD5_Update(&ictx, challenge.data(), challenge.size());
  MD5_Final(inner, &ictx);
  MD5_Update(&octx, inner, 16);
  MD5_Final(outer, &octx);
  return to_hex(std::string_view(reinterpret_cast<char*>(outer), 16));
}

}  // namespace postern::auth
