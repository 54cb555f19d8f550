"""Part I, end of step 7: plot the loss curves of a training run.

The page includes the sections between `--8<--` start and end markers. On the
page this block runs after any tab's training step; run on its own,
`python snippets/part1_plot.py` trains the NumPy tab and shows its curves.
"""

# On the page, the tab's training step above defines these names.
from part1_numpy import np, num_epochs, reference_valid_mse, train_losses, valid_losses

# --8<-- [start:plot]
import matplotlib.pyplot as plt

steps_per_epoch = len(train_losses) // num_epochs                 # 149
step_position = np.arange(1, len(train_losses) + 1) / steps_per_epoch  # in epochs
epoch_means = np.reshape(train_losses, (num_epochs, -1)).mean(axis=1)
epochs = np.arange(1, num_epochs + 1)

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained", facecolor="white")
ax.plot(step_position, train_losses, color="tab:blue", alpha=0.3, linewidth=0.7,
        label="training loss, each batch")
ax.plot(epochs, epoch_means, color="tab:blue", marker="o", label="training loss, epoch mean")
ax.plot(epochs, valid_losses, color="tab:orange", marker="s", label="validation loss")
ax.axhline(reference_valid_mse, color="black", linestyle="--",
           label="least squares, validation")
ax.set(xlabel="epoch", ylabel="mean squared error", ylim=(0.2, 1.4), xlim=(0, num_epochs))
ax.legend(loc="upper right")
plt.show()
# --8<-- [end:plot]
