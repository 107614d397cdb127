"""The command line: ``tinygrad-ds`` (or ``python -m tinygrad_ds``).

    tinygrad-ds train    train a model (default: an MLP on the bundled digits) into a run folder
    tinygrad-ds check    autograd vs the course's hand-derived backprop vs finite differences
    tinygrad-ds graph    draw a model's computation graph to SVG, PNG, PDF or DOT
    tinygrad-ds bench    run the benchmarks and print their tables

``main(argv)`` runs one command and returns its exit status: 0 on success, 1 when a check or
benchmark fails, 2 for a bad argument (one line on stderr, no traceback), 130 after Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

from . import bench, check, graph, train
from .args import Parser, UsageError

__all__ = ["main", "build_parser", "UsageError"]

PROG = "tinygrad-ds"


def build_parser() -> Parser:
    """The argument parser with the four subcommands."""
    parser = Parser(
        prog=PROG,
        description="tinygrad_ds from the command line: train a model, check autograd against "
        "hand-derived backprop, draw computation graphs, run the benchmarks.",
        epilog="Run `tinygrad-ds COMMAND --help` for a command's options.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for module in (train, check, graph, bench):
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]) and return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argparse error (status 2)
        return exc.code if isinstance(exc.code, int) else 0
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except UsageError as exc:
        command = f"{PROG} {args.run.__module__.rsplit('.', 1)[-1]}"
        print(f"{command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away, as in `tinygrad-ds train | head`
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
