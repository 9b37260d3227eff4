// Parses .npy headers strictly: anything numpy would not write is an error that says
// what was found and what was expected.
#include "npy.hpp"

#include <cctype>
#include <cstring>
#include <limits>

#include "ablate/error.hpp"

namespace ablate::medmnist {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
// numpy never writes a longer header; the bound stops a corrupt length from allocating.
constexpr std::uint32_t kMaxHeaderLength = 1u << 20;

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw DataError("dataset plugin 'medmnist': " + where + " " + problem);
}

// A cursor over the header dict; every expect_* names what it wanted on failure.
class DictParser {
 public:
  DictParser(const std::string& text, const std::string& where) : text_(text), where_(where) {}

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  bool peek(char c) {
    skip_spaces();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  void expect(char c) {
    if (!peek(c)) bad(std::string("'") + c + "'");
    ++pos_;
  }

  // A Python string literal in single quotes (numpy writes repr()), without escapes.
  std::string expect_string() {
    skip_spaces();
    if (pos_ >= text_.size() || text_[pos_] != '\'') bad("a quoted string");
    const std::size_t end = text_.find('\'', pos_ + 1);
    if (end == std::string::npos) bad("a closing quote");
    std::string value = text_.substr(pos_ + 1, end - pos_ - 1);
    if (value.find('\\') != std::string::npos) bad("a string without escapes");
    pos_ = end + 1;
    return value;
  }

  bool expect_bool() {
    skip_spaces();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::size_t length = std::strlen(word);
      if (text_.compare(pos_, length, word) == 0) {
        pos_ += length;
        return value;
      }
    }
    bad("True or False");
  }

  std::int64_t expect_int() {
    skip_spaces();
    const std::size_t start = pos_;
    std::int64_t value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      const int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
        fail(where_, "has a .npy header whose shape holds a number too large for 64 bits");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) bad("a non-negative integer");
    // numpy writes plain ints; "5L" came from Python 2 and is accepted by numpy too.
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
    return value;
  }

  // "()" or "(5,)" or "(5, 28, 28)" with an optional trailing comma.
  std::vector<std::int64_t> expect_tuple() {
    expect('(');
    std::vector<std::int64_t> values;
    while (!peek(')')) {
      values.push_back(expect_int());
      if (peek(',')) {
        ++pos_;
      } else if (!peek(')')) {
        bad("',' or ')' in the shape tuple");
      }
    }
    ++pos_;
    return values;
  }

  bool at_end() {
    skip_spaces();
    return pos_ == text_.size();
  }

  [[noreturn]] void bad(const std::string& wanted) const {
    // numpy's padding is noise in a message.
    const std::string shown = text_.substr(0, text_.find_last_not_of(' ') + 1);
    fail(where_, "has a malformed .npy header: expected " + wanted + " at character " + std::to_string(pos_) +
                     " of \"" + shown + "\"");
  }

 private:
  const std::string& text_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

}  // namespace

std::int64_t NpyHeader::element_count(const std::string& where) const {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim != 0 && count > std::numeric_limits<std::int64_t>::max() / dim) {
      fail(where, "has shape " + shape_string() + ", too many elements to address");
    }
    count *= dim;
  }
  return count;
}

std::string NpyHeader::shape_string() const {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

NpyHeader read_npy_header(const ReadExact& read_exact, const std::string& where) {
  unsigned char preamble[kMagicSize + 2];
  read_exact(preamble, sizeof preamble);
  if (std::memcmp(preamble, kMagic, kMagicSize) != 0) {
    fail(where, "does not start with the .npy magic string \\x93NUMPY; expected a numpy array");
  }
  const int major = preamble[kMagicSize];
  const int minor = preamble[kMagicSize + 1];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    fail(where, "is .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                    "; expected 1.0, 2.0 or 3.0");
  }
  // Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one, little-endian.
  unsigned char length_bytes[4] = {0, 0, 0, 0};
  const std::size_t length_size = major == 1 ? 2 : 4;
  read_exact(length_bytes, length_size);
  std::uint32_t length = 0;
  for (std::size_t i = length_size; i-- > 0;) length = (length << 8) | length_bytes[i];
  if (length == 0 || length > kMaxHeaderLength) {
    fail(where, "declares a .npy header of " + std::to_string(length) + " bytes; expected 1 to " +
                    std::to_string(kMaxHeaderLength));
  }
  std::string text(length, '\0');
  read_exact(text.data(), length);
  // numpy pads the dict with spaces and ends it with a newline.
  if (text.back() != '\n') {
    fail(where, "has a .npy header that does not end with a newline; expected numpy's padding");
  }
  text.pop_back();
  if (major < 3) {
    for (char c : text) {
      if (static_cast<unsigned char>(c) > 127) {
        fail(where, "has non-ASCII bytes in a version " + std::to_string(major) +
                        ".0 .npy header; expected ASCII (only version 3.0 allows UTF-8)");
      }
    }
  }

  NpyHeader header;
  header.header_bytes = sizeof preamble + length_size + length;
  DictParser parser(text, where);
  bool seen_descr = false;
  bool seen_fortran = false;
  bool seen_shape = false;
  parser.expect('{');
  while (!parser.peek('}')) {
    const std::string key = parser.expect_string();
    parser.expect(':');
    bool* seen = nullptr;
    if (key == "descr") {
      // A structured dtype is a list here; expect_string rejects it.
      header.descr = parser.expect_string();
      seen = &seen_descr;
    } else if (key == "fortran_order") {
      header.fortran_order = parser.expect_bool();
      seen = &seen_fortran;
    } else if (key == "shape") {
      header.shape = parser.expect_tuple();
      seen = &seen_shape;
    } else {
      fail(where, "has key '" + key + "' in its .npy header; expected only 'descr', 'fortran_order' and 'shape'");
    }
    if (*seen) fail(where, "repeats key '" + key + "' in its .npy header");
    *seen = true;
    if (parser.peek(',')) {
      parser.expect(',');
    } else if (!parser.peek('}')) {
      parser.bad("',' or '}'");
    }
  }
  parser.expect('}');
  if (!parser.at_end()) parser.bad("the end of the header after '}'");
  for (const auto& [seen, key] :
       {std::pair{seen_descr, "descr"}, std::pair{seen_fortran, "fortran_order"}, std::pair{seen_shape, "shape"}}) {
    if (!seen) fail(where, std::string("has no '") + key + "' in its .npy header");
  }
  return header;
}

}  // namespace ablate::medmnist
