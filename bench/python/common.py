"""What both throughput peers share: arguments, the data (random, or read from a MedMNIST-style
.npz), the device, the timing, and the report line."""
import argparse
import contextlib
import json
import time

import torch

import npz


def parse_args(description, add_arguments=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", required=True, choices=["baseline", "encoder", "se"])
    parser.add_argument("--resolution", type=int, required=True)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20, help="training steps (one epoch of steps x batch images)")
    parser.add_argument("--epochs", type=int, default=1,
                        help="training epochs, each followed by a validation pass as in the runner; with more "
                             "than one the first is a warm-up and train images/s is over the others (default 1)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--eval-batch-size", type=int, default=256)
    parser.add_argument("--val", type=int, default=256, help="validation images (evaluated before the test split)")
    parser.add_argument("--test", type=int, default=1024, help="test images (the timed evaluation)")
    parser.add_argument("--eval-only", action="store_true", help="skip training; time evaluation only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: the script's choice)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where to train (default cpu)")
    parser.add_argument("--amp", choices=["none", "bf16"], default="none",
                        help="bf16: training forward passes under torch.autocast(bfloat16), as the runner's "
                             "train.amp: bf16 (which evaluates in float32) (default none)")
    parser.add_argument("--data", metavar="FILE.npz",
                        help="a MedMNIST-style .npz (bench/gpu/make_bloodmnist_like.py): the first steps x batch "
                             "train images, --val val and --test test images from it instead of random ones")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error(f"--epochs is {args.epochs}; expected at least 1")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error(f"--device cuda, but torch {torch.__version__} sees no CUDA device")
    return args


def random_split(count, args, generator):
    """uint8 NHWC images and int64 labels, as a data set loader hands them over."""
    images = torch.randint(0, 256, (count, args.resolution, args.resolution, args.channels), dtype=torch.uint8,
                           generator=generator)
    labels = torch.randint(0, args.classes, (count,), dtype=torch.int64, generator=generator)
    return images, labels


LABEL_DTYPES = {"|u1": torch.uint8, "|i1": torch.int8, "<i2": torch.int16, "<i4": torch.int32, "<i8": torch.int64}


def file_split(split, count, args):
    """The first `count` images (uint8 NHWC) and labels (int64) of `split` in --data."""
    _, shape, pixels = npz.read_rows(args.data, split + "_images", count)
    expected = (args.resolution, args.resolution, args.channels)
    if shape[1:] != expected:
        raise SystemExit(f"{args.data}: {split}_images has images of shape {shape[1:]}; expected {expected} "
                         f"(--resolution {args.resolution}, --channels {args.channels})")
    descr, label_shape, label_bytes = npz.read_rows(args.data, split + "_labels", count)
    images = torch.frombuffer(pixels, dtype=torch.uint8).view(shape)
    labels = torch.frombuffer(label_bytes, dtype=LABEL_DTYPES[descr]).view(label_shape[0]).long()
    if labels.numel() and (labels.min() < 0 or labels.max() >= args.classes):
        raise SystemExit(f"{args.data}: {split}_labels holds labels outside 0..{args.classes - 1}")
    return images, labels


def splits(args):
    """(train, val, test) pairs of uint8 NHWC images and int64 labels: from --data, or random."""
    counts = {"train": args.steps * args.batch_size, "val": args.val, "test": args.test}
    if args.data:
        return tuple(file_split(split, count, args) for split, count in counts.items())
    generator = torch.Generator().manual_seed(args.seed)
    return tuple(random_split(count, args, generator) for count in counts.values())


def autocast(args, device):
    """The context of a training forward pass: bf16 autocast with --amp bf16, else nothing."""
    if args.amp == "bf16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def now(device):
    """The clock, after the device has finished what was queued: GPU work is asynchronous."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def run(args, device, train_epoch, validate, test, train_images, test_images):
    """Trains --epochs epochs (each followed by validation, as the runner) unless --eval-only,
    then times the test split; prints the report line."""
    train_seconds = None
    measured_from = time.time()
    for epoch in range(0 if args.eval_only else args.epochs):
        if epoch == 1:  # epoch 0 was the warm-up: the train images/s are over the others
            train_seconds = 0.0
            measured_from = time.time()
        start = now(device)
        train_epoch()
        seconds = now(device) - start
        train_seconds = seconds if train_seconds is None else train_seconds + seconds
        validate()
    measured_to = time.time()
    measured_epochs = max(1, args.epochs - 1)
    if args.eval_only:
        validate()  # as the runner, which validates after every epoch before testing
    start = now(device)
    test()
    test_seconds = now(device) - start
    report(args, device, train_seconds, train_images * measured_epochs, test_seconds, test_images,
           measured_from, measured_to)


def report(args, device, train_seconds, train_images, eval_seconds, eval_images, measured_from, measured_to):
    line = {
        "model": args.model, "resolution": args.resolution, "threads": torch.get_num_threads(),
        "train_images_per_second": None if train_seconds is None else train_images / train_seconds,
        "eval_images_per_second": eval_images / eval_seconds,
    }
    if device.type == "cuda":
        # For bench/throughput: the caching allocator's peak (as the runner's runs.peak_cuda_bytes)
        # and the wall-clock span of the measured training epochs, for the GPU utilisation.
        line.update(device=torch.cuda.get_device_name(device), peak_cuda_bytes=torch.cuda.max_memory_allocated(device),
                    measured_from=measured_from, measured_to=measured_to)
    print(json.dumps(line), flush=True)
