"""The training script a PyTorch user writes: float tensors in a TensorDataset, a
DataLoader with its defaults, model.train()/model.eval() loops, default allocator, and
PyTorch's threads on every core (its default on a user's machine; bench/throughput passes
--threads because on these VMs the default is 1). The throughput bench's baseline."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common import clock, parse_args, random_split, report
from models import build

args = parse_args(__doc__)
if args.threads:  # the cores, from bench/throughput: what PyTorch's default gives on a user's machine
    torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
generator = torch.Generator().manual_seed(args.seed)


def as_dataset(images, labels):
    # The usual preparation: the whole split to float in [0, 1], channels first.
    return TensorDataset(images.permute(0, 3, 1, 2).float() / 255.0, labels)


train_set = as_dataset(*random_split(args.steps * args.batch_size, args, generator))
val_set = as_dataset(*random_split(args.val, args, generator))
test_set = as_dataset(*random_split(args.test, args, generator))
train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
val_loader = DataLoader(val_set, batch_size=args.eval_batch_size)
test_loader = DataLoader(test_set, batch_size=args.eval_batch_size)

model = build(args.model, args.channels, args.resolution, args.classes)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def train_epoch():
    model.train()
    running_loss, correct, seen = 0.0, 0, 0
    for images, labels in train_loader:
        optimizer.zero_grad()
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
            outputs = model(images)
            total_loss += nn.functional.cross_entropy(outputs, labels, reduction="sum").item()
            correct += (outputs.argmax(1) == labels).sum().item()
            scores.append(torch.softmax(outputs, 1))
    return total_loss / len(loader.dataset), correct / len(loader.dataset), torch.cat(scores)


train_seconds = None
if not args.eval_only:
    start = clock()
    train_epoch()
    train_seconds = clock() - start
evaluate(val_loader)  # as the runner, which validates after every epoch before testing
start = clock()
evaluate(test_loader)
report(args, train_seconds, len(train_set), clock() - start, len(test_set))
