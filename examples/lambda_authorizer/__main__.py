"""``python -m examples.lambda_authorizer {http,rest} < event.json``: invoke a handler locally.

Prints the handler's response as JSON, or the error it raised (which API
Gateway would turn into 401 for ``Unauthorized``, 500 for anything else).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO


def main(argv: Sequence[str] | None = None, stdin: TextIO = sys.stdin) -> int:
    """Run the ``http`` or ``rest`` handler on the event read from ``stdin``."""
    parser = argparse.ArgumentParser(prog="python -m examples.lambda_authorizer")
    parser.add_argument("api", choices=["http", "rest"], help="which authorizer to invoke")
    args = parser.parse_args(argv)
    event = json.load(stdin)
    from . import handler  # noqa: PLC0415 - a cold start: reads the environment now

    invoke = handler.http_api_handler if args.api == "http" else handler.rest_api_handler
    try:
        response = invoke(event, None)
    except Exception as exc:  # noqa: BLE001 - report it as Lambda would
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(response, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
