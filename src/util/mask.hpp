// Secret values replaced by •••••• wherever sink shows text: sink's own messages, whole,
// and a step's output, which arrives in pieces.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sink {

// The values worth masking, in the order mask_secrets needs: longest first, and none under
// 3 bytes (masking "1" or "no" would hide ordinary text, not a secret).
std::vector<std::string> mask_order(std::vector<std::string> secrets);

// `text` with every occurrence of each secret replaced by ••••••. `secrets` longest first,
// so that a secret inside another is masked with it, whole.
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

// mask_secrets over a stream: a secret split between pieces is masked too. Each piece is
// passed on at once but for a tail that is the start of a secret, held until the next
// piece (or the end) tells. The secrets are put in mask_order.
class SecretMask {
 public:
  explicit SecretMask(std::vector<std::string> secrets) : secrets_(mask_order(std::move(secrets))) {}
  std::string feed(std::string_view piece);
  std::string flush() { return mask_secrets(std::exchange(held_, {}), secrets_); }

 private:
  std::vector<std::string> secrets_;
  std::string held_;
};

}  // namespace sink
