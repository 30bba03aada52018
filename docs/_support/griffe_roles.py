"""A griffe extension for the API reference: reST habits in docstrings become Markdown.

The package's docstrings name other objects the Sphinx way (``:meth:`verify```,
``:class:`~cognito_jwt.testing.FakeUserPool```), which Markdown would show
verbatim. This turns each into a code span of the name a reader knows
(``verify()`` and ``FakeUserPool``), and a paragraph that ends with the reST
literal-block marker ``::`` into one that ends with a colon (the indented block
after it is a Markdown code block already).
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

_ROLE = re.compile(r":(?:py:)?(?P<role>class|meth|func|mod|attr|exc|obj|data):`(?P<target>[^`]+)`")
_LITERAL_MARKER = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _code(match: re.Match[str]) -> str:
    target = match["target"]
    if target.startswith("~"):  # Sphinx: show only the last component
        target = target[1:].rsplit(".", 1)[-1]
    if match["role"] in {"meth", "func"}:
        target += "()"
    return f"`{target}`"


def replace_roles(text: str) -> str:
    """Return ``text`` with Sphinx roles as code spans and ``::`` markers as colons."""
    return _LITERAL_MARKER.sub(":", _ROLE.sub(_code, text))


class SphinxRoles(Extension):
    """Rewrite every docstring as its object is created (modules included)."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:  # noqa: ARG002 - griffe passes more
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = replace_roles(obj.docstring.value)
