#!/usr/bin/env bash
# report html: the page is written, self-contained (no external URL, no script), and a
# copy with this test's check script added opens in headless Chromium with every chart
# drawn and no script error; a screenshot is kept in
# $ABLATE_TEST_ARTIFACTS (default: the build's Testing/ folder) for a person to look at.
# Skipped, saying so, where Debian's chromium is not installed (tools/lib/setup.sh
# installs it).
# usage: report_html.sh RUNNER REPORT PLUGIN_DIR SOURCE_DIR
source "$(dirname "$0")/lib.bash"
REPORT=$(realpath "$REPORT")
MAKE_TEST_STORE="$(dirname "$REPORT")/make_test_store"

"$MAKE_TEST_STORE" runs.db
expect_exit 0 html.log -- "$REPORT" html --db runs.db -o report.html --compare baseline wide
expect_in html.log "wrote report.html"
# Self-contained: nothing to fetch, so it works offline.
if grep -Eo '(src|href)="[a-z]+://[^"]*"' report.html; then fail "report.html loads external files"; fi
expect_in report.html "Learning curves"
expect_in report.html "Per-class F1"
expect_in report.html "Confusion matrices"
expect_in report.html "McNemar"
[[ $(grep -c '<svg' report.html) -ge 8 ]] || fail "expected at least 8 charts"
expect_exit 2 bad.log -- "$REPORT" html --db runs.db
expect_in bad.log "report: error: html needs -o FILE"

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "report_html: SKIPPED the browser check: chromium is not installed (apt-get install chromium)"
  exit 0
fi
# The flags that work as root in a closed network (see the machine notes).
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --window-size=1400,2600)
# The page itself has no script; a copy gets this check, which records on <body> how many
# charts have a non-empty drawing (data-charts) and any script error (data-errors).
check_script=$(cat <<'SCRIPT'
<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  function check() {
    var drawn = 0, charts = document.querySelectorAll('svg.chart');
    charts.forEach(function (svg) {
      var box = svg.getBBox();
      if (box.width > 0 && box.height > 0 && svg.querySelectorAll('polyline, circle, rect, polygon').length > 0) drawn++;
    });
    document.body.setAttribute('data-charts', drawn + '/' + charts.length);
    document.body.setAttribute('data-errors', errors.length ? errors.join('; ') : 'none');
  }
  if (document.readyState === 'complete') check(); else window.addEventListener('load', check);
})();
</script>
SCRIPT
)
if grep -q '<script' report.html; then fail "report.html has a script: the page should be plain HTML and SVG"; fi
[[ $(grep -c '^</body>$' report.html) -eq 1 ]] || fail "report.html has no single </body> line to put the check before"
CHECK_SCRIPT=$check_script awk '$0 == "</body>" { print ENVIRON["CHECK_SCRIPT"] } { print }' report.html >checked.html
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$WORK/profile1" --virtual-time-budget=5000 \
  --dump-dom "file://$WORK/checked.html" >dom.html 2>chromium.log || {
  cat chromium.log >&2
  fail "chromium could not open report.html"
}
charts=$(grep -o 'data-charts="[0-9]*/[0-9]*"' dom.html || true)
errors=$(grep -o 'data-errors="[^"]*"' dom.html || true)
[[ -n $charts ]] || fail "the page's check did not run: no data-charts on <body>"
drawn=${charts#data-charts=\"}; drawn=${drawn%\"}
[[ ${drawn%/*} == "${drawn#*/}" && ${drawn%/*} -ge 8 ]] || fail "charts drawn: $drawn"
[[ $errors == 'data-errors="none"' ]] || fail "script errors in the page: $errors"

artifacts=${ABLATE_TEST_ARTIFACTS:-$(dirname "$(dirname "$REPORT")")/Testing}
mkdir -p "$artifacts"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$WORK/profile2" \
  --screenshot="$artifacts/report_html.png" "file://$WORK/report.html" >shot.log 2>&1 ||
  fail "chromium could not take a screenshot: $(tail -3 shot.log)"
[[ -s $artifacts/report_html.png ]] || fail "empty screenshot"
echo "report_html: all checks passed ($drawn charts drawn; screenshot $artifacts/report_html.png)"
