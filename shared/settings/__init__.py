"""Environment settings by concern, read and checked once per container: the readers (environment),
the tables (tables), the HTTP edge (http), the cursor key (content), the token issuer (identity), the
meter (meter) and payments (payments). They import nothing of ours but shared.errors: every layer
may read them, and each function reads the ones it needs, by concern (no per-function class).

The settings classes are frozen but never compared or printed: no generated `__eq__`, `__hash__` or
`__repr__`, whose code every cold start would compile for each class."""
