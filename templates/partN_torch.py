"""Part N in PyTorch: TOPIC.

The page includes the sections between `--8<--` start and end markers;
the lines outside them only make this file runnable on its own.
Run `python snippets/partN_torch.py` to print the final result.
"""

# --8<-- [start:imports]
import torch
# --8<-- [end:imports]

# --8<-- [start:step]
torch.manual_seed(0)
X = torch.randn(4, 2)  # (N, D): one short comment per shape or reason
print("X:", tuple(X.shape))
# --8<-- [end:step]
