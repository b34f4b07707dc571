"""The synthetic data generator behind `salesdw seed`."""

from salesdw.generate.options import SCALES, SeedOptions, resolve_options
from salesdw.generate.seed import SeedResult, seed_warehouse

__all__ = ["SCALES", "SeedOptions", "SeedResult", "resolve_options", "seed_warehouse"]
