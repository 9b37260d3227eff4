// `runner --copy-store FROM TO`: how a Slurm task's store leaves the node and comes back.
// A store in WAL mode keeps committed rows in FROM-wal until a checkpoint, so copying its
// main file loses them; this copy goes through SQLite's backup API instead.
#pragma once

#include <string>

namespace ablate {

// Writes a consistent snapshot of the Ablate store FROM, with its checkpoints
// (FROM.artifacts/), to TO and TO.artifacts/. Each is written under a temporary name in
// TO's folder and renamed into place (artifacts first, so the store never names a
// checkpoint that is not there yet): a reader of TO sees the old copy or the new one,
// never half of one. TO is left in rollback-journal mode, one self-contained file that a
// shared (NFS) results folder can hold. Throws StoreError naming the file at fault.
void copy_store(const std::string& from, const std::string& to);

}  // namespace ablate
