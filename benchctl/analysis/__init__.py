"""Analyses from the seed papers over artifacts and stored results (roofline, rank correlation)."""
