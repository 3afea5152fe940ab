"""The command-line tool's seams: every subcommand is a module of `sendwise.commands` with the
interface `sendwise.cli` relies on (docs/DEVELOPING.md, "Layout")."""

from __future__ import annotations

import importlib
import pkgutil

import sendwise.commands
from sendwise.cli import COMMANDS, build_parser


def test_every_subcommand_is_a_commands_module_with_the_interface():
    for name, module_name in COMMANDS.items():
        assert module_name.startswith("sendwise.commands."), (name, module_name)
        module = importlib.import_module(module_name)
        assert isinstance(module.HELP, str) and module.HELP, name
        assert callable(module.add_arguments) and callable(module.run), name


def test_every_commands_module_is_reachable_from_the_cli():
    modules = {f"sendwise.commands.{m.name}" for m in pkgutil.iter_modules(sendwise.commands.__path__)}
    assert modules == set(COMMANDS.values())


def test_the_parser_lists_every_subcommand():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert set(subparsers.choices) == set(COMMANDS)
