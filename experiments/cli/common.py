"""What every subcommand shares: the one-line error, the parser that prints it, and option types.

An option type's error reads ``argument --x: got ...; allowed: ...`` (argparse adds the option).
"""

from __future__ import annotations

import argparse
import sys

PROG = "draftsim"
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print ``draftsim: error: <message>`` as one line on stderr and return ``code``."""
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)
    return code


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (no usage block) and exit code 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        fail(f"{message}; see `{self.prog} --help`")
        sys.exit(EXIT_USAGE)

    def option_names(self) -> list[str]:
        return [a.option_strings[-1] for a in self._actions if a.option_strings]


def int_at_least(low: int):
    """An argparse type: an integer >= ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}; allowed: an integer >= {low}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"got {value}; allowed: an integer >= {low}")
        return value
    return parse
