"""The history store: each quarter's values and ratings, kept year after year in one SQLite file."""
