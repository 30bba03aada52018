"""The public surface: names, docstrings, version."""

from __future__ import annotations

import inspect
from importlib.metadata import version
from pathlib import Path

import pytest

import cognito_jwt
import cognito_jwt.exceptions
import cognito_jwt.testing


def test_all_is_sorted_and_importable() -> None:
    assert list(cognito_jwt.__all__) == sorted(cognito_jwt.__all__)
    for name in cognito_jwt.__all__:
        assert hasattr(cognito_jwt, name), name


def test_every_exception_is_reexported() -> None:
    for name in cognito_jwt.exceptions.__all__:
        assert getattr(cognito_jwt, name) is getattr(cognito_jwt.exceptions, name)


def test_version_comes_from_package_metadata() -> None:
    assert cognito_jwt.__version__ == version("cognito-jwt")


def test_every_public_name_and_method_has_a_docstring() -> None:
    modules = [cognito_jwt, cognito_jwt.testing]
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if name == "__version__":
                continue
            assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if callable(member) or isinstance(member, property):
                        assert inspect.getdoc(member), f"{name}.{attr} has no docstring"


def test_package_is_typed() -> None:
    assert Path(inspect.getfile(cognito_jwt)).with_name("py.typed").is_file()


def test_dir_shows_only_public_names_and_dunders() -> None:
    shown = dir(cognito_jwt)
    public = [name for name in shown if not name.startswith("__")]
    assert public == sorted(name for name in cognito_jwt.__all__ if not name.startswith("__"))
    for leaked in ("Any", "logging", "version", "TYPE_CHECKING", "annotations", "verifier"):
        assert leaked not in shown
    assert "__version__" in shown
    assert "__all__" in shown
    kit = [name for name in dir(cognito_jwt.testing) if not name.startswith("__")]
    assert kit == sorted(cognito_jwt.testing.__all__)


def test_lazy_names_resolve_to_their_module_and_unknown_names_do_not() -> None:
    from cognito_jwt import verifier

    assert cognito_jwt.CognitoVerifier is verifier.CognitoVerifier
    assert cognito_jwt.MultiPoolVerifier is verifier.MultiPoolVerifier
    with pytest.raises(AttributeError, match="NoSuchName"):
        cognito_jwt.NoSuchName  # noqa: B018


def test_the_unverified_reader_is_public() -> None:
    from cognito_jwt import claims

    assert cognito_jwt.decode_unverified is claims.decode_unverified
    assert cognito_jwt.UnverifiedToken is claims.UnverifiedToken
    assert cognito_jwt.UnavailableError.status_code == 503
