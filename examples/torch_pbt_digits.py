"""Population Based Training of a small CNN on scikit-learn's digits (8x8 images), on CPU.

fastune owns the loop: the model and optimizer factories and one epoch of training are all
it needs. Weak members copy a strong member's weights and optimizer state, then perturb its
learning rate, weight decay, dropout and batch size.

    python examples/torch_pbt_digits.py            # about a minute on one CPU core
    python examples/torch_pbt_digits.py --quick    # a few seconds: a smoke test
"""

from __future__ import annotations

import argparse

import torch
from scipy.stats import loguniform, uniform
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from fastune.integration.torch import TorchMember, TorchTrainable
from fastune.pbt import PopulationBasedTraining

features, labels = load_digits(return_X_y=True)
images = torch.tensor(features / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
targets = torch.tensor(labels)
train_x, rest_x, train_y, rest_y = train_test_split(
    images, targets, train_size=800, stratify=targets, random_state=0
)
valid_x, test_x, valid_y, test_y = train_test_split(
    rest_x, rest_y, train_size=400, stratify=rest_y, random_state=0
)


def build_model(params: dict) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, kernel_size=3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),  # 8x8 -> 4x4
        torch.nn.Conv2d(16, 32, kernel_size=3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),  # 4x4 -> 2x2
        torch.nn.Flatten(),
        torch.nn.Dropout(params["dropout"]),
        torch.nn.Linear(32 * 2 * 2, 10),
    )


def build_optimizer(model: torch.nn.Module, params: dict) -> torch.optim.Optimizer:
    return torch.optim.SGD(
        model.parameters(), lr=params["lr"], momentum=0.9, weight_decay=params["weight_decay"]
    )


def train_epoch(member: TorchMember) -> None:
    for batch in torch.randperm(len(train_y)).split(member.params["batch_size"]):
        member.optimizer.zero_grad()
        x, y = train_x[batch].to(member.device), train_y[batch].to(member.device)
        torch.nn.functional.cross_entropy(member.model(x), y).backward()
        member.optimizer.step()


def accuracy(member: TorchMember, x: torch.Tensor, y: torch.Tensor) -> float:
    predicted = member.model(x.to(member.device)).argmax(dim=1).cpu()
    return float((predicted == y).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny budget: a smoke test")
    parser.add_argument("--device", default=None, help="default: CUDA when present, else CPU")
    arguments = parser.parse_args()
    torch.set_num_threads(1)

    trainable = TorchTrainable(
        build_model,
        build_optimizer,
        train_epoch,
        evaluate=lambda member: accuracy(member, valid_x, valid_y),
        device=arguments.device,
    )
    pbt = PopulationBasedTraining(
        trainable,
        {
            "lr": loguniform(1e-3, 0.3),
            "weight_decay": loguniform(1e-6, 1e-2),
            "dropout": uniform(0.0, 0.5),
            "batch_size": [16, 32, 64],
        },
        population_size=4 if arguments.quick else 8,
        generations=2 if arguments.quick else 10,
        steps_per_generation=2,  # epochs between two exploit/explore rounds
        random_state=0,
    ).run()

    best = max(pbt.members_, key=lambda member: member.score)
    member = trainable.restore(pbt.checkpoints.load(best.index), best.params)
    member.model.eval()
    with torch.no_grad():
        test_accuracy = accuracy(member, test_x, test_y)
    print(f"trained on {trainable.device}: {len(pbt.segments_)} segments")
    print(f"best member: validation accuracy {best.score:.3f}, test accuracy {test_accuracy:.3f}")
    print("its schedule:")
    for entry in pbt.schedule(best.trial_number):
        params = ", ".join(
            f"{name}={value:.3g}" if isinstance(value, float) else f"{name}={value}"
            for name, value in entry["params"].items()
        )
        print(f"  generation {entry['generation']}: {params}")


if __name__ == "__main__":
    main()
