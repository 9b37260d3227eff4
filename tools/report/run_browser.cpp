// The run browser of the HTML page: the table, the per-run sections and the diff panel.
//
// The per-run sections are plain HTML and SVG, shown one at a time by CSS (:target) when
// a run's id is clicked, so they need no script. Sorting the table and diffing two runs
// do: a small inline script, reading the runs' flattened configurations from an inline
// JSON block. Confusion matrices of the runs are HTML tables with shade classes rather
// than SVG, which keeps a 200-run page a few hundred kB smaller.
#include "run_browser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "charts.hpp"
#include "svg.hpp"
#include "text.hpp"

namespace ablate::report {

namespace {

using Json = nlohmann::ordered_json;

std::string esc(const std::string& text) { return svg::escape(text); }

// The error shown in the table: its first line, cut for a table cell.
constexpr std::size_t kErrorSummaryWidth = 60;

// The metric columns: those asked for (--metric), then the usual headline metrics the
// runs have. Not all of them: the classification plugin alone records thirteen per
// split, and a run's section lists every one.
constexpr const char* kHeadlineMetrics[] = {"test.accuracy", "test.balanced_accuracy", "test.f1_macro", "test.loss",
                                            "val.accuracy"};

std::vector<std::string> metric_columns(const std::vector<BrowserRun>& runs, const std::vector<MetricKey>& asked) {
  std::set<std::string> present;
  for (const auto& run : runs) {
    for (const auto& entry : run.metrics) present.insert(entry.first);
  }
  std::vector<std::string> columns;
  const auto add = [&](const std::string& name) {
    if (present.count(name) != 0 && std::find(columns.begin(), columns.end(), name) == columns.end()) {
      columns.push_back(name);
    }
  };
  for (const auto& metric : asked) add(metric.label());
  for (const char* name : kHeadlineMetrics) add(name);
  return columns;
}

// A number cell: shown rounded, sorted by its full value (data-v).
std::string number_cell(const std::optional<double>& value, int decimals) {
  if (!value || !std::isfinite(*value)) return "<td class=\"r\" data-v=\"\">\u2013</td>";
  return fmt::format("<td class=\"r\" data-v=\"{}\">{}</td>", *value, fixed(*value, decimals));
}

std::string error_cell(const BrowserRun& run) {
  const auto& row = run.row;
  if (row.error.empty() || (row.status != db::RunStatus::failed && row.status != db::RunStatus::killed)) {
    return "<td data-v=\"\"></td>";
  }
  std::string full = row.error;
  if (!run.output_tail.empty()) full += "\n\nlast output:\n" + run.output_tail;
  return fmt::format("<td class=\"error\" data-v=\"{}\"><details><summary>{}</summary><pre>{}</pre></details></td>",
                     esc(row.error), esc(truncate(first_line(row.error), kErrorSummaryWidth)), esc(full));
}

// A run's tags for a cell: "lr=high, reviewed=yes" (report tag).
std::string tags_cell(const db::RunRow& row) {
  std::vector<std::string> tags;
  for (const auto& [key, value] : row.tags) tags.push_back(key + "=" + value);
  return fmt::format("{}", fmt::join(tags, ", "));
}

std::string table_html(const RunBrowser& browser) {
  // Tags, notes and the archive get columns only where a run has them, as in the listing.
  bool tags = false;
  bool notes = false;
  bool archived = false;
  for (const auto& run : browser.runs) {
    tags = tags || !run.row.tags.empty();
    notes = notes || !run.row.note.empty();
    archived = archived || run.row.archived();
  }
  std::string out = "<div class=\"scroll\"><table id=\"run-table\" class=\"runs\">\n<thead><tr>"
                    "<th title=\"tick two runs to compare their configurations\">diff</th>"
                    "<th data-sort=\"num\" class=\"r\">id</th><th data-sort=\"text\">status</th>"
                    "<th data-sort=\"text\">arm</th>";
  for (const auto& key : browser.varying_keys) out += fmt::format("<th data-sort=\"text\">{}</th>", esc(key));
  out += "<th data-sort=\"num\" class=\"r\">seed</th>";
  for (const auto& metric : browser.metrics)
    out += fmt::format("<th data-sort=\"num\" class=\"r\">{}</th>", esc(metric));
  if (tags) out += "<th data-sort=\"text\">tags</th>";
  if (notes) out += "<th data-sort=\"text\">note</th>";
  if (archived) out += "<th data-sort=\"text\">archived</th>";
  out += "<th data-sort=\"text\">error</th></tr></thead>\n<tbody>\n";
  for (const auto& run : browser.runs) {
    const auto& row = run.row;
    const char* status = db::to_string(row.status);
    out += fmt::format("<tr data-run=\"{0}\"><td><input type=\"checkbox\" class=\"pick\" value=\"{0}\" "
                       "aria-label=\"compare run {0}\"></td><td class=\"r\" data-v=\"{0}\"><a href=\"#run-{0}\">{0}</a>"
                       "</td><td class=\"status {1}\">{1}</td><td>{2}</td>",
                       row.id, status, esc(row.arm));
    for (const auto& key : browser.varying_keys) {
      const auto found = run.settings.find(key);
      out += found == run.settings.end() ? fmt::format("<td class=\"absent\">{}</td>", kDefaultValue)
                                         : fmt::format("<td>{}</td>", esc(found->second));
    }
    out += fmt::format("<td class=\"r\" data-v=\"{0}\">{0}</td>", row.seed);
    for (const auto& metric : browser.metrics) {
      const auto found = run.metrics.find(metric);
      out += number_cell(found == run.metrics.end() ? std::nullopt : std::optional<double>(found->second), 4);
    }
    if (tags) out += fmt::format("<td>{}</td>", esc(tags_cell(row)));
    if (notes) {
      out += fmt::format("<td data-v=\"{}\" title=\"{}\">{}</td>", esc(row.note), esc(row.note),
                         esc(truncate(first_line(row.note), kErrorSummaryWidth)));
    }
    if (archived) out += fmt::format("<td>{}</td>", esc(row.archived_at.substr(0, 16)));
    out += error_cell(run) + "</tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
}

// One run's curves: accuracy and loss, validation solid and training dashed.
std::string run_curves(const BrowserRun& run) {
  if (run.epochs.empty()) return "<p class=\"note\">No epochs recorded.</p>\n";
  svg::LineSeries val_accuracy{"val accuracy", 0, false, {}, {}, {}, {}};
  svg::LineSeries train_accuracy{"train accuracy", 0, true, {}, {}, {}, {}};
  svg::LineSeries val_loss{"val loss", 1, false, {}, {}, {}, {}};
  svg::LineSeries train_loss{"train loss", 1, true, {}, {}, {}, {}};
  const auto add = [](svg::LineSeries& series, double epoch, double value) {
    if (!std::isfinite(value)) return;
    series.x.push_back(epoch);
    series.y.push_back(value);
  };
  for (const auto& epoch : run.epochs) {
    const auto e = static_cast<double>(epoch.epoch);
    add(val_accuracy, e, epoch.val_accuracy);
    add(train_accuracy, e, epoch.train_accuracy);
    add(val_loss, e, epoch.val_loss);
    add(train_loss, e, epoch.train_loss);
  }
  return "<div class=\"charts\">\n" +
         svg::line_chart(fmt::format("Run {}: accuracy", run.row.id), "epoch", "accuracy",
                         {val_accuracy, train_accuracy}, svg::XAxis::integer) +
         svg::line_chart(fmt::format("Run {}: loss", run.row.id), "epoch", "loss", {val_loss, train_loss},
                         svg::XAxis::integer) +
         "</div>\n";
}

// A confusion matrix as a table; each cell's shade class s0..s9 is its share of the row.
std::string run_matrix(const BrowserRun& run) {
  if (!run.confusion) return "";
  const db::MatrixRow& m = *run.confusion;
  std::string out = "<h4>Test confusion matrix</h4>\n<table class=\"matrix\"><tr><th>true \\ predicted</th>";
  for (std::int64_t c = 0; c < m.cols; ++c) out += "<th>" + esc(class_label(run.class_names, c)) + "</th>";
  out += "</tr>\n";
  for (std::int64_t r = 0; r < m.rows; ++r) {
    out += "<tr><th>" + esc(class_label(run.class_names, r)) + "</th>";
    double total = 0;
    for (std::int64_t c = 0; c < m.cols; ++c) total += m.values[static_cast<std::size_t>(r * m.cols + c)];
    for (std::int64_t c = 0; c < m.cols; ++c) {
      const double value = m.values[static_cast<std::size_t>(r * m.cols + c)];
      const int shade = total > 0 ? std::clamp(static_cast<int>(value / total * 10), 0, 9) : 0;
      out += fmt::format("<td class=\"s{}\">{:g}</td>", shade, value);
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string run_section(const BrowserRun& run) {
  const auto& row = run.row;
  std::string out =
      fmt::format("<section class=\"run-detail\" id=\"run-{0}\">\n<h3>Run {0}: {1} at {2}, seed {3} \u2014 {4}</h3>\n"
                  "<p class=\"note\"><a href=\"#runs\">back to the runs</a></p>\n<table class=\"fields\">"
                  "<tr><th>config hash</th><td>{5}</td></tr><tr><th>model</th><td>{6}</td></tr>"
                  "<tr><th>dataset</th><td>{7}</td></tr><tr><th>epochs</th><td>{8}</td></tr>"
                  "<tr><th>trainable parameters</th><td>{9}</td></tr><tr><th>training seconds</th><td>{10}</td></tr>",
                  row.id, esc(row.arm), row.resolution, row.seed, db::to_string(row.status), esc(row.config_hash),
                  esc(row.model), esc(row.dataset), row.epochs ? std::to_string(*row.epochs) : kUndefined,
                  row.params_trainable ? with_thousands(*row.params_trainable) : kUndefined,
                  fixed(row.train_seconds, 1));
  if (!row.tags.empty()) out += fmt::format("<tr><th>tags</th><td>{}</td></tr>", esc(tags_cell(row)));
  if (row.archived()) out += fmt::format("<tr><th>archived</th><td>{}</td></tr>", esc(row.archived_at));
  for (const auto& [name, value] : run.metrics) {
    if (name.find('/') != std::string::npos) continue;  // per-class metrics: `report show`
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>", esc(name), fixed(value, 4));
  }
  out += "</table>\n";
  if (!row.note.empty()) out += "<h4>Note</h4>\n<pre class=\"note\">" + esc(row.note) + "</pre>\n";
  if (!row.error.empty()) out += "<h4>Error</h4>\n<pre class=\"error\">" + esc(row.error) + "</pre>\n";
  if (!run.output_tail.empty()) out += "<h4>Last output</h4>\n<pre>" + esc(run.output_tail) + "</pre>\n";
  out += run_curves(run);
  out += run_matrix(run);
  out += "<h4>Configuration</h4>\n<pre>" + esc(run.config_json) + "</pre>\n</section>\n";
  return out;
}

// The runs' flattened configurations for the diff, as JSON that cannot end the <script>
// element it sits in: '<' is written \u003c (JSON has '<' only inside strings).
std::string configs_json(const RunBrowser& browser) {
  Json runs = Json::object();
  for (const auto& run : browser.runs) {
    Json config = Json::object();
    for (const auto& [key, value] : run.settings) config[key] = value;
    runs[std::to_string(run.row.id)] = Json{{"config", config}};
  }
  std::string text = runs.dump();
  std::string safe;
  for (const char c : text) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  return safe;
}

// Sorting by a column title, and the diff of the two runs ticked last.
constexpr const char* kScript = R"(
(function () {
  'use strict';
  var table = document.getElementById('run-table');
  var panel = document.getElementById('run-diff');
  if (!table || !panel) return;
  var body = table.tBodies[0];
  var titles = table.tHead.rows[0].cells;
  var configs = JSON.parse(document.getElementById('run-configs').textContent);
  Array.prototype.forEach.call(titles, function (th, column) {
    var kind = th.getAttribute('data-sort');
    if (!kind) return;
    th.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(titles, function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var key = function (row) {
        var cell = row.cells[column];
        var text = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent;
        return kind === 'num' ? (text === '' ? NaN : Number(text)) : text;
      };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (kind === 'num') {
          if (isNaN(x) || isNaN(y)) return (isNaN(x) ? 1 : 0) - (isNaN(y) ? 1 : 0);  // no value: last
          return ascending ? x - y : y - x;
        }
        var order = x.localeCompare(y, undefined, {numeric: true});
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });

  var picked = [];
  var add = function (parent, tag, text, className) {
    var element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    if (className) element.className = className;
    parent.appendChild(element);
    return element;
  };
  var render = function () {
    panel.textContent = '';
    if (picked.length < 2) {
      add(panel, 'p', picked.length ? 'Tick one more run to compare it with run ' + picked[0] + '.'
                                    : 'Tick two runs in the table to compare their configurations.', 'note');
      return;
    }
    var a = configs[picked[0]].config, b = configs[picked[1]].config;
    var keys = Object.keys(a);
    Object.keys(b).forEach(function (key) { if (!(key in a)) keys.push(key); });
    keys.sort();
    var differing = keys.filter(function (key) { return a[key] !== b[key]; });
    var same = keys.filter(function (key) { return a[key] === b[key]; });
    add(panel, 'h3', 'Run ' + picked[0] + ' against run ' + picked[1] + ': ' + differing.length +
        (differing.length === 1 ? ' key differs, ' : ' keys differ, ') + same.length + ' the same');
    var toggle = add(panel, 'label', undefined, 'note');
    var box = add(toggle, 'input');
    box.type = 'checkbox';
    box.id = 'diff-all';
    box.addEventListener('change', function () { panel.classList.toggle('all', box.checked); });
    toggle.appendChild(document.createTextNode(' show the keys that are the same too'));
    var diff = add(panel, 'table', undefined, 'diff');
    var head = add(diff, 'tr');
    ['key', 'run ' + picked[0], 'run ' + picked[1]].forEach(function (text) { add(head, 'th', text); });
    differing.concat(same).forEach(function (key) {
      var row = add(diff, 'tr', undefined, a[key] !== b[key] ? 'differs' : 'same');
      add(row, 'td', key);
      [a, b].forEach(function (config) {
        if (key in config) add(row, 'td', config[key]); else add(row, 'td', 'default', 'absent');
      });
    });
  };
  body.addEventListener('change', function (event) {
    var box = event.target;
    if (!box.classList.contains('pick')) return;
    picked = picked.filter(function (id) { return id !== box.value; });
    if (box.checked) picked.push(box.value);
    while (picked.length > 2) {
      var oldest = body.querySelector('input.pick[value="' + picked.shift() + '"]');
      if (oldest) oldest.checked = false;
    }
    render();
  });
  render();
})();
)";

}  // namespace

std::vector<std::string> varying_keys(const std::vector<Settings>& settings) {
  std::set<std::string> keys;
  for (const auto& one : settings) {
    for (const auto& entry : one) keys.insert(entry.first);
  }
  std::vector<std::string> varying;
  for (const auto& key : keys) {
    if (key == "seed" || key == "arm") continue;
    std::set<std::string> values;
    for (const auto& one : settings) {
      const auto found = one.find(key);
      values.insert(found == one.end() ? std::string(kDefaultValue) : found->second);
    }
    if (values.size() > 1) varying.push_back(key);
  }
  return varying;
}

RunBrowser read_run_browser(const StoreReader& store, const RunQuery& query, const std::vector<MetricKey>& metrics) {
  RunBrowser browser;
  const auto rows = store.list_runs(query);
  const auto configs = store.configs_of(rows);
  std::vector<std::int64_t> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  auto epochs = store.epochs_of(ids);
  std::vector<Settings> all_settings;
  for (const auto& row : rows) {
    BrowserRun run;
    run.row = row;
    const auto config = configs.find(row.id);
    if (config != configs.end()) {
      run.settings = flatten_config(config->second);
      const auto parsed = nlohmann::ordered_json::parse(config->second, nullptr, false);
      run.config_json = parsed.is_discarded() ? config->second : parsed.dump(2);
    }
    for (const auto& field : store.run_fields(row.id)) {
      if (field.name == "output_tail") run.output_tail = field.value;
    }
    for (const auto& metric : store.store().metrics(row.id))
      run.metrics[metric.split + "." + metric.name] = metric.value;
    run.epochs = std::move(epochs[row.id]);
    for (auto& matrix : store.store().matrices(row.id)) {
      if (matrix.split == "test" && matrix.name.find("confusion") != std::string::npos) {
        run.confusion = std::move(matrix);
        break;
      }
    }
    run.class_names = store.store().class_names(row.id);
    all_settings.push_back(run.settings);
    browser.runs.push_back(std::move(run));
  }
  browser.varying_keys = varying_keys(all_settings);
  browser.metrics = metric_columns(browser.runs, metrics);
  return browser;
}

std::string render_run_browser(const RunBrowser& browser) {
  std::string out =
      "<h2 id=\"runs\">Runs</h2>\n<p class=\"note\">Every run, with the configuration keys that vary between "
      "runs. Click a column title to sort by it (again: the other way); click a run's id for its "
      "configuration, learning curves and confusion matrix; tick two runs to compare their "
      "configurations.</p>\n<div id=\"run-diff\" class=\"run-diff\"></div>\n";
  out += table_html(browser);
  for (const auto& run : browser.runs) out += run_section(run);
  out += "<script type=\"application/json\" id=\"run-configs\">" + configs_json(browser) + "</script>\n";
  out += std::string("<script>") + kScript + "</script>\n";
  return out;
}

}  // namespace ablate::report
