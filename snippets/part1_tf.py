"""Part I in TensorFlow: linear regression from raw tensors, trained by hand.

The page includes the sections between `--8<--` start and end markers;
the lines outside them only make this file runnable on its own.
Run `python snippets/part1_tf.py` to train and print the final metrics.
"""

# On the page, the shared data step above the tabs defines these names.
from part1_data import (
    X_test, X_train, X_valid, reference_test_mse, reference_valid_mse,
    y_test, y_train, y_valid,
)

# --8<-- [start:imports]
import math

import tensorflow as tf
from tqdm import tqdm
# --8<-- [end:imports]

# --8<-- [start:tensors]
# float32 matches the parameters below; float64 data would make `X @ W` fail.
X_train, y_train, X_valid, y_valid, X_test, y_test = (
    tf.convert_to_tensor(array, dtype=tf.float32)
    for array in (X_train, y_train, X_valid, y_valid, X_test, y_test)
)
print(X_train.dtype, tuple(X_train.shape), tuple(y_train.shape))
# --8<-- [end:tensors]

# --8<-- [start:parameters]
tf.random.set_seed(0)
D = X_train.shape[1]                         # 8 input features
W = tf.random.normal((D, 1)) / math.sqrt(D)  # (D, 1); keeps X @ W near unit variance
b = tf.zeros(1)                              # (1,); one bias, broadcast to every row
print("W:", tuple(W.shape), "b:", tuple(b.shape))
# --8<-- [end:parameters]

# --8<-- [start:gradients]
W = tf.Variable(W)  # a GradientTape watches trainable variables automatically
b = tf.Variable(b)
print("tracked:", W.trainable, b.trainable)
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
    return tf.reduce_mean((y_hat - y) ** 2)


yb = y_train[:batch_size]  # (B, 1)
loss = mse_loss(y_hat, yb)
print(f"loss before training: {float(loss):.4f}")
# --8<-- [end:loss]

# --8<-- [start:broadcasting]
y_flat = tf.reshape(yb, (-1,))  # (B,): what y looks like if it is never reshaped
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
        with tf.GradientTape() as tape:  # records the forward pass
            loss = mse_loss(model(xb), yb)
        dW, db = tape.gradient(loss, [W, b])

        W.assign_sub(lr * dW)  # in-place update; the tape is already closed
        b.assign_sub(lr * db)
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
# autograph=False: the step has no tensor-dependent if or for to rewrite, and
# AutoGraph needs the source file, which a REPL session does not have.
@tf.function(autograph=False)
def train_step(xb, yb):
    """Run one gradient-descent step on a batch and return its loss, as a graph."""
    with tf.GradientTape() as tape:
        loss = mse_loss(model(xb), yb)
    dW, db = tape.gradient(loss, [W, b])
    W.assign_sub(lr * dW)
    b.assign_sub(lr * db)
    return loss


for start in range(0, len(X_train), batch_size):
    loss = train_step(X_train[start:start + batch_size], y_train[start:start + batch_size])
print(f"loss after one more epoch: {float(loss):.4f}")
# One trace for batches of 100 rows, one for the last batch of 60.
print("traces of train_step:", train_step.experimental_get_tracing_count())
# --8<-- [end:fast]

# --8<-- [start:fast_epoch]
@tf.function(autograph=False)
def train_epoch(X, y):
    """Run one epoch as a single graph: a tf.while_loop over the batch start rows."""
    num_rows = tf.shape(X)[0]

    def next_batch(start, loss):
        loss = train_step(X[start:start + batch_size], y[start:start + batch_size])
        return start + batch_size, loss

    _, loss = tf.while_loop(lambda start, loss: start < num_rows, next_batch, (0, 0.0))
    return loss


loss = train_epoch(X_train, y_train)
print(f"loss after one more epoch: {float(loss):.4f}")
print("traces of train_epoch:", train_epoch.experimental_get_tracing_count())
# --8<-- [end:fast_epoch]
