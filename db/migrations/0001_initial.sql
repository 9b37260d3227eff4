-- 0001: the first schema of the run store. Append-only: never edit a released
-- migration; add NNNN_name.sql instead. Documented in docs/store.md.

-- One row per invocation of an experiment file (a grid).
CREATE TABLE grids (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,            -- the experiment's `name:`
  experiment    TEXT NOT NULL,            -- path of the YAML file as given
  spec_yaml     TEXT NOT NULL,            -- the file's text after overrides
  created_at    TEXT NOT NULL             -- UTC, ISO 8601
);

-- One row per grid cell, keyed by the hash of its resolved configuration: re-running a
-- grid finds finished cells here and skips them.
CREATE TABLE runs (
  id               INTEGER PRIMARY KEY,
  config_hash      TEXT NOT NULL UNIQUE,  -- sha256 of config_json
  config_json      TEXT NOT NULL,         -- canonical resolved configuration (sorted keys)
  status           TEXT NOT NULL CHECK (status IN ('pending', 'running', 'finished', 'failed', 'killed')),
  arm              TEXT NOT NULL,
  model            TEXT NOT NULL,         -- model plugin name
  dataset          TEXT NOT NULL,         -- dataset name as the plugin reports it
  resolution       INTEGER NOT NULL,
  seed             INTEGER NOT NULL,
  params_trainable INTEGER,
  params_total     INTEGER,
  epochs           INTEGER,               -- epochs actually trained
  best_epoch       INTEGER,               -- 1-based epoch whose weights were evaluated
  train_seconds    REAL,
  test_seconds     REAL,                  -- test-split inference
  error            TEXT,                  -- why a failed or killed run stopped
  started_at       TEXT,
  finished_at      TEXT,
  heartbeat_at     TEXT,                  -- refreshed while running; stale = dead process
  pid              INTEGER,
  host             TEXT,
  device           TEXT,
  threads          INTEGER,
  torch_version    TEXT,
  git_commit       TEXT,
  git_dirty        INTEGER,               -- 1 when the working tree had changes
  plugin_versions  TEXT                   -- JSON: {"baseline_cnn": "1.0.0", ...}
);
CREATE INDEX runs_by_arm ON runs (arm, resolution);

-- Which grids asked for which runs (a run can belong to several experiment files).
CREATE TABLE grid_runs (
  grid_id INTEGER NOT NULL REFERENCES grids (id) ON DELETE CASCADE,
  run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  PRIMARY KEY (grid_id, run_id)
);

-- The learning curve: one row per trained epoch.
CREATE TABLE epochs (
  run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch             INTEGER NOT NULL,     -- 1-based
  train_loss        REAL,
  train_accuracy    REAL,
  val_loss          REAL,
  val_accuracy      REAL,
  learning_rate     REAL,
  seconds           REAL,
  images_per_second REAL,
  PRIMARY KEY (run_id, epoch)
);

-- Final scalar metrics per split ('val' or 'test'), e.g. ('test', 'accuracy', 0.91).
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split  TEXT NOT NULL,
  name   TEXT NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, split, name)
);

-- Matrix-valued metrics such as the confusion matrix (rows = true class).
CREATE TABLE matrices (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split       TEXT NOT NULL,
  name        TEXT NOT NULL,
  rows        INTEGER NOT NULL,
  cols        INTEGER NOT NULL,
  values_json TEXT NOT NULL,              -- row-major JSON array of numbers
  PRIMARY KEY (run_id, split, name)
);
