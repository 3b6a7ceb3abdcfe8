"""Build → convert → push → run → pull → validate: the path from a model name to raw samples."""
