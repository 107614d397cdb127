"""`tinygrad-ds bench`: run the benchmark scripts (``benchmarks/bench_*.py``) and print their
tables of medians and ratios.

The benchmarks live in the source checkout, beside the package (or give --dir). Each script
runs in its own Python process, one after the other; --repeats N is passed to each, and
--quick passes ``--quick`` to scripts that accept it and ``--repeats 3`` to the others.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .args import UsageError, positive_int

__all__ = ["add_parser", "run", "find_benchmarks", "bench_flags"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `bench` subcommand and its options."""
    p = subparsers.add_parser(
        "bench",
        help="run the benchmarks in benchmarks/ and print their tables",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    p.add_argument(
        "--dir",
        metavar="DIR",
        help="the benchmarks folder (default: benchmarks/ beside the package, or in "
        "the current folder)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only bench_NAME.py (repeatable), e.g. --only core",
    )
    p.add_argument("--repeats", type=positive_int, help="repeats passed to each benchmark")
    p.add_argument("--quick", action="store_true",
                   help="a fast, rough pass (--quick, or --repeats 3)")  # fmt: skip
    p.set_defaults(run=run)
    return p


def find_benchmarks(folder: str | None = None, only: list[str] | None = None) -> list[Path]:
    """The bench_*.py scripts to run, sorted by name; `UsageError` if there are none."""
    if folder is not None:
        candidates = [Path(folder)]
    else:
        candidates = [Path(__file__).resolve().parents[2] / "benchmarks", Path("benchmarks")]
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None:
        where = " or ".join(str(c) for c in candidates)
        raise UsageError(f"no benchmarks folder at {where} (they come with the source checkout)")
    scripts = sorted(found.glob("bench_*.py"))
    if only:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in only}
        unknown = wanted - {s.stem.removeprefix("bench_") for s in scripts}
        if unknown:
            have = ", ".join(s.stem.removeprefix("bench_") for s in scripts)
            raise UsageError(f"--only: no benchmark {', '.join(sorted(unknown))} (have {have})")
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    if not scripts:
        raise UsageError(f"no bench_*.py scripts in {found}")
    return scripts


def bench_flags(script: Path, repeats: int | None, quick: bool) -> list[str]:
    """The options to pass to `script`: --repeats if it takes them, --quick if asked and it
    takes it (else a few repeats)."""
    text = script.read_text(encoding="utf-8")
    flags = []
    if quick and "--quick" in text:
        flags.append("--quick")
    elif quick and repeats is None and "--repeats" in text:
        flags += ["--repeats", "3"]
    if repeats is not None and "--repeats" in text:
        flags += ["--repeats", str(repeats)]
    return flags


def run(args: argparse.Namespace) -> int:
    """Run `bench` with parsed options; 1 if any benchmark failed."""
    scripts = find_benchmarks(args.dir, args.only)
    failed = []
    for script in scripts:
        cmd = [sys.executable, str(script), *bench_flags(script, args.repeats, args.quick)]
        print(f"== {script.name} {' '.join(cmd[2:])}".rstrip(), flush=True)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=script.parent.parent)
        print(proc.stdout.rstrip())
        if proc.returncode != 0:
            failed.append(script.name)
            print(proc.stderr.rstrip(), file=sys.stderr)
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"-- {script.name}: {status} in {time.perf_counter() - start:.1f} s\n", flush=True)
    if failed:
        print(f"tinygrad-ds bench: {len(failed)} failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
