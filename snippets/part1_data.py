"""Part I, step 1: the California housing data, shared by every framework tab.

The page includes the sections between `--8<--` start and end markers.
Run `python snippets/part1_data.py` to print the split sizes and the
least-squares reference.
"""

# --8<-- [start:imports]
import numpy as np
from sklearn.datasets import fetch_california_housing
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
# --8<-- [end:imports]

# --8<-- [start:load]
housing = fetch_california_housing()
X = housing.data                  # (N, D) = (20640, 8), one row per block group
y = housing.target.reshape(-1, 1)  # (N, 1), median house value in $100,000
print("X:", X.shape, "y:", y.shape)
print("features:", ", ".join(housing.feature_names))
# --8<-- [end:load]

# --8<-- [start:scale]
X = StandardScaler().fit_transform(X)                # each column: mean 0, std 1
y = StandardScaler(with_std=False).fit_transform(y)  # the target: mean 0, std kept
print("X: mean 0 and std 1 per column:",
      np.allclose(X.mean(axis=0), 0) and np.allclose(X.std(axis=0), 1))
print("y: mean 0:", np.isclose(y.mean(), 0))
# --8<-- [end:scale]

# --8<-- [start:split]
# Hold out 10% for the final test, then keep 80% of the rest for training.
X_rest, X_test, y_rest, y_test = train_test_split(
    X, y, test_size=0.1, random_state=0
)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_rest, y_rest, train_size=0.8, random_state=123
)
print("train:", X_train.shape, "validation:", X_valid.shape, "test:", X_test.shape)
# --8<-- [end:split]

# --8<-- [start:reference]
# Ordinary least squares solved exactly: the best any linear model can do.
reference = LinearRegression().fit(X_train, y_train)
reference_valid_mse = np.mean((reference.predict(X_valid) - y_valid) ** 2)
reference_test_mse = np.mean((reference.predict(X_test) - y_test) ** 2)
print(f"least squares: validation MSE {reference_valid_mse:.4f}, "
      f"test MSE {reference_test_mse:.4f}")
# --8<-- [end:reference]
