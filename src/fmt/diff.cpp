#include "fmt/diff.hpp"

#include <algorithm>
#include <vector>

namespace sink {
namespace {

// Lines with their newline (the last one may have none).
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  while (from < s.size()) {
    const std::size_t nl = s.find('\n', from);
    const std::size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    out.push_back(s.substr(from, end - from));
    from = end;
  }
  return out;
}

enum class Op { Same, Del, Add };

// Myers' O(ND) shortest edit script of a and b. Past `max_d` differences it gives up on
// finding the shortest and replaces the whole of a by b (still a correct diff).
std::vector<Op> edit_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
                            int max_d = 2000) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max = n + m;
  std::vector<int> v(static_cast<std::size_t>(2 * max + 3), 0);
  const int off = max + 1;
  std::vector<std::vector<int>> trace;  // trace[d]: v for k in [-(d+1), d+1] before step d
  int found = -1;
  for (int d = 0; d <= max && d <= max_d && found < 0; ++d) {
    trace.emplace_back(v.begin() + off - (d + 1), v.begin() + off + d + 2);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  std::vector<Op> ops;
  if (found < 0) {
    ops.assign(a.size(), Op::Del);
    ops.insert(ops.end(), b.size(), Op::Add);
    return ops;
  }
  int x = n, y = m;
  for (int d = found; d >= 0; --d) {
    const std::vector<int>& t = trace[d];
    auto at = [&](int k) { return t[k + d + 1]; };
    const int k = x - y;
    const int prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    const int prev_x = d == 0 ? 0 : at(prev_k);
    const int prev_y = d == 0 ? 0 : prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      ops.push_back(Op::Same);
      --x, --y;
    }
    if (d > 0) ops.push_back(x == prev_x ? Op::Add : Op::Del);
    x = prev_x;
    y = prev_y;
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

std::string range(std::size_t start, std::size_t len) {
  // GNU style: an empty range names the line before it.
  if (len == 1) return std::to_string(start + 1);
  return std::to_string(len == 0 ? start : start + 1) + "," + std::to_string(len);
}

void put_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_name,
                         const std::string& after_name, int context) {
  if (before == after) return "";
  const auto a = split_lines(before), b = split_lines(after);
  // Common head and tail first: formatting changes little, and Myers is quadratic in the rest.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  std::vector<Op> ops(head, Op::Same);
  const auto middle = edit_script({a.begin() + static_cast<std::ptrdiff_t>(head), a.end() - static_cast<std::ptrdiff_t>(tail)},
                                  {b.begin() + static_cast<std::ptrdiff_t>(head), b.end() - static_cast<std::ptrdiff_t>(tail)});
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
  std::size_t i = 0;
  while (i < ops.size()) {
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
      if (ops[j] == Op::Same) put_line(out, ' ', a[ai[j]]);
      else if (ops[j] == Op::Del) put_line(out, '-', a[ai[j]]);
      else put_line(out, '+', b[bi[j]]);
    }
    i = to;
  }
  return out;
}

}  // namespace sink
