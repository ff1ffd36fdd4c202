"""`getResolvedOptions` as Glue documents it: `--NAME value` arguments, by name."""

import argparse


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, str]:  # noqa: N802
    parser = argparse.ArgumentParser(add_help=False)
    for option in options:
        parser.add_argument(f"--{option}", required=True)
    known, _ = parser.parse_known_args(args[1:])
    return vars(known)
