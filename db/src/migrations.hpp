// The schema migrations embedded from db/migrations/*.sql (see embed_migrations.cmake).
#pragma once

namespace ablate::db::detail {

struct Migration {
  const char* name;  // file name, e.g. "0001_initial.sql"
  const char* sql;   // the whole file
};

// In file-name order; migration i (0-based) takes a store to schema version i + 1.
const Migration* migrations();
int migration_count();

}  // namespace ablate::db::detail
