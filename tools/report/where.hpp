// `--where EXPR`: a small, safe filter language for the run listing, compiled to a SQL
// condition whose every literal is a bound parameter.
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | "(" expr ")" | operand OP operand
//   operand := IDENTIFIER | NUMBER | 'string' | "string"
//   OP      := = == != <> < <= > >=
//
// An identifier is a column from an allow-list (arm, resolution, seed, status, ...) or a
// metric SPLIT.NAME the store has (test.accuracy). The SQL text is built only from the
// allow-list and fixed keywords; nothing the user typed reaches it. Anything else (a ';',
// a comment, an unknown name, a comparison of two literals) is a UsageError that says
// where the expression went wrong.
#pragma once

#include <string>
#include <vector>

#include "store_queries.hpp"

namespace ablate::report {

// The column identifiers --where accepts, in the order --help lists them.
const std::vector<std::string>& where_columns();

// Compiles `expression` into a condition over `runs r`. `metrics` are the SPLIT.NAME
// identifiers allowed besides the columns.
SqlCondition compile_where(const std::string& expression, const std::vector<MetricKey>& metrics);

}  // namespace ablate::report
