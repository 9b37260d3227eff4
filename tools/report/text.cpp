// Number and message formatting for the table cells.
#include "text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ablate::report {

namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string with_minus_sign(const std::string& number) {
  std::string text;
  for (char c : number) {
    if (c == '-') {
      text += kMinus;
    } else {
      text += c;
    }
  }
  return text;
}

std::string with_thousands(std::int64_t value) {
  // Digits of the magnitude, grouped from the right; unsigned so INT64_MIN works.
  const bool negative = value < 0;
  const std::uint64_t magnitude = negative ? ~static_cast<std::uint64_t>(value) + 1 : static_cast<std::uint64_t>(value);
  const std::string digits = std::to_string(magnitude);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return negative ? kMinus + grouped : grouped;
}

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return kUndefined;
  std::string text = fmt::format("{:.{}f}", value, decimals);
  // A tiny negative value rounds to "-0.0000", which reads as a real sign.
  if (text.find_first_not_of("-0.") == std::string::npos && text[0] == '-') text.erase(0, 1);
  return with_minus_sign(text);
}

std::string fixed(const std::optional<double>& value, int decimals) {
  return value ? fixed(*value, decimals) : kUndefined;
}

std::string signed_fixed(double value, int decimals) {
  const std::string text = fixed(value, decimals);
  if (text == kUndefined || text.rfind(kMinus, 0) == 0) return text;
  return "+" + text;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (char c : text) {
    if (!is_continuation_byte(c)) ++width;
  }
  return width;
}

std::string truncate(const std::string& text, std::size_t width) {
  if (width == 0 || display_width(text) <= width) return text;
  // Keep width - 1 code points, then the ellipsis.
  std::size_t kept = 0;
  std::size_t end = 0;
  while (end < text.size()) {
    if (!is_continuation_byte(text[end])) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  return text.substr(0, end) + "\u2026";
}

}  // namespace ablate::report
