"""Every ```python block of README.md and docs/*.md runs, each page's blocks in order.

The blocks of one page share a namespace, as a reader running them one after
the other would. A page whose blocks read ``REDIS_URL`` gets it pointing at the
tests' own redis-server on 127.0.0.1. They run with no network: a ``responses`` mock answers every
Cognito JWKS URL with the keys of the test kit's fake pool of that name, lets
plain HTTP to 127.0.0.1 through (the test kit's ``serve()``, which never leaves
the machine), and refuses any other request.

Python that is shown but not ours to run (another library's code, on the
migration pages) is fenced as ```{.python .no-run}: highlighted as Python on the
site, skipped here. Blocks inside admonitions (``!!! note``) and content tabs
(``=== "Tab"``) are indented; they are found and dedented like any other.
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
# with a line of at least as many backticks and nothing else. The language may
# also come first among braced classes: ```{.python .no-run}.
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
_BRACED = re.compile(r"^\{(?P<attributes>[^}]*)\}")

# The class that marks a Python block as shown, not run.
NO_RUN = "no-run"

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
    classes: frozenset[str] = frozenset()


def _language_and_classes(info: str) -> tuple[str, frozenset[str]]:
    """Split a fence's info string: ``python title="x"`` or ``{.python .no-run}``."""
    braced = _BRACED.match(info)
    if braced is None:
        return (info.split(maxsplit=1)[0].lower() if info else ""), frozenset()
    classes = [word[1:] for word in braced["attributes"].split() if word.startswith(".")]
    language = classes[0].lower() if classes else ""
    return language, frozenset(classes[1:])


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
        language, classes = _language_and_classes(opening["info"])
        source = textwrap.dedent("\n".join(body)) + "\n"
        blocks.append(CodeBlock(language, start + 1, source, classes))
    return blocks


def runs(block: CodeBlock) -> bool:
    """Whether the docs test runs ``block``: Python not marked ``.no-run``."""
    return block.language == "python" and NO_RUN not in block.classes


def python_blocks(page: Path) -> list[CodeBlock]:
    return [block for block in code_blocks(page.read_text("utf-8")) if runs(block)]


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


def test_code_blocks_reads_braced_classes_and_indented_blocks() -> None:
    text = (
        "```{.python .no-run}\nimport other_library\n```\n\n"
        '```python title="app.py"\nx = 1\n```\n\n'
        "!!! note\n\n    ```python\n    y = 2\n    ```\n\n"
        '=== "TypeScript"\n\n    ```typescript\n    const z = 3;\n    ```\n\n'
        '=== "Python"\n\n    ```python\n    z = 3\n    ```\n\n'
        "::: cognito_jwt\n    options:\n      heading_level: 2\n"
    )
    blocks = code_blocks(text)
    assert [(b.language, b.classes) for b in blocks] == [
        ("python", frozenset({NO_RUN})),
        ("python", frozenset()),
        ("python", frozenset()),
        ("typescript", frozenset()),
        ("python", frozenset()),
    ]
    assert [b.source for b in blocks if runs(b)] == ["x = 1\n", "y = 2\n", "z = 3\n"]


# Pages with at least one Python block that runs. The others hold no Python of
# ours: the performance page's figures, the API reference (generated from the
# docstrings, whose examples the package's own tests cover) and the changelog.
PAGES_WITH_CODE = [page for page in PAGES if python_blocks(page)]
PAGES_WITHOUT_CODE = {"docs/changelog.md", "docs/performance.md", "docs/reference.md"}


def test_every_other_page_has_code_that_runs() -> None:
    assert {_relative(page) for page in PAGES if page not in PAGES_WITH_CODE} == PAGES_WITHOUT_CODE


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


# PyPI shows README.md away from the repository, where a relative link leads
# nowhere: every link of the README must be absolute. Inline links, reference
# definitions and HTML attributes, outside code blocks.
_FENCED = re.compile(r"^[ \t]*(`{3,}).*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(
    r"\]\((?P<inline>[^)\s]+)"
    r"|^[ \t]*\[[^\]]+\]:[ \t]*(?P<reference>\S+)"
    r"|\b(?:href|src)=[\"'](?P<html>[^\"']+)",
    re.MULTILINE,
)


def markdown_links(text: str) -> list[str]:
    """Return the link targets of a Markdown text, code blocks left out."""
    prose = _FENCED.sub("", text)
    return [next(group for group in match.groups() if group) for match in _LINK.finditer(prose)]


def test_markdown_links_finds_every_kind_of_link() -> None:
    text = (
        "See [the docs](docs/index.md), [top](#install) and [site](https://example.org/).\n\n"
        "```python\nprint(x[0](1))  # [not](a-link)\n```\n\n"
        '[ref]: SECURITY.md\n<a href="CHANGELOG.md">changes</a> <img src="logo.png">\n'
    )
    assert markdown_links(text) == [
        "docs/index.md",
        "#install",
        "https://example.org/",
        "SECURITY.md",
        "CHANGELOG.md",
        "logo.png",
    ]


def test_readme_links_are_absolute() -> None:
    links = markdown_links((ROOT / "README.md").read_text("utf-8"))
    assert len(links) > 10
    assert [link for link in links if not link.startswith(("https://", "mailto:"))] == []
