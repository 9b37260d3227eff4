"""The training script a PyTorch user writes: float tensors in a TensorDataset, a
DataLoader with its defaults, model.train()/model.eval() loops, default allocator, and
PyTorch's threads on every core (its default on a user's machine; bench/throughput passes
--threads because on these VMs the default is 1). On a GPU (--device cuda): model.to(device)
and each batch moved with .to(device), nothing else; --amp bf16 wraps the training forward
pass in torch.autocast. The throughput bench's baseline."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common import autocast, parse_args, run, splits
from models import build

args = parse_args(__doc__)
if args.threads:  # the cores, from bench/throughput: what PyTorch's default gives on a user's machine
    torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
device = torch.device(args.device)


def as_dataset(images, labels):
    # The usual preparation: the whole split to float in [0, 1], channels first.
    return TensorDataset(images.permute(0, 3, 1, 2).float() / 255.0, labels)


train_split, val_split, test_split = splits(args)
train_set, val_set, test_set = as_dataset(*train_split), as_dataset(*val_split), as_dataset(*test_split)
train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
val_loader = DataLoader(val_set, batch_size=args.eval_batch_size)
test_loader = DataLoader(test_set, batch_size=args.eval_batch_size)

model = build(args.model, args.channels, args.resolution, args.classes).to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def train_epoch():
    model.train()
    running_loss, correct, seen = 0.0, 0, 0
    for images, labels in train_loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        with autocast(args, device):
            outputs = model(images)
            loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * images.size(0)
        correct += (outputs.argmax(1) == labels).sum().item()
        seen += images.size(0)
    return running_loss / seen, correct / seen


def evaluate(loader):
    model.eval()
    total_loss, correct, scores = 0.0, 0, []
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            total_loss += nn.functional.cross_entropy(outputs, labels, reduction="sum").item()
            correct += (outputs.argmax(1) == labels).sum().item()
            scores.append(torch.softmax(outputs, 1))
    return total_loss / len(loader.dataset), correct / len(loader.dataset), torch.cat(scores)


run(args, device, train_epoch, lambda: evaluate(val_loader), lambda: evaluate(test_loader), len(train_set),
    len(test_set))
