// A small stand-in for libFuzzer when building with g++: runs every seed in
// the corpus folders given as arguments, then random and mutated inputs for
// POSTERN_FUZZ_SECONDS seconds. The seed is printed so a failure can be
// replayed with POSTERN_FUZZ_SEED. Test-only; never installed.
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> load_corpus(int argc, char** argv) {
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string dir = argv[i];
    if (!dir.empty() && dir[0] == '-') continue;  // libFuzzer-style flags are ignored
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : names) {
      std::ifstream in(dir + "/" + name, std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      seeds.push_back(buf.str());
    }
  }
  return seeds;
}

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// Mutations in the spirit of libFuzzer's: flip, insert, erase, duplicate,
// splice with another seed, and insert protocol-relevant bytes.
std::string mutate(std::string s, const std::vector<std::string>& pool, std::mt19937_64& rng) {
  static const char* const tokens[] = {"\r\n", "\n", "\r", ".", "\r\n.\r\n", "<", ">", "@", ":", "=",
                                       "\"", "\\", " ", "+", "\xff", "\xc3\xa9", "\0"};
  int rounds = 1 + int(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[pos % s.size()] ^= char(1u << (rng() % 8));
        break;
      case 1:
        s.insert(pos, 1, char(rng() & 0xff));
        break;
      case 2:
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 8);
        break;
      case 3: {
        const char* t = tokens[rng() % (sizeof tokens / sizeof tokens[0])];
        s.insert(pos, t[0] ? std::string(t) : std::string(1, '\0'));
        break;
      }
      case 4:
        if (!s.empty()) {
          size_t from = rng() % s.size();
          s.insert(pos, s.substr(from, 1 + rng() % 16));
        }
        break;
      case 5:
        if (!pool.empty()) {
          const std::string& other = pool[rng() % pool.size()];
          if (!other.empty()) s.insert(pos, other.substr(rng() % other.size(), 1 + rng() % 32));
        }
        break;
    }
    if (s.size() > 64 * 1024) s.resize(64 * 1024);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds = load_corpus(argc, argv);
  for (const auto& s : seeds) run(s);

  double seconds = 10;
  if (const char* env = ::getenv("POSTERN_FUZZ_SECONDS")) seconds = ::atof(env);
  uint64_t seed = std::random_device{}();
  if (const char* env = ::getenv("POSTERN_FUZZ_SEED")) seed = ::strtoull(env, nullptr, 10);
  std::printf("fuzz: %zu seeds, %.1f s, POSTERN_FUZZ_SEED=%llu\n", seeds.size(), seconds,
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);

  std::mt19937_64 rng(seed);
  std::vector<std::string> pool = seeds;
  if (pool.empty()) pool.emplace_back();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  uint64_t runs = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string input;
    if (rng() % 8 == 0) {
      input.resize(rng() % 512);
      for (char& c : input) c = char(rng() & 0xff);
    } else {
      input = mutate(pool[rng() % pool.size()], pool, rng);
      // Keep a few mutants as parents so mutations can stack up.
      if (rng() % 16 == 0 && pool.size() < 4096) pool.push_back(input);
    }
    run(input);
    ++runs;
  }
  std::printf("fuzz: %llu runs, no crash\n", static_cast<unsigned long long>(runs));
  return 0;
}
