// The names of a run's classes (migration 0005): written by the runner once the cell's
// data set is known, read by report's confusion matrices and per-class metrics.
#include <SQLiteCpp/SQLiteCpp.h>

#include "sqlite_support.hpp"
#include "store.hpp"

namespace ablate::db {

void Store::set_class_names(const RunLease& lease, const std::vector<std::string>& names) {
  guarded(path_, "cannot record the class names", [&] {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    // Checks the lease first: a runner that lost the run writes nothing to it.
    touch(lease);
    SQLite::Statement clear(*db_, "DELETE FROM class_names WHERE run_id = ?");
    clear.bind(1, lease.run_id);
    clear.exec();
    SQLite::Statement insert(*db_, "INSERT INTO class_names (run_id, class_index, name) VALUES (?, ?, ?)");
    for (std::size_t i = 0; i < names.size(); ++i) {
      insert.reset();
      insert.bind(1, lease.run_id);
      insert.bind(2, static_cast<std::int64_t>(i));
      insert.bind(3, names[i]);
      insert.exec();
    }
    transaction.commit();
  });
}

std::vector<std::string> Store::class_names(std::int64_t run_id) const {
  return guarded(path_, "cannot read the class names", [&] {
    SQLite::Statement query(*db_, "SELECT class_index, name FROM class_names WHERE run_id = ? ORDER BY class_index");
    query.bind(1, run_id);
    std::vector<std::string> names;
    while (query.executeStep()) {
      // Indices run 0, 1, ... as written; a gap (a store edited by hand) reads as no names
      // rather than as names shifted onto the wrong classes.
      if (query.getColumn(0).getInt64() != static_cast<std::int64_t>(names.size())) return std::vector<std::string>{};
      names.push_back(query.getColumn(1).getString());
    }
    return names;
  });
}

}  // namespace ablate::db
