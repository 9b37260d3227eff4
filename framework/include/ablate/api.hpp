// ABLATE_API marks every type and function that crosses the plugin boundary: plugins and
// the host must share one definition of each (one type_info for an Error to be caught
// across a shared library, one vtable layout for Model, Dataset and Metric). libablate_api
// itself is built with hidden visibility, so what is not marked stays private to it.
#pragma once

#define ABLATE_API __attribute__((visibility("default")))
