#!/usr/bin/env bash
# LaTeX for a paper: `--compare A B --columns compact` fits one column of a two-column
# article (pdflatex measures it; the standard tables are far wider), every LaTeX output
# compiles, negative numbers use a minus sign ($-$ in LaTeX, U+2212 in the terminal and
# Markdown, ASCII in CSV and JSON), and each table has a caption and a \label (--label).
source "$(dirname "$0")/lib.bash"

"$(dirname "$REPORT")/make_test_store" runs.db
compare=(--db runs.db --compare baseline wide)

# Minus signs and labels need no TeX.
expect_exit 0 compact.tex -- "$REPORT" "${compare[@]}" --columns compact --format latex
expect_in compact.tex '[$-$0.069, +0.108]'
expect_in compact.tex '\label{tab:compare-baseline-wide}'
expect_in compact.tex '\caption{wide vs baseline, test.accuracy: mean $\pm$ sd'
expect_exit 0 standard.tex -- "$REPORT" "${compare[@]}" --format latex --label tab:wide
expect_in standard.tex '[$-$0.0686, +0.1076]'
expect_in standard.tex '\label{tab:wide}'
expect_in standard.tex '\label{tab:wide-bootstrap}'
if grep -nE '(^|[[ ])-[0-9]' standard.tex compact.tex; then fail "a negative number with a text hyphen"; fi
expect_exit 0 table.tex -- "$REPORT" --db runs.db table --metric test.accuracy test.loss --format latex --label tab:acc
expect_in table.tex '\label{tab:acc-test.accuracy}'
expect_in table.tex '\label{tab:acc-test.loss}'
expect_exit 0 table_default.tex -- "$REPORT" --db runs.db table --format latex
expect_in table_default.tex '\label{tab:test.accuracy-by-resolution}'
expect_exit 0 console.txt -- "$REPORT" "${compare[@]}"
expect_in console.txt $'[\u22120.0686, +0.1076]'
expect_exit 0 markdown.txt -- "$REPORT" "${compare[@]}" --format markdown --columns a,b,bootstrap_ci
expect_in markdown.txt $'| 0.9110 \u00b1 0.0050 | 0.9305 \u00b1 0.0025 | [\u22120.0686, +0.1076] |'
for format in csv json; do
  expect_exit 0 "out.$format" -- "$REPORT" "${compare[@]}" --format "$format"
  if grep -q $'\u2212' "out.$format"; then fail "--format $format has a U+2212 minus sign: its numbers stay ASCII"; fi
  grep -qE -- '-0\.0[0-9]+' "out.$format" || fail "--format $format lost its negative numbers"
done

# Bad usage.
expect_exit 2 err.txt -- "$REPORT" "${compare[@]}" --columns a,diference
expect_in err.txt "unknown column 'diference' (did you mean 'difference'?)"
expect_exit 2 err.txt -- "$REPORT" "${compare[@]}" --columns compact,a
expect_in err.txt "compact is a preset, use it alone"
expect_exit 2 err.txt -- "$REPORT" "${compare[@]}" --columns a,a
expect_in err.txt "column 'a' is named twice"
expect_exit 2 err.txt -- "$REPORT" "${compare[@]}" --columns a --format csv
expect_in err.txt "--columns chooses the columns of --format table, markdown and latex"
expect_exit 2 err.txt -- "$REPORT" "${compare[@]}" --label tab:x
expect_in err.txt "--label names the LaTeX tables: use it with --format latex"
expect_exit 2 err.txt -- "$REPORT" "${compare[@]}" --format latex --label 'tab:a}b'
expect_in err.txt "--label 'tab:a}b': expected letters, digits"
expect_exit 2 err.txt -- "$REPORT" --db runs.db --columns compact
expect_in err.txt "belong to --compare"

command -v pdflatex >/dev/null || skip "pdflatex is missing (Debian: texlive-latex-base)"

# paper TEX...: a two-column article (10pt, \columnwidth 229.5pt) holding the tables.
# booktabs is in texlive-latex-recommended; without it its rules are plain \hline.
paper() {
  local name=$1
  shift
  {
    echo '\documentclass[twocolumn]{article}'
    echo '\IfFileExists{booktabs.sty}{\usepackage{booktabs}}{\def\toprule{\hline}\def\midrule{\hline}\def\bottomrule{\hline}}'
    echo '\begin{document}'
    echo '\typeout{COLUMNWIDTH=\the\columnwidth}'
    for tex in "$@"; do echo "\\input{$tex}"; done
    echo '\end{document}'
  } >"$name.tex"
  pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >"$name.out" 2>&1 ||
    { cat "$name.out" >&2; fail "pdflatex could not compile $name.tex"; }
}

# Every LaTeX output is valid LaTeX.
# A row that starts with an interval is not taken for the optional argument of \\.
expect_exit 0 bracket.tex -- "$REPORT" "${compare[@]}" --columns bootstrap_ci,a --format latex
expect_in bracket.tex '{}[$-$0.0686, +0.1076] & 0.9110'
expect_exit 0 list.tex -- "$REPORT" --db runs.db --format latex
expect_exit 0 show.tex -- "$REPORT" --db runs.db show 3 --format latex
expect_exit 0 power.tex -- "$REPORT" --db runs.db power baseline wide --format latex
paper everything compact.tex bracket.tex standard.tex table.tex list.tex show.tex power.tex

# width TEX: the width of TEX's tabular as the float sets it (\small for a compact one).
width() {
  {
    grep -E '^\\(small|setlength)' "$1" || true
    sed -n '/^\\begin{tabular}/,/^\\end{tabular}/p' "$1" | sed '/^\\end{tabular}/q'
  } >"tabular-$1"
  cat >"measure-$1" <<TEX
\\setbox0=\\hbox{\\input{tabular-$1}}
\\typeout{TABLEWIDTH=\\the\\wd0}
TEX
  paper "width-${1%.tex}" "measure-$1"
  sed -n 's/^TABLEWIDTH=\(.*\)pt$/\1/p' "width-${1%.tex}.log"
}
column=$(sed -n 's/^COLUMNWIDTH=\(.*\)pt$/\1/p' everything.log)
compact_width=$(width compact.tex)
standard_width=$(width standard.tex)
echo "report_latex: \\columnwidth ${column}pt; --columns compact ${compact_width}pt; the standard table ${standard_width}pt"
python3 -c "import sys; sys.exit(0 if float('$compact_width') <= float('$column') else 1)" ||
  fail "the compact table is ${compact_width}pt wide, more than \\columnwidth ${column}pt"
# The check can fail: the standard table does not fit.
python3 -c "import sys; sys.exit(0 if float('$standard_width') > float('$column') else 1)" ||
  fail "the standard table (${standard_width}pt) fits \\columnwidth: the measurement is broken"
# And in the paper itself TeX finds nothing too wide in the compact table.
paper fits compact.tex
if grep -q 'Overfull \\hbox' fits.log; then grep -A2 'Overfull' fits.log >&2; fail "the compact table is overfull"; fi
echo "report_latex: ok"
