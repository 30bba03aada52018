"""``python -m examples.client FLOW URL``: get a token, call the URL, print the answer."""

from __future__ import annotations

import sys

from examples.client.client import main

sys.exit(main())
