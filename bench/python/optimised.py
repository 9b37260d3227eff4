"""The idiomatic script (idiomatic.py) with the runner's optimisations applied by hand:
every core (torch.set_num_threads), channels-last weights and inputs (--channels-last off:
NCHW, as the runner's train.channels_last: false), images kept uint8 and converted per
batch, torch.inference_mode for evaluation, losses and correct predictions summed where
the model runs and read once per epoch (the CPU: every loss is read, as the runner checks
each). Run it with the runner's process settings: LD_PRELOAD=libtcmalloc_minimal.so.4 (the
allocator the runner links) and OPENBLAS_NUM_THREADS=1; bench/throughput does.

On a GPU (--device cuda) it moves data as the runner does (framework/src/engine/
input_pipeline.cpp): each uint8 batch gathered into pinned memory, copied non_blocking and
converted to float on the device; the losses read every 50 steps (trainer.cpp's
kCudaLossCheckEvery); no cudnn.benchmark, which the runner does not set either. --amp bf16
wraps the training forward pass in torch.autocast(bfloat16) and computes the loss in
float32, as the runner's train.amp: bf16; evaluation stays float32 as the runner's does.

It does not re-implement the runner's engine: the one-pass Adam update
(framework/src/engine/fused_adam.cpp; PyTorch 1.13 has no fused Adam for the CPU) and the
evaluation-time fusion of BatchNorm into the layer before it
(framework/src/engine/evaluation_fusion.cpp; torch.fx can fold Conv -> BatchNorm, not the
baseline's ReLU -> BatchNorm -> max-pool). On a GPU the runner uses LibTorch's Adam (one
parameter at a time) and this script torch.optim.Adam's default (all parameters at once
with foreach kernels there)."""
import os

import torch
from torch import nn

from common import autocast, parse_args, run, splits
from models import build

# The runner reads a GPU's training losses this many steps at a time (trainer.cpp).
CUDA_LOSS_CHECK_EVERY = 50

args = parse_args(__doc__, lambda parser: parser.add_argument(
    "--channels-last", choices=["on", "off"], default="on",
    help="channels-last weights and inputs, as the runner's train.channels_last (default on)"))
torch.set_num_threads(args.threads or os.cpu_count())
torch.manual_seed(args.seed)
device = torch.device(args.device)
cuda = device.type == "cuda"
channels_last = args.channels_last == "on"
check_every = CUDA_LOSS_CHECK_EVERY if cuda else 1

(train_images, train_labels), (val_images, val_labels), (test_images, test_labels) = splits(args)

model = build(args.model, args.channels, args.resolution, args.classes).to(
    device, memory_format=torch.channels_last if channels_last else torch.contiguous_format)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def gather(host, index):
    """Rows `index` of a host tensor, on the device: through a pinned buffer on a GPU."""
    if not cuda:
        return host[index]
    pinned = torch.empty((len(index),) + tuple(host.shape[1:]), dtype=host.dtype, pin_memory=True)
    torch.index_select(host, 0, index, out=pinned)
    return pinned.to(device, non_blocking=True)


def to_device(host):
    if not cuda:
        return host
    pinned = torch.empty(host.shape, dtype=host.dtype, pin_memory=True)
    pinned.copy_(host)
    return pinned.to(device, non_blocking=True)


def to_input(images_uint8_nhwc):
    # NHWC memory viewed as NCHW is channels-last already; .float() keeps the layout.
    images = images_uint8_nhwc.permute(0, 3, 1, 2).float().mul_(1.0 / 255.0)
    return images if channels_last else images.contiguous()


def train_epoch():
    model.train()
    order = torch.randperm(len(train_labels))
    loss_sum, pending = 0.0, []
    correct = torch.zeros((), dtype=torch.int64, device=device)
    for start in range(0, len(order), args.batch_size):
        index = order[start:start + args.batch_size]
        images, labels = to_input(gather(train_images, index)), gather(train_labels, index)
        optimizer.zero_grad(set_to_none=True)
        with autocast(args, device):
            outputs = model(images).float()
        loss = criterion(outputs, labels)
        pending.append(loss.detach() * len(index))
        if len(pending) >= check_every:
            loss_sum += torch.stack(pending).sum().item()
            pending = []
        loss.backward()
        optimizer.step()
        correct += (outputs.argmax(1) == labels).sum()
    if pending:
        loss_sum += torch.stack(pending).sum().item()
    return loss_sum / len(order), correct.item() / len(order)


def evaluate(images_uint8, labels_all):
    model.eval()
    with torch.inference_mode():
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        scores = []
        for start in range(0, len(labels_all), args.eval_batch_size):
            images = to_input(to_device(images_uint8[start:start + args.eval_batch_size]))
            labels = to_device(labels_all[start:start + args.eval_batch_size])
            outputs = model(images)
            loss_sum += nn.functional.cross_entropy(outputs, labels, reduction="sum").double()
            correct += (outputs.argmax(1) == labels).sum()
            scores.append(torch.softmax(outputs, 1))
        probabilities = torch.cat(scores).cpu()
    return loss_sum.item() / len(labels_all), correct.item() / len(labels_all), probabilities


run(args, device, train_epoch, lambda: evaluate(val_images, val_labels), lambda: evaluate(test_images, test_labels),
    len(train_labels), len(test_labels))
