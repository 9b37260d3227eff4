-- 0002: what a paper needs from each run: model facts, timings, memory, the checkpoint,
-- the marked best epoch, and the test predictions so any metric can be recomputed.

ALTER TABLE runs ADD COLUMN params_bytes INTEGER;       -- parameters and buffers, bytes
ALTER TABLE runs ADD COLUMN flops_per_image REAL;       -- forward FLOPs (2 x multiply-adds) at the run's resolution
ALTER TABLE runs ADD COLUMN layer_summary TEXT;         -- JSON: [{"name", "type", "output_shape", "params"}]
ALTER TABLE runs ADD COLUMN mean_epoch_seconds REAL;
ALTER TABLE runs ADD COLUMN latency_ms REAL;            -- median inference latency per image at batch 1
ALTER TABLE runs ADD COLUMN peak_rss_bytes INTEGER;     -- peak resident memory of the process that trained it
ALTER TABLE runs ADD COLUMN peak_cuda_bytes INTEGER;    -- peak CUDA memory, when trained on a GPU
ALTER TABLE runs ADD COLUMN checkpoint TEXT;            -- best weights, relative to <store>.artifacts/
ALTER TABLE runs ADD COLUMN output_tail TEXT;           -- last lines a crashed run printed

ALTER TABLE epochs ADD COLUMN is_best INTEGER NOT NULL DEFAULT 0;  -- 1 on the epoch whose weights were evaluated

-- Softmax scores of every sample of a split, so metrics and paired tests (McNemar) can be
-- recomputed from the store. Little-endian arrays: numpy.frombuffer(scores, '<f4')
-- .reshape(count, num_classes) and numpy.frombuffer(labels, '<i4').
CREATE TABLE predictions (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split       TEXT NOT NULL,
  count       INTEGER NOT NULL,
  num_classes INTEGER NOT NULL,
  labels      BLOB NOT NULL,   -- int32 x count
  scores      BLOB NOT NULL,   -- float32 x count x num_classes, row-major
  PRIMARY KEY (run_id, split)
);
