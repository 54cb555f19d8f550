"""Part I in PyTorch: linear regression from raw tensors, trained by hand.

The page includes the sections between `--8<--` start and end markers;
the lines outside them only make this file runnable on its own.
Run `python snippets/part1_torch.py` to train and print the final metrics.
"""

# On the page, the shared data step above the tabs defines these names.
from part1_data import (
    X_test, X_train, X_valid, reference_test_mse, reference_valid_mse,
    y_test, y_train, y_valid,
)

# --8<-- [start:imports]
import math

import torch
from tqdm import tqdm
# --8<-- [end:imports]

# --8<-- [start:tensors]
# float32 matches the parameters below; float64 data would make `X @ W` fail.
X_train, y_train, X_valid, y_valid, X_test, y_test = (
    torch.as_tensor(array, dtype=torch.float32)
    for array in (X_train, y_train, X_valid, y_valid, X_test, y_test)
)
print(X_train.dtype, tuple(X_train.shape), tuple(y_train.shape))
# --8<-- [end:tensors]

# --8<-- [start:parameters]
torch.manual_seed(0)
D = X_train.shape[1]                    # 8 input features
W = torch.randn(D, 1) / math.sqrt(D)    # (D, 1); keeps X @ W near unit variance
b = torch.zeros(1)                      # (1,); one bias, broadcast to every row
print("W:", tuple(W.shape), "b:", tuple(b.shape))
# --8<-- [end:parameters]

# --8<-- [start:gradients]
W.requires_grad_()  # autograd now records every operation that uses W
b.requires_grad_()
print("tracked:", W.requires_grad, b.requires_grad)
# --8<-- [end:gradients]

# --8<-- [start:model]
def model(X):
    """Predict y_hat = X W + b: (B, D) @ (D, 1) + (1,) -> (B, 1)."""
    return X @ W + b


batch_size = 100
xb = X_train[:batch_size]  # (B, D), the first mini-batch
y_hat = model(xb)          # (B, 1)
print("y_hat:", tuple(y_hat.shape))
# --8<-- [end:model]

# --8<-- [start:loss]
def mse_loss(y_hat, y):
    """Mean squared error; both arguments must have the same shape."""
    if y_hat.shape != y.shape:
        raise ValueError(
            f"mse_loss: y_hat has shape {tuple(y_hat.shape)} but y has shape "
            f"{tuple(y.shape)}; reshape y to {tuple(y_hat.shape)} so that the "
            "subtraction does not broadcast"
        )
    return torch.mean((y_hat - y) ** 2)


yb = y_train[:batch_size]  # (B, 1)
loss = mse_loss(y_hat, yb)
print(f"loss before training: {loss.item():.4f}")
# --8<-- [end:loss]

# --8<-- [start:broadcasting]
y_flat = yb.reshape(-1)  # (B,): what y looks like if it is never reshaped
print("y_hat - y_flat:", tuple((y_hat - y_flat).shape))  # (B, B), not (B, 1)
try:
    mse_loss(y_hat, y_flat)
except ValueError as error:
    print(error)
# --8<-- [end:broadcasting]

# --8<-- [start:training]
lr = 0.01
num_epochs = 20
train_losses = []  # one value per mini-batch
valid_losses = []  # one value per epoch

# The bar advances once per epoch, so a log without a terminal stays short.
progress = tqdm(range(num_epochs), desc="training", unit="epoch")
for epoch in progress:
    for start in range(0, len(X_train), batch_size):
        xb = X_train[start:start + batch_size]  # (B, D); the last batch has 60 rows
        yb = y_train[start:start + batch_size]  # (B, 1)
        loss = mse_loss(model(xb), yb)
        loss.backward()  # fills W.grad and b.grad

        with torch.no_grad():  # the update itself must not be recorded
            W -= lr * W.grad
            b -= lr * b.grad
        W.grad.zero_()  # backward() adds to .grad, so clear it for the next batch
        b.grad.zero_()
        train_losses.append(loss.item())

    with torch.no_grad():
        valid_losses.append(mse_loss(model(X_valid), y_valid).item())
    # refresh=False leaves the redraw to tqdm's own throttle (at most every 0.1 s).
    progress.set_postfix(
        batch=f"{train_losses[-1]:.3f}", valid=f"{valid_losses[-1]:.3f}", refresh=False
    )

print(f"{len(train_losses)} steps, last batch loss {train_losses[-1]:.4f}")
# --8<-- [end:training]

# --8<-- [start:evaluate]
with torch.no_grad():
    valid_mse = mse_loss(model(X_valid), y_valid).item()
    test_mse = mse_loss(model(X_test), y_test).item()
print(f"validation MSE: {valid_mse:.4f} (least squares {reference_valid_mse:.4f})")
print(f"test MSE:       {test_mse:.4f} (least squares {reference_test_mse:.4f})")
# --8<-- [end:evaluate]

# --8<-- [start:fast]
def train_step(xb, yb):
    """Run one gradient-descent step on a batch and return its loss."""
    loss = mse_loss(model(xb), yb)
    loss.backward()
    with torch.no_grad():
        W.sub_(lr * W.grad)  # in place, like `W -= ...`, which a function cannot rebind
        b.sub_(lr * b.grad)
    W.grad.zero_()
    b.grad.zero_()
    return loss


for start in range(0, len(X_train), batch_size):
    loss = train_step(X_train[start:start + batch_size], y_train[start:start + batch_size])
print(f"loss after one more epoch: {loss.item():.4f}")
# --8<-- [end:fast]
