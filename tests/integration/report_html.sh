#!/usr/bin/env bash
# report html: the page is written, self-contained (no external URL; its one script and
# the runs' data inline), and in headless Chromium every chart draws, the run table
# sorts by a clicked column, a run's section opens from its id and two ticked runs show
# their configuration diff (tests/support/report_browser_check.py); screenshots are kept
# in $ABLATE_TEST_ARTIFACTS (default: the build's Testing/ folder) for a person to look at.
# Skipped, saying so, where Debian's chromium is not installed (tools/lib/setup.sh
# installs it).
# usage: report_html.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
REPORT=$(realpath "$REPORT")
MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"

"$MAKE_TEST_STORE" runs.db
# Tags and a note (report tag, report note) become columns of the run table, escaped.
expect_exit 0 tag.log -- "$REPORT" tag 1 reviewed=yes --db runs.db
expect_exit 0 note.log -- "$REPORT" note 14 "diverged: <lower the lr> & retry" --db runs.db
expect_exit 0 html.log -- "$REPORT" html --db runs.db -o report.html --compare baseline wide
expect_in html.log "wrote report.html"
# Self-contained: nothing to fetch, so it works offline. The run browser's script and its
# data are inline: no <script src>, no external URL anywhere.
if grep -Eo '(src|href)="[a-z]+://[^"]*"' report.html; then fail "report.html loads external files"; fi
if grep -Eo '<script[^>]* src=' report.html; then fail "report.html loads a script file"; fi
# (SVG's namespace is a name, never fetched.)
if grep -Eo '(https?|ftp)://[^" <]*' report.html | grep -vx 'http://www.w3.org/2000/svg'; then
  fail "report.html names an external URL"
fi
[[ $(grep -c '<script' report.html) -eq 2 ]] || fail "expected 2 inline scripts (the run browser's data and code)"
expect_in report.html '<h2 id="runs">Runs</h2>'
expect_in report.html 'id="run-14"'
[[ $(grep -c '<section class="run-detail"' report.html) -eq 14 ]] || fail "expected a section per run (14)"
expect_in report.html '<th data-sort="text">tags</th><th data-sort="text">note</th>'
expect_in report.html '<td>reviewed=yes</td>'
expect_in report.html 'diverged: &lt;lower the lr&gt; &amp; retry'
if grep -q '<lower the lr>' report.html; then fail "a note reached the page unescaped"; fi
expect_in report.html "Learning curves"
expect_in report.html "Per-class F1"
expect_in report.html "Confusion matrices"
expect_in report.html "McNemar"
[[ $(grep -c '<svg' report.html) -ge 8 ]] || fail "expected at least 8 charts"
expect_exit 2 bad.log -- "$REPORT" html --db runs.db
expect_in bad.log "report: error: html needs -o FILE"

browser=$(command -v chromium || command -v chromium-browser || true)
# The checks above ran; without a browser the page itself is unchecked, so CTest says SKIPPED.
[[ -n $browser ]] || skip "the browser check: chromium is not installed (apt-get install chromium)"
artifacts=${ABLATE_TEST_ARTIFACTS:-$(dirname "$(dirname "$REPORT")")/Testing}
mkdir -p "$artifacts"
# A person's session in the page, over Chromium's DevTools pipe: every chart draws, a click
# on a column title sorts the runs numerically, a click on an id opens that run's section
# (2 charts, its matrix, its configuration), ticking a baseline and a wide run shows a
# diff whose one differing key is the arm; no script error. Screenshots of the whole
# page, the opened run and the diff go to $artifacts.
timeout 120 python3 "$SOURCE_DIR/tests/support/report_browser_check.py" "$browser" report.html "$artifacts" \
  >browser.log 2>&1 || {
  cat browser.log >&2
  fail "the page did not pass the browser check"
}
cat browser.log
for shot in report_html.png report_html_run.png report_html_diff.png; do
  [[ -s $artifacts/$shot ]] || fail "no screenshot $artifacts/$shot"
done
echo "report_html: all checks passed (screenshots report_html.png, report_html_run.png, report_html_diff.png in $artifacts)"
