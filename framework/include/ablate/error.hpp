// The one error hierarchy of Ablate: every failure a user can meet is one of these kinds.
#pragma once

#include <stdexcept>
#include <string>

#include "ablate/api.hpp"

namespace ablate {

// Base of all Ablate errors. Messages name the file, key or value at fault and what
// would be valid. Defined out of line in libablate_api so that plugins and the host
// share one type_info and catch each other's exceptions.
class ABLATE_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

// An experiment file, an override or a plugin option is wrong.
class ABLATE_API ConfigError : public Error {
 public:
  using Error::Error;
  ~ConfigError() override;
};

// A plugin library cannot be loaded, or a plugin is unknown or misbehaves.
class ABLATE_API PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

// A data file is missing, corrupt, truncated or has the wrong shape.
class ABLATE_API DataError : public Error {
 public:
  using Error::Error;
  ~DataError() override;
};

// The run store cannot be opened, is locked, or is newer than this binary.
class ABLATE_API StoreError : public Error {
 public:
  using Error::Error;
  // `sqlite_code`: SQLite's extended result code (SQLITE_BUSY, SQLITE_READONLY...), so that
  // callers can tell a locked store from a corrupt one without parsing the message.
  StoreError(const std::string& message, int sqlite_code) : Error(message), sqlite_code_(sqlite_code) {}
  ~StoreError() override;
  // 0 when the failure did not come from SQLite.
  int sqlite_code() const noexcept { return sqlite_code_; }

 private:
  int sqlite_code_ = 0;
};

// Training cannot go on: a loss that is NaN or infinite, a shape that does not fit.
class ABLATE_API TrainingError : public Error {
 public:
  using Error::Error;
  ~TrainingError() override;
};

}  // namespace ablate
