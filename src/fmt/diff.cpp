#include "fmt/diff.hpp"

#include <algorithm>
#include <span>
#include <vector>

namespace sink {
namespace {

using Lines = std::span<const std::string_view>;

// Lines with their newline (the last one may have none).
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t from = 0, nl; from < s.size(); from = nl + 1) {
    nl = std::min(s.find('\n', from), s.size() - 1);
    out.push_back(s.substr(from, nl + 1 - from));
  }
  return out;
}

enum class Op { Same, Del, Add };

// Myers' O(ND) shortest edit script of a and b. Past `max_d` differences it gives up on
// finding the shortest and replaces the whole of a by b (still a correct diff).
std::vector<Op> edit_script(Lines a, Lines b, int max_d = 2000) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size()), off = n + m + 1;
  std::vector<int> v(static_cast<std::size_t>(2 * off + 1), 0);
  std::vector<std::vector<int>> trace;  // trace[d]: v for k in [-(d+1), d+1] before step d
  // Whether the path to diagonal k at step d comes down from k + 1 (an insertion).
  auto down = [](int k, int d, auto&& at) { return k == -d || (k != d && at(k - 1) < at(k + 1)); };
  int found = -1;
  for (int d = 0; d <= std::min(n + m, max_d) && found < 0; ++d) {
    trace.emplace_back(v.begin() + off - (d + 1), v.begin() + off + d + 2);
    for (int k = -d; k <= d && found < 0; k += 2) {
      int x = down(k, d, [&](int j) { return v[off + j]; }) ? v[off + k + 1] : v[off + k - 1] + 1;
      for (int y = x - k; x < n && y < m && a[x] == b[y]; ++y) ++x;
      v[off + k] = x;
      if (x >= n && x - k >= m) found = d;
    }
  }
  std::vector<Op> ops;
  if (found < 0) {
    ops.assign(a.size(), Op::Del);
    ops.insert(ops.end(), b.size(), Op::Add);
    return ops;
  }
  for (int d = found, x = n, y = m; d >= 0; --d) {
    const auto at = [&](int k) { return trace[d][k + d + 1]; };
    const int prev_k = down(x - y, d, at) ? x - y + 1 : x - y - 1;
    const int prev_x = d == 0 ? 0 : at(prev_k), prev_y = d == 0 ? 0 : prev_x - prev_k;
    for (; x > prev_x && y > prev_y; --x, --y) ops.push_back(Op::Same);
    if (d > 0) ops.push_back(x == prev_x ? Op::Add : Op::Del);
    x = prev_x;
    y = prev_y;
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

// GNU style: `start,len`, `start` alone for one line; an empty range names the line before it.
std::string range(std::size_t start, std::size_t len) {
  if (len == 1) return std::to_string(start + 1);
  return std::to_string(len == 0 ? start : start + 1) + "," + std::to_string(len);
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_name,
                         const std::string& after_name, int context) {
  if (before == after) return "";
  const auto a = split_lines(before), b = split_lines(after);
  // Common head and tail first: formatting changes little, and Myers is quadratic in the rest.
  std::size_t head = 0, tail = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  std::vector<Op> ops(head, Op::Same);
  const auto middle =
      edit_script(Lines(a).subspan(head, a.size() - head - tail), Lines(b).subspan(head, b.size() - head - tail));
  ops.insert(ops.end(), middle.begin(), middle.end());
  ops.insert(ops.end(), tail, Op::Same);

  // Where each op stands in a and b.
  std::vector<std::size_t> ai(ops.size() + 1), bi(ops.size() + 1);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    ai[i + 1] = ai[i] + (ops[i] != Op::Add);
    bi[i + 1] = bi[i] + (ops[i] != Op::Del);
  }
  std::string out = "--- " + before_name + "\n+++ " + after_name + "\n";
  const auto ctx = static_cast<std::size_t>(context);
  for (std::size_t i = 0; i < ops.size();) {
    if (ops[i] == Op::Same) {
      ++i;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last
    // change that is at most 2 * context lines of sameness away.
    const std::size_t from = i > ctx ? i - ctx : 0;
    std::size_t last = i;  // the last change in the hunk
    for (std::size_t j = i; j < ops.size(); ++j) {
      if (ops[j] != Op::Same) last = j;
      else if (j - last > 2 * ctx) break;
    }
    const std::size_t to = std::min(ops.size(), last + 1 + ctx);
    out += "@@ -" + range(ai[from], ai[to] - ai[from]) + " +" + range(bi[from], bi[to] - bi[from]) + " @@\n";
    for (std::size_t j = from; j < to; ++j) {
      const std::string_view line = ops[j] == Op::Add ? b[bi[j]] : a[ai[j]];
      out += (ops[j] == Op::Same ? " " : ops[j] == Op::Del ? "-" : "+") + std::string(line);
      if (!line.ends_with('\n')) out += "\n\\ No newline at end of file\n";
    }
    i = to;
  }
  return out;
}

}  // namespace sink
