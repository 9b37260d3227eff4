-- 0004: which claim of a run is current. claim_run increments `attempt` each time a runner
-- takes the run, and every later write of that runner (heartbeat, epoch, finish, end) is
-- made only WHERE attempt still equals the one it claimed. A runner that was suspended past
-- the stale limit and lost its run to another runner can then never overwrite that
-- runner's result (docs/store.md, "Claims"). 0 for runs recorded before this migration.

ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
