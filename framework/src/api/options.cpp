// Typed, self-describing access to a plugin's YAML options.
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ablate/error.hpp"
#include "api/did_you_mean.hpp"
#include "api/options_yaml.hpp"

namespace ablate {

struct Options::Impl {
  YAML::Node node;
  std::string owner;
  std::string source;
  mutable std::set<std::string> known;  // every key a getter asked for
};

namespace {

// The values noted by note_origin, looked up by identity: a YAML::Node has no room for
// an origin of its own. Few (one a command-line override, with its children) and read only
// to word an error, so a list searched from the newest is enough.
struct NotedOrigins {
  std::mutex mutex;
  std::vector<std::pair<YAML::Node, std::string>> nodes;
};

NotedOrigins& noted_origins() {
  static NotedOrigins origins;
  return origins;
}

void note_each(const YAML::Node& node, const std::string& origin, std::vector<std::pair<YAML::Node, std::string>>& to) {
  to.emplace_back(node, origin);
  if (node.IsSequence()) {
    for (const auto& item : node) note_each(item, origin, to);
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      note_each(entry.first, origin, to);
      note_each(entry.second, origin, to);
    }
  }
}

}  // namespace

void note_origin(const YAML::Node& value, const std::string& origin) {
  NotedOrigins& origins = noted_origins();
  const std::lock_guard<std::mutex> lock(origins.mutex);
  note_each(value, origin, origins.nodes);
}

std::string describe_location(const YAML::Node& node, const std::string& source) {
  if (!node.IsDefined()) return source;
  {
    NotedOrigins& origins = noted_origins();
    const std::lock_guard<std::mutex> lock(origins.mutex);
    for (auto it = origins.nodes.rbegin(); it != origins.nodes.rend(); ++it) {
      if (it->first.is(node)) return it->second;
    }
  }
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return source;
  if (source.empty()) return fmt::format("line {}:{}", mark.line + 1, mark.column + 1);
  return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

Options make_options(const YAML::Node& node, const std::string& owner, const std::string& source) {
  if (node && !node.IsNull() && !node.IsMap()) {
    throw ConfigError(fmt::format("{}: options ({}) must be a mapping of key: value", owner,
                                  describe_location(node, source)));
  }
  auto impl = std::make_shared<Options::Impl>();
  impl->node = node && node.IsMap() ? node : YAML::Node(YAML::NodeType::Map);
  impl->owner = owner;
  impl->source = source;
  return Options(impl);
}

Options::Options() : Options(make_options(YAML::Node(), "plugin", "")) {}
Options::Options(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

const std::string& Options::owner() const { return impl_->owner; }

bool Options::has(const std::string& key) const {
  impl_->known.insert(key);
  return bool(impl_->node[key]);
}

void Options::fail(const std::string& key, const std::string& problem) const {
  const YAML::Node value = impl_->node[key];
  const std::string where = value ? describe_location(value, impl_->source) : impl_->source;
  if (where.empty()) throw ConfigError(fmt::format("{}: option '{}' {}", owner(), key, problem));
  throw ConfigError(fmt::format("{}: option '{}' ({}) {}", owner(), key, where, problem));
}

namespace {

template <typename T>
T scalar_as(const Options& options, const YAML::Node& value, const std::string& key, const char* expected) {
  if (!value.IsScalar()) options.fail(key, fmt::format("must be {}", expected));
  try {
    return value.as<T>();
  } catch (const YAML::Exception&) {
    options.fail(key, fmt::format("must be {}, got '{}'", expected, value.Scalar()));
  }
}

template <typename T>
T get_scalar(const Options& options, const YAML::Node& node, const std::string& key, T default_value,
             const char* expected) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return default_value;
  return scalar_as<T>(options, value, key, expected);
}

template <typename T>
std::vector<T> get_list(const Options& options, const YAML::Node& node, const std::string& key,
                        const std::vector<T>& default_value, const char* expected) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return default_value;
  if (!value.IsSequence()) options.fail(key, fmt::format("must be a list of {}", expected));
  std::vector<T> result;
  for (const auto& item : value) result.push_back(scalar_as<T>(options, item, key, expected));
  return result;
}

}  // namespace

std::int64_t Options::get_int(const std::string& key, std::int64_t default_value) const {
  impl_->known.insert(key);
  return get_scalar<std::int64_t>(*this, impl_->node, key, default_value, "an integer");
}

double Options::get_double(const std::string& key, double default_value) const {
  impl_->known.insert(key);
  return get_scalar<double>(*this, impl_->node, key, default_value, "a number");
}

bool Options::get_bool(const std::string& key, bool default_value) const {
  impl_->known.insert(key);
  return get_scalar<bool>(*this, impl_->node, key, default_value, "true or false");
}

std::string Options::get_string(const std::string& key, const std::string& default_value) const {
  impl_->known.insert(key);
  return get_scalar<std::string>(*this, impl_->node, key, default_value, "a string");
}

std::string Options::get_choice(const std::string& key, const std::string& default_value,
                                const std::vector<std::string>& choices) const {
  const std::string value = get_string(key, default_value);
  for (const auto& choice : choices) {
    if (value == choice) return value;
  }
  fail(key, fmt::format("is '{}'; valid values: {}", value, fmt::join(choices, ", ")));
}

std::vector<std::int64_t> Options::get_int_list(const std::string& key,
                                                const std::vector<std::int64_t>& default_value) const {
  impl_->known.insert(key);
  return get_list<std::int64_t>(*this, impl_->node, key, default_value, "integers");
}

std::vector<double> Options::get_double_list(const std::string& key, const std::vector<double>& default_value) const {
  impl_->known.insert(key);
  return get_list<double>(*this, impl_->node, key, default_value, "numbers");
}

void Options::reject_unknown() const {
  for (const auto& entry : impl_->node) {
    const std::string key = entry.first.Scalar();
    if (impl_->known.count(key)) continue;
    const std::string where = describe_location(entry.first, impl_->source);
    const std::string known = impl_->known.empty() ? std::string("it takes no options")
                                                   : fmt::format("known options: {}", fmt::join(impl_->known, ", "));
    throw ConfigError(fmt::format("{}: unknown option '{}'{}{}; {}", owner(), key,
                                  where.empty() ? "" : " (" + where + ")", did_you_mean(key, impl_->known), known));
  }
}

}  // namespace ablate
