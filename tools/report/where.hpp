// `--where EXPR`: a small, safe filter language for the run listing, compiled to a SQL
// condition whose every literal is a bound parameter.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | "(" expr ")" | comparison
//   comparison := operand OP operand
//              | IDENTIFIER ["not"] "in" "(" literal ("," literal)* ")"
//              | IDENTIFIER ["not"] "like" 'pattern'
//   operand := IDENTIFIER | literal
//   literal := NUMBER | 'string' | "string"
//   OP      := = == != <> < <= > >=
//
// An identifier is a column from an allow-list (arm, resolution, seed, status, note, ...),
// a tag tag.KEY that some run has (tag.reviewed: its value, NULL where a run lacks it), a
// metric SPLIT.NAME the store has (test.accuracy), or a dotted key of the stored
// configuration the store has (train.max_epochs, model.options.se_reduction; dataset.X
// and model.X stand for dataset.options.X and model.options.X, as the experiment file
// writes them). The SQL text is built only from the allow-list and fixed keywords; every
// literal, tag key, metric name and configuration path is a bound parameter, so nothing the user
// typed reaches the SQL text. Anything else (a ';', a comment, an unknown name, a
// comparison of two literals) is a UsageError that says where the expression went wrong.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "store_queries.hpp"

namespace ablate::report {

// The column identifiers --where accepts, in the order --help lists them.
const std::vector<std::string>& where_columns();

// Compiles `expression` into a condition over `runs r`. `metrics` are the SPLIT.NAME
// identifiers allowed besides the columns; `config_keys` the stored configuration keys;
// `tag_keys` the tag keys runs have.
SqlCondition compile_where(const std::string& expression, const std::vector<MetricKey>& metrics,
                           const std::set<std::string>& config_keys = {},
                           const std::vector<std::string>& tag_keys = {});

}  // namespace ablate::report
