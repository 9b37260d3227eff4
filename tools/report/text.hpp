// Turning numbers and messages into the cells of human-readable tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ablate::report {

// Shown for a value that is missing or undefined (a run with no result, the sd of one
// seed): an en dash, so that it never reads as a number.
inline constexpr const char* kUndefined = "\u2013";

// The minus sign of a negative number in a human-readable cell: U+2212, as wide as the
// plus sign and the digits (a hyphen is narrower, and LaTeX sets it as a hyphen). CSV and
// JSON keep ASCII numbers.
inline constexpr const char* kMinus = "\u2212";

// `number` (fmt's or printf's text of a number) with every '-' as kMinus.
std::string with_minus_sign(const std::string& number);

// 1234567 -> "1,234,567"; a negative value starts with kMinus.
std::string with_thousands(std::int64_t value);

// Fixed-point with `decimals` digits, negative with kMinus; kUndefined for NaN, infinity
// or no value.
std::string fixed(double value, int decimals);
std::string fixed(const std::optional<double>& value, int decimals);

// As fixed(), with an explicit sign: "+0.0123", "−0.0040" (never "−0.0000").
std::string signed_fixed(double value, int decimals);

// The first line of a possibly multi-line message, without a trailing '\r'.
std::string first_line(const std::string& text);

// Width on a terminal, counting UTF-8 code points (our cells hold "±" and "–").
std::size_t display_width(const std::string& text);

// Cuts `text` to at most `width` code points, ending in "…" when cut. 0: no limit.
std::string truncate(const std::string& text, std::size_t width);

}  // namespace ablate::report
