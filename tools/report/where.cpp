// Tokenizer and recursive-descent parser of the --where language.
#include "where.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "cli_suggest.hpp"
#include "config_groups.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

// tag.KEY names a tag (report tag).
constexpr const char* kTagPrefix = "tag";

// Deep enough for any honest filter; shallow enough that recursion cannot overflow.
constexpr int kMaxDepth = 64;

enum class TokenKind { identifier, number, string, op, open, close, comma, keyword, end };

// Longest IN list: far more than any honest filter, far below SQLite's parameter limit.
constexpr std::size_t kMaxInList = 1000;

// More metrics than this are not listed in an error about an unknown name: the nearest are.
constexpr std::size_t kMaxMetricsListed = 12;

struct Token {
  TokenKind kind = TokenKind::end;
  std::string text;          // identifier, operator or keyword (lower case); decoded string
  std::size_t position = 0;  // 1-based column in the expression, for messages
};

// Column identifier -> SQL expression over `runs r`. The only SQL text taken from a name.
const std::vector<std::pair<std::string, std::string>>& column_map() {
  static const std::vector<std::pair<std::string, std::string>> columns = {
      {"id", "r.id"},
      {"arm", "r.arm"},
      {"model", "r.model"},
      {"dataset", "r.dataset"},
      {"resolution", "r.resolution"},
      {"seed", "r.seed"},
      {"status", "r.status"},
      {"config_hash", "r.config_hash"},
      {"params_trainable", "r.params_trainable"},
      {"params_total", "r.params_total"},
      {"epochs", "r.epochs"},
      {"best_epoch", "r.best_epoch"},
      {"train_seconds", "r.train_seconds"},
      {"test_seconds", "r.test_seconds"},
      {"host", "r.host"},
      {"device", "r.device"},
      {"threads", "r.threads"},
      {"git_commit", "r.git_commit"},
      {"ablate_version", "r.ablate_version"},
      {"started_at", "r.started_at"},
      {"finished_at", "r.finished_at"},
      {"note", "r.note"},
      {"archived_at", "r.archived_at"},
  };
  return columns;
}

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

