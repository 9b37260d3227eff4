// A plugin's options: the YAML mapping from the experiment, read through typed getters
// that name the option, its location and what is valid when something is wrong.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ablate/api.hpp"

namespace ablate {

class ABLATE_API Options {
 public:
  struct Impl;

  Options();  // no options at all
  explicit Options(std::shared_ptr<Impl> impl);

  bool has(const std::string& key) const;

  // Each getter returns the default when the key is absent and records the key as
  // known; the host rejects keys that no getter asked for.
  std::int64_t get_int(const std::string& key, std::int64_t default_value) const;
  double get_double(const std::string& key, double default_value) const;
  bool get_bool(const std::string& key, bool default_value) const;
  std::string get_string(const std::string& key, const std::string& default_value) const;
  // One of `choices`; anything else is an error that lists them.
  std::string get_choice(const std::string& key, const std::string& default_value,
                         const std::vector<std::string>& choices) const;
  std::vector<std::int64_t> get_int_list(const std::string& key, const std::vector<std::int64_t>& default_value) const;
  std::vector<double> get_double_list(const std::string& key, const std::vector<double>& default_value) const;

  // Throws ConfigError: "<owner>: option '<key>' (<where>) <problem>".
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

  // Throws ConfigError naming the first key no getter asked for and the known keys.
  void reject_unknown() const;

  // "model plugin 'baseline_cnn'", used in every message.
  const std::string& owner() const;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ablate
