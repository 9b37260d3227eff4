-- 0003: which Ablate recorded each run, next to torch_version. Not part of config_hash: a
-- run is keyed by what was asked, so rebuilding or upgrading Ablate does not re-run a
-- finished grid (docs/store.md). NULL for runs recorded before this migration.

ALTER TABLE runs ADD COLUMN ablate_version TEXT;  -- runner --version's, e.g. 0.1.0+g1a2b3c4
