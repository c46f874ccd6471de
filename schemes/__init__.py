"""Bundled schemes and their data, shipped inside the package as kpidsl.schemes."""
