// The commands that change a store's runs, as MLflow and W&B users expect: `report tag`,
// `note`, `archive`, `unarchive` and `rm`. Every other command only reads.
#pragma once

#include "cli.hpp"

namespace ablate::report {

void add_tag(Cli& cli);        // report tag RUN... KEY=VALUE... [--remove KEY]
void add_note(Cli& cli);       // report note RUN TEXT
void add_archive(Cli& cli);    // report archive [RUN...] [FILTERS] [--undo]
void add_unarchive(Cli& cli);  // report unarchive [RUN...] [FILTERS]
void add_rm(Cli& cli);         // report rm [RUN...] [FILTERS] [--dry-run] [--force]

}  // namespace ablate::report
