-- 0005: the names of a run's classes, as its dataset plugin gives them
-- (DatasetInfo::class_names: "T-shirt/top", "basophil", "class_0"), so that confusion
-- matrices and per-class metrics (f1/3) can say which class a row or a number is about.
-- One row per class; a run recorded before this migration has none, and readers fall
-- back to the class indices.

CREATE TABLE class_names (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  class_index INTEGER NOT NULL,  -- 0-based, as the labels, matrices and f1/<index> metrics number classes
  name        TEXT NOT NULL,
  PRIMARY KEY (run_id, class_index)
);
