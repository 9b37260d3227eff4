"""The idiomatic script (idiomatic.py) with the runner's optimisations applied by hand:
every core (torch.set_num_threads), channels-last weights and inputs, images kept uint8
and converted per batch, torch.inference_mode for evaluation. Run it with the runner's
process settings: LD_PRELOAD=libtcmalloc_minimal.so.4 (the allocator the runner links) and
OPENBLAS_NUM_THREADS=1; bench/throughput does.

It does not re-implement the runner's engine: the one-pass Adam update
(framework/src/engine/fused_adam.cpp; PyTorch 1.13 has no fused Adam for the CPU) and the
evaluation-time fusion of BatchNorm into the layer before it
(framework/src/engine/evaluation_fusion.cpp; torch.fx can fold Conv -> BatchNorm, not the
baseline's ReLU -> BatchNorm -> max-pool)."""
import os

import torch
from torch import nn

from common import clock, parse_args, random_split, report
from models import build

args = parse_args(__doc__)
torch.set_num_threads(args.threads or os.cpu_count())
torch.manual_seed(args.seed)
generator = torch.Generator().manual_seed(args.seed)

train_images, train_labels = random_split(args.steps * args.batch_size, args, generator)
val_images, val_labels = random_split(args.val, args, generator)
test_images, test_labels = random_split(args.test, args, generator)

model = build(args.model, args.channels, args.resolution, args.classes).to(memory_format=torch.channels_last)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def to_input(images_uint8_nhwc):
    # NHWC memory viewed as NCHW is channels-last already; .float() keeps the layout.
    return images_uint8_nhwc.permute(0, 3, 1, 2).float().mul_(1.0 / 255.0)


def train_epoch():
    model.train()
    order = torch.randperm(len(train_labels))
    running_loss, correct = 0.0, 0
    for start in range(0, len(order), args.batch_size):
        index = order[start:start + args.batch_size]
        images, labels = to_input(train_images[index]), train_labels[index]
        optimizer.zero_grad(set_to_none=True)
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * len(index)
        correct += (outputs.argmax(1) == labels).sum().item()
    return running_loss / len(order), correct / len(order)


def evaluate(images_uint8, labels_all):
    model.eval()
    total_loss, correct, scores = 0.0, 0, []
    with torch.inference_mode():
        for start in range(0, len(labels_all), args.eval_batch_size):
            images = to_input(images_uint8[start:start + args.eval_batch_size])
            labels = labels_all[start:start + args.eval_batch_size]
            outputs = model(images)
            total_loss += nn.functional.cross_entropy(outputs, labels, reduction="sum").item()
            correct += (outputs.argmax(1) == labels).sum().item()
            scores.append(torch.softmax(outputs, 1))
    return total_loss / len(labels_all), correct / len(labels_all), torch.cat(scores)


train_seconds = None
if not args.eval_only:
    start = clock()
    train_epoch()
    train_seconds = clock() - start
evaluate(val_images, val_labels)  # as the runner, which validates after every epoch before testing
start = clock()
evaluate(test_images, test_labels)
report(args, train_seconds, len(train_labels), clock() - start, len(test_labels))
