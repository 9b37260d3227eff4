# The GPU path, end to end on a real CUDA device: device auto-selection, peak CUDA memory
# recorded, amp bf16, a non-finite loss on the GPU naming its epoch and step, a GPU cell
# interrupted and resumed, and two GPU cells at once (--jobs 2).
# SKIPPED where this runner's LibTorch has no CUDA device (Debian's LibTorch is CPU-only);
# FAILS where nvidia-smi lists a GPU but the runner cannot use it (a CPU-only build there).
source "$(dirname "$0")/lib.bash" "$@"

# A grid on the GPU: the synthetic data at 32x32, a few epochs of a few steps.
write_gpu_experiment() {
  cat >"$1" <<YAML
name: gpu
dataset: {plugin: synthetic, classes: 4, channels: 3, size: 32, train: 512, val: 64, test: 64}
arms:
  baseline: {model: baseline_cnn}
  se: {model: unet_encoder, options: {se_reduction: 16}}
resolutions: [32]
seeds: [0]
train: {batch_size: 64, max_epochs: 2, early_stopping: {patience: 0}, device: ${2:-auto}}
YAML
}

# Is there a GPU for this runner? One step with device: cuda says.
write_gpu_experiment probe.yaml cuda
if ! "$RUNNER" probe.yaml --db probe.db train.max_epochs=1 train.steps_per_epoch=1 "arms={baseline: {model: baseline_cnn}}" >probe.log 2>&1; then
  if grep -qF "has no usable CUDA device" probe.log; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
      cat probe.log >&2
      fail "nvidia-smi lists a GPU, but this runner's LibTorch cannot use it (built against a CPU-only LibTorch?)"
    fi
    skip "this runner's LibTorch has no CUDA device"
  fi
  cat probe.log >&2
  fail "one training step on the GPU failed"
fi

# device: auto picks the GPU; every run records it and its peak CUDA memory.
write_gpu_experiment grid.yaml
expect_exit 0 auto.log -- "$RUNNER" grid.yaml --db gpu.db
[ "$(sql gpu.db "SELECT count(*) FROM runs WHERE status = 'finished' AND device = 'cuda'")" = 2 ] \
  || { sql gpu.db "SELECT id, status, device, error FROM runs"; fail "both runs finished on the GPU (device auto)"; }
[ "$(sql gpu.db "SELECT count(*) FROM runs WHERE peak_cuda_bytes > 1000000")" = 2 ] \
  || { sql gpu.db "SELECT id, peak_cuda_bytes FROM runs"; fail "each run records its peak CUDA memory"; }
[ "$(sql gpu.db "SELECT count(*) FROM runs WHERE peak_rss_bytes > 0 AND test_seconds > 0")" = 2 ] || fail "timings"
expect_exit 0 table.log -- "$REPORT" --db gpu.db
expect_in table.log "baseline"

# The GPU's results are a model's: `runner evaluate` reproduces the stored test metrics.
expect_exit 0 evaluate.log -- "$RUNNER" evaluate 1 --db gpu.db
expect_in evaluate.log "reproduced"

# amp bf16 on the GPU: another configuration, trained and evaluated with finite losses.
expect_exit 0 amp.log -- "$RUNNER" grid.yaml --db gpu.db train.amp=bf16
[ "$(sql gpu.db "SELECT count(*) FROM runs WHERE status = 'finished' AND device = 'cuda' AND config_json LIKE '%bf16%'")" = 2 ] \
  || { sql gpu.db "SELECT id, status, error FROM runs"; fail "both bf16 runs finished on the GPU"; }
[ "$(sql gpu.db "SELECT count(*) FROM epochs e JOIN runs r ON r.id = e.run_id
                 WHERE r.config_json LIKE '%bf16%' AND e.train_loss BETWEEN 0 AND 100")" = 4 ] \
  || fail "bf16 runs have finite training losses in every epoch"

# A loss that diverges on the GPU fails that cell only, naming its epoch and step (the
# losses are read from the device in batches: the step must still be the right one).
expect_exit 1 diverge.log -- "$RUNNER" grid.yaml --db diverge.db "arms={baseline: {model: baseline_cnn}}" \
  "train.optimizer={name: sgd, lr: 1.0e+12, momentum: 0.9}"
expect_in diverge.log "failed: the training loss became"
[ "$(sql diverge.db "SELECT count(*) FROM runs WHERE status = 'failed' AND device = 'cuda'
                     AND error LIKE '%in epoch % step % of %'")" = 1 ] \
  || { sql diverge.db "SELECT status, device, error FROM runs"; fail "the diverging GPU run is failed with epoch and step"; }

# Ctrl-C during a GPU cell: the run is killed (exit 130) and the same command runs it
# again to the end. (30 epochs of 40 steps: seconds on a GPU, long enough to interrupt.)
write_gpu_experiment long.yaml cuda
long=(long.yaml --db long.db "arms={baseline: {model: baseline_cnn}}" train.max_epochs=30 train.steps_per_epoch=40 dataset.train=2560)
"$RUNNER" "${long[@]}" >long.log 2>&1 &
pid=$!
wait_for_text long.log "epoch 2/30" 120
kill -INT "$pid"
status=0; wait "$pid" || status=$?
[ "$status" = 130 ] || { cat long.log; fail "expected exit 130 after Ctrl-C on the GPU, got $status"; }
[ "$(sql long.db "SELECT status || ' ' || device FROM runs")" = "killed cuda" ] || fail "the GPU run is marked killed"
expect_exit 0 resumed.log -- "$RUNNER" "${long[@]}"
[ "$(sql long.db "SELECT status || ' ' || device || ' ' || attempt FROM runs")" = "finished cuda 2" ] \
  || { sql long.db "SELECT status, device, attempt, error FROM runs"; fail "the killed GPU run finished on its second attempt"; }
[ "$(sql long.db "SELECT count(*) FROM epochs")" = 30 ] || fail "30 epochs, none left over from the killed attempt"

# Two GPU cells at once (--jobs 2: two cell processes sharing the device).
expect_exit 0 jobs.log -- "$RUNNER" grid.yaml --db jobs.db --jobs 2 "seeds=[1, 2]"
[ "$(sql jobs.db "SELECT count(*) FROM runs WHERE status = 'finished' AND device = 'cuda'")" = 4 ] \
  || { sql jobs.db "SELECT id, status, device, error FROM runs"; fail "four runs finished on the GPU with --jobs 2"; }
echo "ok"
