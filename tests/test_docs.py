"""Every ```python block of README.md and docs/*.md runs, each page's blocks in order.

The blocks of one page share a namespace, as a reader running them one after
the other would. A page whose blocks read ``REDIS_URL`` gets it pointing at the
tests' own redis-server on 127.0.0.1. They run with no network: a ``responses`` mock answers every
Cognito JWKS URL with the keys of the test kit's fake pool of that name, lets
plain HTTP to 127.0.0.1 through (the test kit's ``serve()``, which never leaves
the machine), and refuses any other request.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from cognito_jwt.testing import FakeUserPool

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# A fence opens with three or more backticks and an optional language, and closes
# with a line of at least as many backticks and nothing else.
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")

# Both issuer forms of any region and pool: https://[issuer-]cognito-idp.<region>.amazonaws.com/...
_JWKS_URL = re.compile(
    r"https://(?:issuer-)?cognito-idp\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<pool>[A-Za-z0-9_-]+)/\.well-known/jwks\.json"
)

# FakeUserPool.serve() answers on 127.0.0.1 with a port chosen by the OS.
_LOOPBACK = re.compile(r"http://127\.0\.0\.1:[0-9]+/")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block of a page: its language, first line number and source."""

    language: str
    line: int
    source: str


def code_blocks(text: str) -> list[CodeBlock]:
    """Return the fenced code blocks of a Markdown text, dedented, in order.

    Raises:
        ValueError: a fence is left open, so a block would silently go unchecked.

    """
    blocks: list[CodeBlock] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        fence, start = opening["fence"], index
        body: list[str] = []
        while True:
            if index >= len(lines):
                raise ValueError(f"the code block opened on line {start} is never closed")
            closing = _FENCE.match(lines[index])
            index += 1
            if closing is not None and len(closing["fence"]) >= len(fence) and not closing["info"]:
                break
            body.append(lines[index - 1])
        language = opening["info"].split()[0].lower() if opening["info"] else ""
        blocks.append(CodeBlock(language, start + 1, textwrap.dedent("\n".join(body)) + "\n"))
    return blocks


def python_blocks(page: Path) -> list[CodeBlock]:
    return [block for block in code_blocks(page.read_text("utf-8")) if block.language == "python"]


def _serve_jwks(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
    """Answer a Cognito JWKS URL with the keys of the fake pool of that pool id."""
    match = _JWKS_URL.fullmatch(request.url or "")
    if match is None:  # pragma: no cover - the registration's regex matched already
        return 404, {}, ""
    pool_id = match["pool"]
    # The pool's home region prefixes its id; the URL's region differs for a replica.
    pool = FakeUserPool(region=pool_id.partition("_")[0], user_pool_id=pool_id)
    return 200, {"Content-Type": "application/json"}, json.dumps(pool.jwks)


def _relative(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def test_the_docs_have_python_examples() -> None:
    assert (ROOT / "README.md") in PAGES
    assert len(PAGES) > 1, "docs/*.md not found"
    assert python_blocks(ROOT / "README.md")


def test_code_blocks_finds_python_blocks_only_and_dedents() -> None:
    text = (
        "Intro\n\n```python\nx = 1\n```\n\n```bash\nmake test\n```\n\n"
        "- item\n\n    ```python\n    y = x + 1\n    ```\n\n````text\n```python\n````\n"
    )
    blocks = code_blocks(text)
    assert [b.language for b in blocks] == ["python", "bash", "python", "text"]
    assert [b.line for b in blocks] == [4, 8, 14, 18]
    assert blocks[2].source == "y = x + 1\n"
    with pytest.raises(ValueError, match="never closed"):
        code_blocks("```python\nx = 1\n")


# Pages with at least one Python block (the others, such as the performance
# page's figures, hold only text and shell blocks).
PAGES_WITH_CODE = [page for page in PAGES if python_blocks(page)]


def test_most_pages_have_code_that_runs() -> None:
    assert len(PAGES_WITH_CODE) >= len(PAGES) - 2


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=_relative)
def test_page_examples_run(
    page: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = python_blocks(page)
    if any("REDIS_URL" in block.source for block in blocks):
        # A page with Redis examples gets the tests' own redis-server, its database emptied.
        client = request.getfixturevalue("redis_client")
        monkeypatch.setenv("REDIS_URL", request.getfixturevalue("redis_server").url)
        assert client.dbsize() == 0
    namespace: dict[str, Any] = {"__name__": f"docs.{page.stem}"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, _JWKS_URL, callback=_serve_jwks)
        mock.add_passthru(_LOOPBACK)
        for block in blocks:
            # Blank lines in front, so that a traceback names the page's own line numbers.
            source = "\n" * (block.line - 1) + block.source
            exec(compile(source, str(page), "exec"), namespace)  # noqa: S102 - our own docs