bool is_identifier_char(char c) {
  // '.' joins split and metric name; '/' and '-' appear in metric names such as f1/3.
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-';
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

class Parser {
 public:
  Parser(const std::string& expression, const std::vector<MetricKey>& metrics, const std::set<std::string>& keys,
         const std::vector<std::string>& tags)
      : expression_(expression), metrics_(metrics), keys_(keys), tags_(tags) {
    tokenize();
  }

  SqlCondition parse() {
    if (tokens_.size() == 1) fail(tokens_[0], "the expression is empty");
    std::string sql = parse_or(0);
    if (peek().kind != TokenKind::end) fail(peek(), "expected 'and', 'or' or the end");
    return {std::move(sql), std::move(parameters_)};
  }

 private:
  [[noreturn]] void fail(const Token& token, const std::string& why) const {
    const std::string at =
        token.position > expression_.size()
            ? "at the end"
            : fmt::format("at column {} ('{}')", token.position, expression_.substr(token.position - 1, 12));
    throw UsageError(fmt::format("bad --where '{}' {}: {}", expression_, at, why));
  }

  void tokenize() {
    std::size_t i = 0;
    while (i < expression_.size()) {
      const char c = expression_[i];
      Token token;
      token.position = i + 1;
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (is_identifier_start(c)) {
        std::size_t end = i;
        while (end < expression_.size() && is_identifier_char(expression_[end])) ++end;
        token.text = expression_.substr(i, end - i);
        const std::string word = lower(token.text);
        if (word == "and" || word == "or" || word == "not" || word == "in" || word == "like") {
          token.kind = TokenKind::keyword;
          token.text = word;
        } else {
          token.kind = TokenKind::identifier;
        }
        i = end;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '.') && i + 1 < expression_.size() &&
                  (std::isdigit(static_cast<unsigned char>(expression_[i + 1])) || expression_[i + 1] == '.'))) {
        std::size_t end = i + 1;
        while (end < expression_.size() &&
               (std::isalnum(static_cast<unsigned char>(expression_[end])) || expression_[end] == '.' ||
                ((expression_[end] == '-' || expression_[end] == '+') &&
                 (expression_[end - 1] == 'e' || expression_[end - 1] == 'E')))) {
          ++end;
        }
        token.kind = TokenKind::number;
        token.text = expression_.substr(i, end - i);
        i = end;
      } else if (c == '\'' || c == '"') {
        // A doubled quote inside stands for one quote, as in SQL.
        std::string value;
        std::size_t end = i + 1;
        for (;;) {
          if (end >= expression_.size()) {
            Token open = token;
            fail(open, "the string is not closed");
          }
          if (expression_[end] == c) {
            if (end + 1 < expression_.size() && expression_[end + 1] == c) {
              value += c;
              end += 2;
              continue;
            }
            break;
          }
          value += expression_[end++];
        }
        token.kind = TokenKind::string;
        token.text = value;
        i = end + 1;
      } else if (c == ',') {
        token.kind = TokenKind::comma;
        token.text = ",";
        ++i;
      } else if (c == '(' || c == ')') {
        token.kind = c == '(' ? TokenKind::open : TokenKind::close;
        token.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        std::string op(1, c);
        if (i + 1 < expression_.size() && (expression_[i + 1] == '=' || (c == '<' && expression_[i + 1] == '>'))) {
          op += expression_[i + 1];
        }
        if (op == "!") fail(token, "'!' alone is not an operator; use != or not");
        token.kind = TokenKind::op;
        token.text = op;
        i += op.size();
      } else {
        fail(token, "unexpected character; expected a column, a metric such as "
                    "test.accuracy, a configuration key such as train.max_epochs, a number, a 'string', "
                    "an operator (= != < <= > >=), in (...), like, and, or, not or parentheses");
      }
      tokens_.push_back(token);
    }
    Token end;
    end.position = expression_.size() + 1;
    tokens_.push_back(end);
  }

  const Token& peek() const { return tokens_[next_]; }
  const Token& take() { return tokens_[next_++]; }
  bool take_keyword(const char* word) {
    if (peek().kind == TokenKind::keyword && peek().text == word) {
      ++next_;
      return true;
    }
    return false;
  }

  std::string parse_or(int depth) {
    std::string sql = parse_and(depth);
    while (take_keyword("or")) sql += " OR " + parse_and(depth);
    return sql;
  }

  std::string parse_and(int depth) {
    std::string sql = parse_not(depth);
    while (take_keyword("and")) sql += " AND " + parse_not(depth);
    return sql;
  }

  std::string parse_not(int depth) {
    if (depth > kMaxDepth) fail(peek(), fmt::format("nested deeper than {} levels", kMaxDepth));
    if (take_keyword("not")) return "NOT (" + parse_not(depth + 1) + ")";
    if (peek().kind == TokenKind::open) {
      take();
      std::string sql = parse_or(depth + 1);
      if (peek().kind != TokenKind::close) fail(peek(), "expected ')'");
      take();
      return "(" + sql + ")";
    }
    return parse_comparison();
  }

  std::string parse_comparison() {
    bool left_is_name = false;
    bool right_is_name = false;
    const Token& first = peek();
    const std::string left = parse_operand(&left_is_name);
    // NAME [not] in (v, ...) and NAME [not] like 'pattern': values only, all bound.
    const bool negated = peek().kind == TokenKind::keyword && peek().text == "not" &&
                         tokens_[next_ + 1].kind == TokenKind::keyword &&
                         (tokens_[next_ + 1].text == "in" || tokens_[next_ + 1].text == "like");
    if (negated) take();
    if (take_keyword("in")) {
      if (!left_is_name) fail(first, "'in' needs a column, a metric or a configuration key on its left");
      return left + (negated ? " NOT IN (" : " IN (") + parse_value_list() + ")";
    }
    if (take_keyword("like")) {
      if (!left_is_name) fail(first, "'like' needs a column, a metric or a configuration key on its left");
      const Token& pattern = take();
      if (pattern.kind != TokenKind::string)
        fail(pattern, "'like' takes a 'pattern' in quotes (% any text, _ one character)");
      parameters_.emplace_back(pattern.text);
      return left + (negated ? " NOT LIKE ?" : " LIKE ?");
    }
    const Token& op = take();
    if (op.kind != TokenKind::op) fail(op, "expected an operator: = != < <= > >=, in or like");
    const std::string right = parse_operand(&right_is_name);
    if (!left_is_name && !right_is_name) {
      fail(op, "a comparison needs a column or a metric on one side");
    }
    std::string sql_op = op.text;
    if (sql_op == "==") sql_op = "=";
    if (sql_op == "<>") sql_op = "!=";
    return left + " " + sql_op + " " + right;
  }

  // "(v, v, ...)" after in: numbers and strings only, as "?, ?, ...".
  std::string parse_value_list() {
    if (peek().kind != TokenKind::open) fail(peek(), "'in' takes a list in parentheses: in (1, 2) or in ('a', 'b')");
    take();
    std::string sql;
    std::size_t count = 0;
    for (;;) {
      const Token& token = peek();
      if (token.kind != TokenKind::number && token.kind != TokenKind::string) {
        fail(token, "an 'in' list holds numbers and 'strings' only");
      }
      bool is_name = false;
      sql += (count == 0 ? "" : ", ") + parse_operand(&is_name);
      if (++count > kMaxInList) fail(token, fmt::format("an 'in' list holds at most {} values", kMaxInList));
      if (peek().kind == TokenKind::comma) {
        take();
        continue;
      }
      if (peek().kind != TokenKind::close) fail(peek(), "expected ',' or ')' in the 'in' list");
      take();
      return sql;
    }
  }

  std::string parse_operand(bool* is_name) {
    const Token& token = take();
    switch (token.kind) {
      case TokenKind::identifier:
        *is_name = true;
        return identifier_sql(token);
      case TokenKind::number: {
        char* end = nullptr;
        const double value = std::strtod(token.text.c_str(), &end);
        if (end != token.text.c_str() + token.text.size()) fail(token, "not a number");
        const bool integral = token.text.find_first_of(".eE") == std::string::npos;
        if (integral) {
          parameters_.emplace_back(static_cast<std::int64_t>(std::strtoll(token.text.c_str(), nullptr, 10)));
        } else {
          parameters_.emplace_back(value);
        }
        return "?";
      }
      case TokenKind::string:
        parameters_.emplace_back(token.text);
        return "?";
      default:
        fail(token, "expected a column, a metric, a number or a 'string'");
    }
  }

  std::string identifier_sql(const Token& token) {
    const std::string name = token.text;
    for (const auto& [column, sql] : column_map()) {
      if (lower(name) == column) return sql;
    }
    const auto dot = name.find('.');
    if (dot != std::string::npos && lower(name.substr(0, dot)) == kTagPrefix)
      return tag_sql(token, name.substr(dot + 1));
    if (dot != std::string::npos) {
      const MetricKey key{name.substr(0, dot), name.substr(dot + 1)};
      if (std::find(metrics_.begin(), metrics_.end(), key) != metrics_.end()) {
        parameters_.emplace_back(key.split);
        parameters_.emplace_back(key.name);
        return "(SELECT value FROM metrics WHERE run_id = r.id AND split = ? AND name = ?)";
      }
      // A configuration key of the stored identity: its JSON path is a bound parameter too.
      if (const auto config_key = resolve_config_key(name, keys_)) {
        parameters_.emplace_back(json_path(*config_key));
        return "json_extract(r.config_json, ?)";
      }
    }
    std::vector<std::string> known;
    for (const auto& column : column_map()) known.push_back(column.first);
    std::vector<std::string> metric_names;
    for (const auto& metric : metrics_) metric_names.push_back(metric.label());
    std::vector<std::string> config_names;
    for (const auto& key : keys_) {
      if (key.find('.') != std::string::npos) config_names.push_back(key);
    }
    std::vector<std::string> every_name = known;
    every_name.insert(every_name.end(), metric_names.begin(), metric_names.end());
    every_name.insert(every_name.end(), config_names.begin(), config_names.end());
    // A store can hold hundreds of metrics (one F1 per class): the nearest few, not all.
    std::string metrics_text =
        metric_names.empty() ? std::string("(none yet)") : fmt::format("{}", fmt::join(metric_names, ", "));
    if (metric_names.size() > kMaxMetricsListed) {
      const auto nearest = nearest_first(name, metric_names);
      metrics_text = fmt::format("(the nearest of {}) {} (`report metrics` lists them all)", metric_names.size(),
                                 fmt::join(nearest.begin(), nearest.begin() + 3, ", "));
    }
    fail(token,
         fmt::format("unknown name '{}'{}: the columns are {}; the metrics are {}; the configuration keys are {}", name,
                     nearest_hint(name, every_name), fmt::join(known, ", "), metrics_text,
                     config_names.empty() ? std::string("(none yet)")
                                          : fmt::format("{}", fmt::join(config_names, ", "))));
  }

  // tag.KEY: the run's value of tag KEY, NULL when it has none; KEY is a bound parameter.
  std::string tag_sql(const Token& token, const std::string& key) {
    if (std::find(tags_.begin(), tags_.end(), key) == tags_.end()) {
      fail(token, fmt::format("no run has a tag '{}'{}: the tags are {}", key, nearest_hint(key, tags_),
                              tags_.empty() ? std::string("(none yet: report tag RUN KEY=VALUE sets one)")
                                            : fmt::format("{}", fmt::join(tags_, ", "))));
    }
    parameters_.emplace_back(key);
    return "(SELECT value FROM run_tags WHERE run_id = r.id AND key = ?)";
  }

  // $."train"."max_epochs": each part quoted, so that no character of a key is path syntax.
  static std::string json_path(const std::string& key) {
    std::string path = "$";
    std::size_t start = 0;
    for (;;) {
      const auto dot = key.find('.', start);
      path += ".\"" + key.substr(start, dot == std::string::npos ? std::string::npos : dot - start) + "\"";
      if (dot == std::string::npos) return path;
      start = dot + 1;
    }
  }

  const std::string& expression_;
  const std::vector<MetricKey>& metrics_;
  const std::set<std::string>& keys_;
  const std::vector<std::string>& tags_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
  std::vector<SqlValue> parameters_;
};

}  // namespace

const std::vector<std::string>& where_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& column : column_map()) list.push_back(column.first);
    return list;
  }();
  return names;
}

SqlCondition compile_where(const std::string& expression, const std::vector<MetricKey>& metrics,
                           const std::set<std::string>& config_keys, const std::vector<std::string>& tag_keys) {
  return Parser(expression, metrics, config_keys, tag_keys).parse();
}

}  // namespace ablate::report
