// Ablate's own version, shared by runner and report (library `ablate_version`, LibTorch-free).
#pragma once

namespace ablate {

// The project version and, in a git checkout, the source tree's commit at build time:
// "0.1.0+g1a2b3c4", "0.1.0+g1a2b3c4.dirty" (uncommitted changes to tracked files), or
// "0.1.0" outside git. Defined in a source that cmake/AblateVersion.cmake regenerates on
// every build, so it names the commit the binary was actually built from.
const char* ablate_version();

}  // namespace ablate
