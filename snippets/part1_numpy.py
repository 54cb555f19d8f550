"""Part I in NumPy: the same model, with the gradients derived and written by hand.

The page includes the sections between `--8<--` start and end markers;
the lines outside them only make this file runnable on its own.
Run `python snippets/part1_numpy.py` to train and print the final metrics.
"""

# On the page, the shared data step above the tabs defines these names.
from part1_data import (
    X_test, X_train, X_valid, reference_test_mse, reference_valid_mse,
    y_test, y_train, y_valid,
)

# --8<-- [start:imports]
import math

import numpy as np
from tqdm import tqdm
# --8<-- [end:imports]

# --8<-- [start:tensors]
# float32, as in the other tabs; NumPy's default is float64.
X_train, y_train, X_valid, y_valid, X_test, y_test = (
    np.asarray(array, dtype=np.float32)
    for array in (X_train, y_train, X_valid, y_valid, X_test, y_test)
)
print(X_train.dtype, tuple(X_train.shape), tuple(y_train.shape))
# --8<-- [end:tensors]

# --8<-- [start:parameters]
rng = np.random.default_rng(0)
D = X_train.shape[1]                                             # 8 input features
W = rng.standard_normal((D, 1), dtype=np.float32) / math.sqrt(D)  # (D, 1)
b = np.zeros(1, dtype=np.float32)                                # (1,)
print("W:", tuple(W.shape), "b:", tuple(b.shape))
# --8<-- [end:parameters]

# --8<-- [start:gradients]
def mse_gradients(X, y_hat, y):
    """Return dL/dW (D, 1) and dL/db (1,) of the mean squared error for y_hat = X W + b."""
    if y_hat.shape != y.shape:
        raise ValueError(
            f"mse_gradients: y_hat has shape {tuple(y_hat.shape)} but y has shape "
            f"{tuple(y.shape)}; reshape y to {tuple(y_hat.shape)} so that the "
            "subtraction does not broadcast"
        )
    B = X.shape[0]
    residual = y_hat - y                   # (B, 1)
    dW = 2 / B * X.T @ residual            # (D, B) @ (B, 1) -> (D, 1)
    db = 2 * residual.mean(axis=0)         # (1,)
    return dW, db
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
    return np.mean((y_hat - y) ** 2)


yb = y_train[:batch_size]  # (B, 1)
loss = mse_loss(y_hat, yb)
print(f"loss before training: {float(loss):.4f}")
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
        y_hat = model(xb)
        loss = mse_loss(y_hat, yb)
        dW, db = mse_gradients(xb, y_hat, yb)  # what backward() computes in the other tabs

        W -= lr * dW
        b -= lr * db
        train_losses.append(float(loss))

    valid_losses.append(float(mse_loss(model(X_valid), y_valid)))
    # refresh=False leaves the redraw to tqdm's own throttle (at most every 0.1 s).
    progress.set_postfix(
        batch=f"{train_losses[-1]:.3f}", valid=f"{valid_losses[-1]:.3f}", refresh=False
    )

print(f"{len(train_losses)} steps, last batch loss {train_losses[-1]:.4f}")
# --8<-- [end:training]

# --8<-- [start:evaluate]
valid_mse = float(mse_loss(model(X_valid), y_valid))
test_mse = float(mse_loss(model(X_test), y_test))
print(f"validation MSE: {valid_mse:.4f} (least squares {reference_valid_mse:.4f})")
print(f"test MSE:       {test_mse:.4f} (least squares {reference_test_mse:.4f})")
# --8<-- [end:evaluate]

# --8<-- [start:fast]
def train_step(xb, yb):
    """Run one gradient-descent step on a batch and return its loss."""
    y_hat = model(xb)
    loss = mse_loss(y_hat, yb)
    dW, db = mse_gradients(xb, y_hat, yb)
    W[...] -= lr * dW  # in place, like `W -= ...`, which a function cannot rebind
    b[...] -= lr * db
    return loss


for start in range(0, len(X_train), batch_size):
    loss = train_step(X_train[start:start + batch_size], y_train[start:start + batch_size])
print(f"loss after one more epoch: {float(loss):.4f}")
# --8<-- [end:fast]
