// TLS contexts from files and a server handshake on a socketpair, against an
// OpenSSL client in a thread; errors name the file and OpenSSL's reason.
#include <catch2/catch.hpp>

#include <openssl/ssl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "lib/tls/tls_server.hpp"

using namespace postern;

namespace {

struct CertDir {
  std::string path;
  CertDir() {
    char tmpl[] = "/tmp/tls_test.XXXXXX";
    path = ::mkdtemp(tmpl);
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test -keyout " + path +
                      "/key.pem -out " + path + "/cert.pem >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~CertDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("context errors name the file", "[tls]") {
  auto r = tls::TlsContext::server("/nonexistent/cert.pem", "/nonexistent/key.pem");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("ssl_cert /nonexistent/cert.pem") != std::string::npos);
}

TEST_CASE("server handshake and data both ways", "[tls]") {
  CertDir dir;
  auto ctx = tls::TlsContext::server(dir.path + "/cert.pem", dir.path + "/key.pem");
  REQUIRE(ctx.ok());
  int sp[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
  std::string client_got;
  std::thread client([&] {
    SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(cctx);
    SSL_set_fd(ssl, sp[1]);
    if (SSL_connect(ssl) == 1) {
      SSL_write(ssl, "hello\r\n", 7);
      char buf[64];
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) client_got.assign(buf, size_t(n));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(cctx);
    ::close(sp[1]);
  });
  auto stream = tls::TlsStream::accept(*ctx, sp[0]);
  REQUIRE(stream.ok());
  char buf[64];
  long n = stream->read(buf, sizeof buf);
  REQUIRE(n == 7);
  CHECK(std::string(buf, size_t(n)) == "hello\r\n");
  CHECK(stream->write("+OK\r\n").ok());
  CHECK(stream->description().find("TLSv1.") == 0);
  client.join();
  CHECK(client_got == "+OK\r\n");
  ::close(sp[0]);
}
