// Out-of-line destructors anchor each error's type_info in libablate_api, so plugins
// and the host agree on one type when they throw and catch.
#include "ablate/error.hpp"

namespace ablate {

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
ConfigError::~ConfigError() = default;
PluginError::~PluginError() = default;
DataError::~DataError() = default;
StoreError::~StoreError() = default;
TrainingError::~TrainingError() = default;

}  // namespace ablate
