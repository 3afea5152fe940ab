"""Subcommands of the `sendwise` CLI (one module each)."""
