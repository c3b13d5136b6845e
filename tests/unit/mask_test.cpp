// The secret masker: whole texts (sink's messages) and streams in pieces (a step's output).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "util/mask.hpp"

using namespace sink;

namespace {

const std::string M = "••••••";

// The stream cut into pieces at each of `cuts`, fed one by one: what comes out, and what
// each piece gave at once.
std::string streamed(const std::vector<std::string>& secrets, const std::string& text, std::vector<std::size_t> cuts,
                     std::vector<std::string>* each = nullptr) {
  SecretMask mask(secrets);
  std::string out;
  std::size_t from = 0;
  cuts.push_back(text.size());
  for (const std::size_t cut : cuts) {
    const std::string now = mask.feed(text.substr(from, cut - from));
    if (each) each->push_back(now);
    out += now;
    from = cut;
  }
  return out + mask.flush();
}

}  // namespace

TEST_CASE("mask: every occurrence, longest secret first, so that one inside another goes whole") {
  CHECK(mask_secrets("a hunter2 b hunter2", {"hunter2"}) == "a " + M + " b " + M);
  CHECK(mask_secrets("Bearer abc123", {"Bearer abc123", "abc123"}) == M);
  CHECK(mask_secrets("nothing here", {"secret"}) == "nothing here");
  CHECK(mask_secrets("x", {}) == "x");
}

TEST_CASE("mask: a stream gives the same text as the whole, wherever it is cut") {
  const std::vector<std::vector<std::string>> cases = {
      {"secret"},
      {"abcdef", "abc"},            // a secret that is the start of another
      {"abcd", "xab"},              // overlapping secrets
      {"aab"},                      // a secret whose start repeats in itself
      {"topsecret", "secret", "top"},
  };
  const std::string text = "1 secret 2 abcdef 3 abc 4 xabcd 5 aaab 6 topsecretive 7 secre";
  for (const auto& secrets : cases) {
    const std::string whole = mask_secrets(text, secrets);
    for (std::size_t i = 0; i <= text.size(); ++i) {
      CHECK(streamed(secrets, text, {i}) == whole);
      for (std::size_t j = i; j <= text.size(); j += 3) CHECK(streamed(secrets, text, {i, j}) == whole);
    }
    // One byte at a time.
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < text.size(); ++i) bytes.push_back(i);
    CHECK(streamed(secrets, text, bytes) == whole);
  }
}

TEST_CASE("mask: a stream holds back only a real start of a secret") {
  std::vector<std::string> each;
  CHECK(streamed({"hunter2"}, "progress 50%\rprogress 100%\nPassword: hun", {13, 27}, &each) ==
        "progress 50%\rprogress 100%\nPassword: hun");
  CHECK(each[0] == "progress 50%\r");      // nothing held: no secret starts here
  CHECK(each[1] == "progress 100%\n");
  CHECK(each[2] == "Password: ");          // "hun" may be the start of hunter2
  each.clear();
  CHECK(streamed({"hunter2"}, "hunter2hunt", {3, 7}, &each) == M + "hunt");
  CHECK(each == std::vector<std::string>{"", M, ""});
  // A secret that ends the text is shown masked at once, unless a longer one may follow.
  CHECK(SecretMask({"abc"}).feed("xabc") == "x" + M);
  CHECK(SecretMask({"abcdef", "abc"}).feed("xabc") == "x");
}

TEST_CASE("mask_order: values under 3 bytes are left out, the rest longest first") {
  const std::vector<std::string> order = mask_order({"ab", "token", "", "x", "secret-longer", "abc"});
  CHECK(order == std::vector<std::string>{"secret-longer", "token", "abc"});
  // The order is what lets mask_secrets mask a secret that holds another, whole.
  CHECK(mask_secrets("id=secret-longer", mask_order({"secret", "secret-longer"})) == "id=••••••");
}
