"""The command-line page (docs/cli.md) names every command, option and choice the tool has."""

from __future__ import annotations

import argparse

from eventstream._cli import build_parser

from .samples import ROOT

PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def documented_surface() -> list[str]:
    """Each command's name, its long options (but --help) and their fixed choices."""
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    names: list[str] = []
    for command, subparser in commands.choices.items():
        names.append(f"eventstream {command}")
        for action in subparser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            names += [o for o in action.option_strings if o.startswith("--")]
            names += [str(choice) for choice in action.choices or ()]
    return names


def test_every_command_option_and_choice_is_on_the_page() -> None:
    surface = documented_surface()
    assert "eventstream decode" in surface and "--resync" in surface and "escaped" in surface
    missing = sorted({name for name in surface if name not in PAGE})
    assert not missing, f"docs/cli.md does not mention: {missing}"
