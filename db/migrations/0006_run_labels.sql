-- 0006: what people say about runs (tags and a note), and archived runs: kept with
-- everything they own but out of the listings (docs/store.md, "Archived runs").
-- `runner --force` archives the finished run it replaces, so one configuration can now
-- have several runs: config_hash was UNIQUE, and a column constraint cannot be dropped,
-- so `runs` is rebuilt as https://www.sqlite.org/lang_altertable.html#otheralter says
-- (the store runs migrations with foreign keys off and checks them before committing):
-- a new table, every row copied with its id, the old one dropped, the new one renamed.
-- The tables that reference runs (id) keep pointing at the same ids. Uniqueness now holds
-- among live runs only: a partial unique index on config_hash WHERE archived_at IS NULL.

CREATE TABLE runs_new (
  id                 INTEGER PRIMARY KEY,
  config_hash        TEXT NOT NULL,         -- sha256 of config_json; unique among live runs
  config_json        TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'running', 'finished', 'failed', 'killed')),
  arm                TEXT NOT NULL,
  model              TEXT NOT NULL,
  dataset            TEXT NOT NULL,
  resolution         INTEGER NOT NULL,
  seed               INTEGER NOT NULL,
  params_trainable   INTEGER,
  params_total       INTEGER,
  epochs             INTEGER,
  best_epoch         INTEGER,
  train_seconds      REAL,
  test_seconds       REAL,
  error              TEXT,
  started_at         TEXT,
  finished_at        TEXT,
  heartbeat_at       TEXT,
  pid                INTEGER,
  host               TEXT,
  device             TEXT,
  threads            INTEGER,
  torch_version      TEXT,
  git_commit         TEXT,
  git_dirty          INTEGER,
  plugin_versions    TEXT,
  params_bytes       INTEGER,               -- 0002
  flops_per_image    REAL,
  layer_summary      TEXT,
  mean_epoch_seconds REAL,
  latency_ms         REAL,
  peak_rss_bytes     INTEGER,
  peak_cuda_bytes    INTEGER,
  checkpoint         TEXT,
  output_tail        TEXT,
  ablate_version     TEXT,                  -- 0003
  attempt            INTEGER NOT NULL DEFAULT 0,  -- 0004
  note               TEXT,                  -- 0006: free text about the run (report note); NULL: none
  archived_at        TEXT                   -- 0006: UTC, when it was archived; NULL: a live run
);

INSERT INTO runs_new (id, config_hash, config_json, status, arm, model, dataset, resolution, seed,
                      params_trainable, params_total, epochs, best_epoch, train_seconds, test_seconds,
                      error, started_at, finished_at, heartbeat_at, pid, host, device, threads,
                      torch_version, git_commit, git_dirty, plugin_versions, params_bytes,
                      flops_per_image, layer_summary, mean_epoch_seconds, latency_ms, peak_rss_bytes,
                      peak_cuda_bytes, checkpoint, output_tail, ablate_version, attempt)
SELECT id, config_hash, config_json, status, arm, model, dataset, resolution, seed,
       params_trainable, params_total, epochs, best_epoch, train_seconds, test_seconds,
       error, started_at, finished_at, heartbeat_at, pid, host, device, threads,
       torch_version, git_commit, git_dirty, plugin_versions, params_bytes,
       flops_per_image, layer_summary, mean_epoch_seconds, latency_ms, peak_rss_bytes,
       peak_cuda_bytes, checkpoint, output_tail, ablate_version, attempt
FROM runs;

DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;

CREATE INDEX runs_by_arm ON runs (arm, resolution);
-- A grid cell has at most one live run; archived runs of the same configuration may be many.
CREATE UNIQUE INDEX runs_live_config_hash ON runs (config_hash) WHERE archived_at IS NULL;
-- Archived runs are found by configuration too (report merge matches them by config_hash).
CREATE INDEX runs_by_config_hash ON runs (config_hash);

-- key=value labels of a run (report tag), one row per key.
CREATE TABLE run_tags (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
