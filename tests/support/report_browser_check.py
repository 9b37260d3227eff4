#!/usr/bin/env python3
"""Drives `report html`'s page in headless Chromium, as a person would, for
tests/integration/report_html.sh: the charts draw, a click on a column title sorts the
run table (numerically), a click on a run's id opens its section, ticking two runs
shows their configuration diff; screenshots of the page, a run's section and the diff.

Talks to Chromium over --remote-debugging-pipe (the DevTools protocol as NUL-separated
JSON on file descriptors 3 and 4), so it needs nothing beyond Python and Chromium.

usage: report_browser_check.py CHROMIUM PAGE.html ARTIFACT_DIR
Prints what it checked; exits 1 with the reason on the first failed check.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--remote-debugging-pipe", "--window-size=1400,1000", f"--user-data-dir={profile}",
                 "about:blank"]
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        command = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.process = subprocess.Popen(["bash", "-c", command, chromium] + flags,
                                        pass_fds=(to_chrome_r, from_chrome_w),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("Chromium did not answer within 60 s")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.time() + 60
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def click(self, selector):
        """A real mouse click at the middle of the element, scrolled into view first."""
        box = self.evaluate(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            if (!e) return null;
            e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
        }})()""")
        if box is None:
            raise AssertionError(f"nothing on the page matches {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)

    def screenshot(self, path, selector=None):
        """The element `selector` (with a margin), or the whole page."""
        if selector:
            clip = self.evaluate(f"""(() => {{
                const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();
                return {{x: Math.max(0, r.left + scrollX - 8), y: Math.max(0, r.top + scrollY - 8),
                         width: r.width + 16, height: r.height + 16, scale: 1}};
            }})()""")
        else:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
        with open(path, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
        if os.path.getsize(path) == 0:
            raise AssertionError(f"empty screenshot {path}")

    def script_errors(self):
        return [e["params"]["exceptionDetails"].get("exception", {}).get("description", str(e["params"]))
                for e in self.events if e.get("method") == "Runtime.exceptionThrown"]

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def column_values(browser, title):
    """The data-v values of the run table's column titled `title`, top to bottom."""
    return browser.evaluate(f"""(() => {{
        const titles = Array.from(document.querySelectorAll('#run-table thead th'));
        const column = titles.findIndex(th => th.textContent.trim() === {json.dumps(title)});
        if (column < 0) return null;
        return Array.from(document.querySelectorAll('#run-table tbody tr'))
            .map(row => row.cells[column].getAttribute('data-v'));
    }})()""")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    chromium, page, artifacts = sys.argv[1:4]
    os.makedirs(artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(chromium, profile)
        try:
            run_checks(browser, "file://" + os.path.abspath(page), artifacts)
        except AssertionError as error:
            print(f"FAIL: {error}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    return 0


def run_checks(browser, url, artifacts):
    browser.call("Page.navigate", url=url)
    browser.wait_for("document.readyState === 'complete'", "the page to load")

    charts = browser.evaluate("""(() => {
        const charts = Array.from(document.querySelectorAll('svg.chart'));
        const drawn = charts.filter(svg => {
            if (svg.closest('.run-detail')) return true;  // hidden until opened: checked below
            const box = svg.getBBox();
            return box.width > 0 && box.height > 0 && svg.querySelector('polyline, circle, rect, polygon');
        });
        return [drawn.length, charts.length, charts.filter(svg => !svg.closest('.run-detail')).length];
    })()""")
    check(charts[0] == charts[1] and charts[2] >= 8, f"charts drawn: {charts[0]} of {charts[1]}")
    print(f"charts: {charts[2]} on the page drawn, {charts[1] - charts[2]} more in the run sections")
    browser.screenshot(os.path.join(artifacts, "report_html.png"))

    # Sorting: a click on test.accuracy sorts ascending, numerically; another, descending.
    before = column_values(browser, "test.accuracy")
    check(before is not None, "the run table has no test.accuracy column")
    for direction in ("ascending", "descending"):
        browser.click("#run-table thead th:nth-child(" + str(browser.evaluate(
            "Array.from(document.querySelectorAll('#run-table thead th'))"
            ".findIndex(th => th.textContent.trim() === 'test.accuracy') + 1")) + ")")
        values = column_values(browser, "test.accuracy")
        numbers = [float(v) for v in values if v]
        expected = sorted(numbers, reverse=direction == "descending")
        check(numbers == expected, f"after a click ({direction}) test.accuracy reads {values}")
        check(all(values[:len(numbers)]), f"runs without test.accuracy are not last: {values}")
        check(browser.evaluate("Array.from(document.querySelectorAll('#run-table thead th'))"
                               ".some(th => th.getAttribute('aria-sort') === '" + direction + "')"),
              f"no column title says it is sorted {direction}")
    print(f"sort: test.accuracy ascending then descending over {len(numbers)} runs "
          f"({numbers[0]} first after the second click)")
    ids = column_values(browser, "id")
    browser.click("#run-table thead th:nth-child(2)")
    ids_sorted = column_values(browser, "id")
    check([int(i) for i in ids_sorted] == sorted(int(i) for i in ids), f"id sorts as text: {ids_sorted}")

    # A run's section: hidden until its id is clicked.
    run = browser.evaluate("document.querySelector('#run-table tbody tr').getAttribute('data-run')")
    section = f"#run-{run}"
    check(browser.evaluate(f"getComputedStyle(document.querySelector('{section}')).display") == "none",
          f"run {run}'s section shows before it is opened")
    browser.click(f"#run-table a[href='{section}']")
    browser.wait_for(f"location.hash === '{section}'", f"the link to open {section}")
    detail = browser.evaluate(f"""(() => {{
        const s = document.querySelector('{section}');
        const charts = Array.from(s.querySelectorAll('svg.chart')).filter(svg => {{
            const box = svg.getBBox(); return box.width > 0 && box.height > 0; }});
        return {{display: getComputedStyle(s).display, charts: charts.length,
                 text: s.innerText, matrix: s.querySelectorAll('table.matrix td').length}};
    }})()""")
    check(detail["display"] != "none", f"run {run}'s section did not open")
    check(detail["charts"] == 2, f"run {run}'s section draws {detail['charts']} charts, expected 2 (accuracy, loss)")
    check("Configuration" in detail["text"] and '"seed"' in detail["text"],
          f"run {run}'s section has no configuration: {detail['text'][:300]}")
    check(detail["matrix"] > 0, f"run {run}'s section has no confusion matrix")
    print(f"detail: run {run}'s section opens with 2 charts, a {detail['matrix']}-cell matrix and its configuration")
    browser.screenshot(os.path.join(artifacts, "report_html_run.png"), section)

    # The diff: tick a baseline and a wide run of the same resolution and seed; only the
    # arm differs.
    pair = browser.evaluate("""(() => {
        const rows = Array.from(document.querySelectorAll('#run-table tbody tr'));
        const key = row => row.cells[1].getAttribute('data-v');
        const find = arm => rows.find(row => row.cells[3].textContent === arm &&
                                             row.cells[4].textContent === '28' &&
                                             row.cells[5].textContent === '1');
        const a = find('baseline'), b = find('wide');
        return a && b ? [key(a), key(b)] : null;
    })()""")
    check(pair is not None, "no baseline and wide run at resolution 28, seed 1 in the table")
    for run_id in pair:
        browser.click(f"#run-table input.pick[value='{run_id}']")
    browser.wait_for("document.querySelector('#run-diff table.diff') !== null", "the diff table")
    diff = browser.evaluate("""(() => {
        const panel = document.querySelector('#run-diff');
        return {heading: panel.querySelector('h3').textContent,
                differs: Array.from(panel.querySelectorAll('tr.differs'))
                    .map(row => Array.from(row.cells).map(c => c.textContent)),
                visible_same: Array.from(panel.querySelectorAll('tr.same'))
                    .filter(row => getComputedStyle(row).display !== 'none').length};
    })()""")
    check(diff["differs"] == [["arm", "baseline", "wide"]], f"diff of runs {pair}: {diff}")
    check(diff["visible_same"] == 0, "keys that are the same show before they are asked for")
    check(f"Run {pair[0]} against run {pair[1]}: 1 key differs" in diff["heading"], f"diff heading: {diff['heading']}")
    print(f"diff: runs {pair[0]} and {pair[1]} differ in arm only ({diff['heading']})")
    browser.click("#diff-all")
    shown = browser.evaluate("Array.from(document.querySelectorAll('#run-diff tr.same'))"
                             ".filter(row => getComputedStyle(row).display !== 'none').length")
    check(shown == 2, f"'show the keys that are the same' shows {shown} rows, expected 2 (resolution, seed)")
    browser.screenshot(os.path.join(artifacts, "report_html_diff.png"), "#run-diff")

    errors = browser.script_errors()
    check(not errors, f"script errors in the page: {errors}")
    print("no script errors")


if __name__ == "__main__":
    sys.exit(main())
