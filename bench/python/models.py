"""The seed study's baseline, encoder and se models in PyTorch, layer for layer as the C++
plugins baseline_cnn and unet_encoder define them (SEED_STUDY.md models 1-3), for the
throughput peers. Parameter counts at 3 channels and 8 classes: baseline 1,143,432 at
64x64, encoder 1,207,144, se (r = 16) 1,218,534 -- bench/python/check_models.py checks them."""
import torch
from torch import nn


class BaselineCnn(nn.Module):
    """3 x (conv 3x3 'same' -> ReLU -> BatchNorm -> max-pool 2 -> dropout), dense 128."""

    def __init__(self, channels=3, resolution=64, classes=8, filters=(32, 64, 128),
                 dropouts=(0.25, 0.25, 0.3), dense=128, head_dropout=0.5):
        super().__init__()
        layers = []
        side = resolution
        for width, rate in zip(filters, dropouts):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(width),
                       nn.MaxPool2d(2), nn.Dropout(rate)]
            channels = width
            side //= 2
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(channels * side * side, dense), nn.ReLU(),
                                  nn.Dropout(head_dropout), nn.Linear(dense, classes))

    def forward(self, x):
        return self.head(self.blocks(x))


class SqueezeExcitation(nn.Module):
    """GAP -> Linear C/r -> ReLU -> Linear C -> sigmoid, gating each channel (ablate::nn)."""

    def __init__(self, channels, reduction):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.squeeze = nn.Linear(channels, hidden)
        self.excite = nn.Linear(hidden, channels)

    def forward(self, x):
        gate = torch.sigmoid(self.excite(torch.relu(self.squeeze(x.mean((2, 3))))))
        return x * gate.unsqueeze(-1).unsqueeze(-1)


class UnetEncoder(nn.Module):
    """4 stages of [conv 3x3 (no bias) -> BatchNorm -> ReLU] x 2 with 32..256 channels, an
    optional SE block ending each stage, max-pool between stages; GAP -> dense 128 -> ReLU
    -> dropout 0.3 -> classes."""

    def __init__(self, channels=3, resolution=64, classes=8, se_reduction=0, depth=4, base=32,
                 convs=2, dense=128, dropout=0.3):
        super().__init__()
        stages = []
        for stage in range(depth):
            width = base << stage
            layers = []
            for _ in range(convs):
                layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                           nn.ReLU()]
                channels = width
            if se_reduction > 0:
                layers.append(SqueezeExcitation(width, se_reduction))
            if stage + 1 < depth:
                layers.append(nn.MaxPool2d(2))
            stages.append(nn.Sequential(*layers))
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, dense), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(dense, classes))

    def forward(self, x):
        return self.head(self.stages(x))


def build(model, channels=3, resolution=64, classes=8):
    """The model of a bench arm: baseline, encoder or se."""
    if model == "baseline":
        return BaselineCnn(channels, resolution, classes)
    if model == "encoder":
        return UnetEncoder(channels, resolution, classes)
    if model == "se":
        return UnetEncoder(channels, resolution, classes, se_reduction=16)
    raise ValueError(f"unknown model {model!r}: baseline, encoder or se")


def trainable_parameters(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
