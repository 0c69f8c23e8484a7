"""Storage: one module per aggregate, parameterised SQL, rows as small dataclasses."""
