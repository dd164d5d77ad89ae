"""Pure model, with no I/O: periods, the register as records, status words, rating, Table 1."""
