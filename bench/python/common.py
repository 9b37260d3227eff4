"""What both throughput peers share: arguments, the random data, and the report line."""
import argparse
import json
import time

import torch


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", required=True, choices=["baseline", "encoder", "se"])
    parser.add_argument("--resolution", type=int, required=True)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20, help="training steps (one epoch of steps x batch images)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--eval-batch-size", type=int, default=256)
    parser.add_argument("--val", type=int, default=256, help="validation images (evaluated before the test split)")
    parser.add_argument("--test", type=int, default=1024, help="test images (the timed evaluation)")
    parser.add_argument("--eval-only", action="store_true", help="skip training; time evaluation only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: the script's choice)")
    return parser.parse_args()


def random_split(count, args, generator):
    """uint8 NHWC images and int64 labels, as a data set loader hands them over."""
    images = torch.randint(0, 256, (count, args.resolution, args.resolution, args.channels), dtype=torch.uint8,
                           generator=generator)
    labels = torch.randint(0, args.classes, (count,), dtype=torch.int64, generator=generator)
    return images, labels


def report(args, train_seconds, train_images, eval_seconds, eval_images):
    print(json.dumps({
        "model": args.model, "resolution": args.resolution, "threads": torch.get_num_threads(),
        "train_images_per_second": None if train_seconds is None else train_images / train_seconds,
        "eval_images_per_second": eval_images / eval_seconds,
    }), flush=True)


clock = time.perf_counter
