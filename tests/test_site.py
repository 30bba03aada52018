"""The documentation site as built: offline, highlighted, and every public name in the reference.

The site is built once for the module, as ``make docs`` builds it (``mkdocs build
--strict``), into a temporary folder; it takes a second or two.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cognito_jwt
import cognito_jwt.testing
import cognito_jwt.testing.pytest_plugin

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(folder)],
        cwd=ROOT,
        check=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return folder


class _Resources(HTMLParser):
    """Collect the URLs a page makes the browser load by itself (not the links a reader follows)."""

    # link rel values whose href the browser fetches or connects to on its own.
    _FETCHED_LINKS = frozenset(
        {"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch"}
        | {"icon", "manifest", "apple-touch-icon"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self._style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.attributes.extend(values.items())
        if tag in {"script", "img", "iframe", "source", "audio", "video", "embed", "track"}:
            self.urls.extend(values[name] for name in ("src", "srcset") if name in values)
        elif tag == "link" and self._FETCHED_LINKS & set(values.get("rel", "").lower().split()):
            self.urls.append(values.get("href", ""))
        elif tag == "object" and "data" in values:
            self.urls.append(values["data"])
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.styles.append(data)


def _is_outside(url: str) -> bool:
    """Whether a URL leaves the site: a scheme other than data:, or protocol-relative."""
    url = url.strip().lower()
    return url.startswith("//") or (
        re.match(r"^[a-z][a-z0-9+.-]*:", url) is not None and not url.startswith("data:")
    )


# url(...) and @import in CSS, quoted or not.
_CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")\s]+)|@import\s+['"](?P<import>[^'"]+)""")


def _css_urls(css: str) -> list[str]:
    return [match["url"] or match["import"] for match in _CSS_URL.finditer(css)]


def _pages(site: Path) -> Iterator[tuple[Path, _Resources]]:
    for page in sorted(site.rglob("*.html")):
        parser = _Resources()
        parser.feed(page.read_text("utf-8"))
        yield page, parser


def test_the_outside_check_tells_site_urls_from_others() -> None:
    parser = _Resources()
    parser.feed(
        '<link rel="stylesheet" href="assets/main.css"><link rel="preconnect" '
        'href="https://fonts.gstatic.com"><link rel="canonical" href="https://example.org/">'
        '<script src="//cdn.example.org/x.js"></script><img src="data:image/png;base64,AA">'
        "<style>@import 'https://fonts.googleapis.com/css?family=Roboto';</style>"
    )
    outside = [url for url in parser.urls if _is_outside(url)]
    assert outside == ["https://fonts.gstatic.com", "//cdn.example.org/x.js"]
    assert _css_urls("".join(parser.styles)) == ["https://fonts.googleapis.com/css?family=Roboto"]


def test_no_page_loads_anything_from_outside_the_site(site: Path) -> None:
    pages = list(_pages(site))
    assert len(pages) > 10
    outside = {
        (page.relative_to(site).as_posix(), url)
        for page, parser in pages
        for url in parser.urls + _css_urls("".join(parser.styles))
        if _is_outside(url)
    }
    assert outside == set()
    # Nor does the theme ask the GitHub API for the repository's stars and forks.
    source_facts = ("data-md-component", "source")
    assert not [page for page, parser in pages if source_facts in parser.attributes]


def test_no_stylesheet_loads_anything_from_outside_the_site(site: Path) -> None:
    stylesheets = sorted(site.rglob("*.css"))
    assert stylesheets
    outside = {
        (sheet.relative_to(site).as_posix(), url)
        for sheet in stylesheets
        for url in _css_urls(sheet.read_text("utf-8"))
        if _is_outside(url)
    }
    assert outside == set()


def test_code_is_highlighted_when_the_site_is_built(site: Path) -> None:
    page = (site / "getting-started" / "index.html").read_text("utf-8")
    # Pygments' classes: "kn" a keyword such as import, "nn" a module name.
    assert '<span class="kn">from</span>' in page
    assert '<span class="nn">cognito_jwt</span>' in page
    assert "highlight.js" not in page
    assert "hljs" not in page


def _documented(site: Path) -> list[str]:
    page = (site / "reference" / "index.html").read_text("utf-8")
    return re.findall(r'<h[1-6][^>]*\bid="(cognito_jwt[\w.]*)"', page)


def _public_modules(package: str) -> list[str]:
    """The public modules under ``package`` (empty when it does not exist)."""
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError:
        return []
    return [
        info.name
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]


def test_every_public_name_is_documented_once_in_the_reference(site: Path) -> None:
    documented = _documented(site)
    # A name of cognito_jwt is documented at the top level or, for the errors,
    # in cognito_jwt.exceptions: once, not in both places.
    for name in cognito_jwt.__all__:
        places = {f"cognito_jwt.{name}", f"cognito_jwt.exceptions.{name}"} & set(documented)
        assert len(places) == 1, f"cognito_jwt.{name} is documented {len(places)} times"
    for module in (cognito_jwt.testing, cognito_jwt.testing.pytest_plugin):
        for name in module.__all__:
            assert f"{module.__name__}.{name}" in documented
    assert len(documented) == len(set(documented))


def test_every_framework_integration_has_a_reference_section(site: Path) -> None:
    # The adapters live in their own modules; each needs its own `::: module`
    # directive in docs/reference.md.
    documented = set(_documented(site))
    modules = _public_modules("cognito_jwt.integrations")
    missing = [name for name in modules if name not in documented]
    assert missing == [], "add a `::: <module>` section to docs/reference.md for each"
