"""Strict parsing of a compact JWS (RFC 7515 section 7.1): pure, no I/O, no keys.

Everything here runs before any key is looked up, so it treats the token as
hostile: the size is capped before any decoding, the alphabet is checked
before base64 decoding, and the JSON parser refuses what RFC 8259 leaves open
(duplicate member names, ``NaN``, numbers no float can hold).
"""

from __future__ import annotations

import binascii
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from cognito_jwt.exceptions import InvalidSignatureError, MalformedTokenError, _describe

_BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The value of each base64url character, looked up by character or by byte.
_INDEX: dict[str | int, int] = {c: i for i, c in enumerate(_BASE64URL)}
_INDEX.update({ord(c): i for i, c in enumerate(_BASE64URL)})
# A compact JWS holds base64url characters and dots, nothing else: no padding, no
# '+' or '/', no whitespace. Deleting those leaves nothing (bytes.translate is one C pass).
_COMPACT_ALPHABET = (_BASE64URL + ".").encode("ascii")
# The same with base64 padding, which an Application Load Balancer keeps in its tokens.
_PADDED_ALPHABET = _COMPACT_ALPHABET + b"="
_TO_STANDARD_BASE64 = bytes.maketrans(b"-_", b"+/")
_PADDING = {0: b"", 2: b"==", 3: b"="}
# Where a lone surrogate could come from: a \uD800 to \uDFFF escape (the text itself
# was strictly UTF-8 decoded, so it holds none).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

#: The only signature algorithm Cognito uses, and the only one accepted (RFC 8725 section 3.1).
ALGORITHM = "RS256"
#: Header parameters that would make the token name its own key, or change how it is read.
FORBIDDEN_HEADERS = frozenset({"crit", "jku", "x5u", "jwk", "x5c", "cty", "zip"})
MAX_KID_LENGTH = 256
# Integers longer than this are no timestamp or any other sane claim.
_MAX_INT_DIGITS = 40
#: Deepest nesting of arrays and objects accepted. A Cognito token nests two or three
#: levels; deeper JSON would exhaust the recursion limit of code that walks the claims.
MAX_DEPTH = 32


@dataclass(slots=True)
class ParsedToken:
    """A compact JWS split and decoded, its signature not yet checked.

    ``header`` is ``None`` when the header segment was one already known to be
    acceptable (see :func:`parse`); ``kid`` is always set.
    """

    header_segment: bytes
    header: dict[str, Any] | None
    kid: str
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


class _JSONRejectedError(ValueError):
    """Raised inside the JSON hooks; turned into MalformedTokenError by the caller."""


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _JSONRejectedError(f"duplicate member name {_describe(name)}")
            seen.add(name)
    return result


def _reject_constant(name: str) -> NoReturn:
    raise _JSONRejectedError(f"non-standard number {name}")


def _check_values(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings UTF-8 cannot hold (iteratively)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_string(item)
            continue
        if isinstance(item, dict):
            for name in item:
                _check_string(name)
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise _JSONRejectedError(f"arrays and objects nest deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def _check_string(text: str) -> None:
    # An escaped lone surrogate ("\ud800") decodes to a str no UTF-8 can encode (RFC 8259 8.2).
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _JSONRejectedError("string with an unpaired surrogate") from None


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _JSONRejectedError(f"integer of {len(text)} digits")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JSONRejectedError(f"number out of range {_describe(text)}")
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_reject_duplicates,
    parse_constant=_reject_constant,
    parse_int=_parse_int,
    parse_float=_parse_float,
)
# The same rules where the text has no run of more than _MAX_INT_DIGITS digits, so
# that no integer can be too long: ints are then left to the C parser (the
# parse_int hook would cost a Python call for every number of every token).
_DECODER_SHORT_INTS = json.JSONDecoder(
    object_pairs_hook=_reject_duplicates,
    parse_constant=_reject_constant,
    parse_float=_parse_float,
)
# Maps every digit to "1" and every other byte to "0": a run of digits becomes a run of 1s.
_DIGITS_TO_ONES = bytes(0x31 if 0x30 <= b <= 0x39 else 0x30 for b in range(256))
_LONG_DIGIT_RUN = b"1" * (_MAX_INT_DIGITS + 1)


def loads_strict(data: bytes, what: str, error: type[Exception]) -> dict[str, Any]:
    """Decode UTF-8 JSON that must be an object, refusing what RFC 8259 leaves open.

    Refused: duplicate member names, ``NaN`` and numbers no float can hold,
    integers of over 40 digits, unpaired surrogates, nesting deeper than MAX_DEPTH.

    Raises:
        error: (the class given) with a message naming ``what`` was wrong.

    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} is not valid UTF-8") from None
    decoder = (
        _DECODER if _LONG_DIGIT_RUN in data.translate(_DIGITS_TO_ONES) else _DECODER_SHORT_INTS
    )
    try:
        value = decoder.decode(text)
        # Walking the values is needed only where the text could nest deeper than
        # MAX_DEPTH (it has more brackets than that) or hold a surrogate escape.
        if text.count("{") + text.count("[") > MAX_DEPTH or (
            "\\u" in text and _SURROGATE_ESCAPE.search(text)
        ):
            _check_values(value)
    except _JSONRejectedError as exc:
        raise error(f"{what} is not acceptable JSON: {exc}") from None
    except (ValueError, RecursionError):
        raise error(f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise error(f"{what} is a JSON {type(value).__name__}, not an object")
    return value


def b64url_decode(segment: str | bytes, what: str, error: type[Exception]) -> bytes:
    """Decode unpadded base64url in its one canonical form (unused trailing bits zero).

    The alphabet must already have been checked by the caller.

    Raises:
        error: (the class given) when the segment has an impossible length or
            non-zero trailing bits, which would let one value have several encodings.

    """
    remainder = len(segment) % 4
    if remainder == 1:
        raise error(f"{what} has an impossible base64url length")
    if remainder:
        unused_bits_mask = 0b1111 if remainder == 2 else 0b11
        if _INDEX[segment[-1]] & unused_bits_mask:
            raise error(f"{what} is not canonical base64url")
    data = segment.encode("ascii") if isinstance(segment, str) else segment
    try:
        # bytes.translate: one table lookup per byte (str.translate with a mapping is
        # several times slower on a 342-character signature).
        standard = data.translate(_TO_STANDARD_BASE64) + _PADDING[remainder]
        return binascii.a2b_base64(standard, strict_mode=True)
    except (binascii.Error, ValueError):  # pragma: no cover - alphabet checked before
        raise error(f"{what} is not base64url") from None


def _json_segment(segment: bytes, what: str) -> dict[str, Any]:
    """Decode a base64url segment holding a JSON object, both strictly."""
    return loads_strict(
        b64url_decode(segment, what, MalformedTokenError), what, MalformedTokenError
    )


def parse(
    token: object, max_bytes: int, known_headers: Mapping[bytes, str] | None = None
) -> ParsedToken:
    """Split and decode a compact JWS, checking its form and header strictly.

    ``known_headers`` maps header segments already found acceptable to their
    kid: such a header is not decoded and checked again (the verdict on a header
    depends on its text alone).

    Raises:
        MalformedTokenError: not a string (or ASCII bytes), too big, not three
            base64url segments, bad JSON, a bad ``kid`` or a forbidden header parameter.
        InvalidSignatureError: an ``alg`` other than RS256.

    """
    raw, (header_b64, payload_b64, signature_b64) = split(token, max_bytes)
    header: dict[str, Any] | None = None
    kid = known_headers.get(header_b64) if known_headers else None
    if kid is None:
        header = _json_segment(header_b64, "header")
        kid = _check_header(header)
    payload = _json_segment(payload_b64, "payload")
    signature = b64url_decode(signature_b64, "signature", MalformedTokenError)
    signing_input = raw[: len(header_b64) + 1 + len(payload_b64)]
    return ParsedToken(header_b64, header, kid, payload, signing_input, signature)


def text_of(token: object, max_bytes: int) -> str:
    """Return ``token`` as a str: a str as it is, bytes decoded as ASCII (as PyJWT accepts).

    Bytes over ``max_bytes`` are refused before they are decoded.

    Raises:
        MalformedTokenError: bytes that are too long or not ASCII, or any other type.

    """
    if isinstance(token, str):
        return token
    if isinstance(token, bytes):
        if len(token) > max_bytes:
            raise MalformedTokenError(f"token is {len(token)} bytes, over the {max_bytes} limit")
        try:
            return token.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedTokenError("token bytes are not ASCII, so not a JWT") from None
    raise MalformedTokenError(f"token must be a str or ASCII bytes, not {type(token).__name__}")


def split(token: object, max_bytes: int, *, padded: bool = False) -> tuple[bytes, list[bytes]]:
    """Check a compact JWS's size and form; return its ASCII bytes and its three segments.

    With ``padded``, segments may carry exact base64 ``=`` padding (as an
    Application Load Balancer's tokens do); the segments returned are unpadded.

    Raises:
        MalformedTokenError: as :func:`parse` says for the form.

    """
    raw = _token_bytes(token, max_bytes, _PADDED_ALPHABET if padded else _COMPACT_ALPHABET)
    segments = raw.split(b".")
    if len(segments) != 3 or b"" in segments:
        raise MalformedTokenError(_describe_shape(raw.decode("ascii"), padded=padded))
    if padded:
        names = ("header", "payload", "signature")
        segments = [_unpad(segment, name) for segment, name in zip(segments, names, strict=True)]
        if b"" in segments:
            raise MalformedTokenError("token has an empty segment")
    return raw, segments


def decode_segments(
    token: object, max_bytes: int, *, padded: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decode a compact JWS's header and payload with the strict rules, checking nothing else.

    No header rule (``alg``, ``kid``, forbidden parameters) applies and the
    signature is not decoded: this serves reading a token, not trusting it.
    ``padded`` accepts exact base64 padding, as :func:`split` says.

    Raises:
        MalformedTokenError: the form, the base64url or the JSON is not strict.

    """
    _, (header_b64, payload_b64, _signature) = split(token, max_bytes, padded=padded)
    header = _json_segment(header_b64, "header")
    payload = _json_segment(payload_b64, "payload")
    return header, payload


def _token_bytes(token: object, max_bytes: int, alphabet: bytes) -> bytes:
    """Check a token's type, size and alphabet before anything is decoded; return its bytes."""
    if type(token) is not str:
        token = text_of(token, max_bytes)
    if len(token) > max_bytes:
        raise MalformedTokenError(f"token is {len(token)} characters, over the {max_bytes} limit")
    if not token.isascii():
        raise MalformedTokenError(_describe_shape(token, padded=alphabet is _PADDED_ALPHABET))
    raw = token.encode("ascii")
    if raw.translate(None, alphabet):
        raise MalformedTokenError(_describe_shape(token, padded=alphabet is _PADDED_ALPHABET))
    return raw


def _unpad(segment: bytes, what: str) -> bytes:
    """Strip a segment's base64 padding, which must be exactly what its length calls for."""
    if segment[-1:] != b"=":  # the common case of a segment without padding
        if b"=" in segment:
            raise MalformedTokenError(f"{what} has '=' inside it")
        return segment
    data = segment.rstrip(b"=")
    if b"=" in data:
        raise MalformedTokenError(f"{what} has '=' inside it")
    if len(data) != len(segment) and (len(segment) % 4 or len(segment) - len(data) > 2):
        raise MalformedTokenError(f"{what} has wrong base64 padding")
    return data


def parse_padded(
    token: object, max_bytes: int, check_header: Callable[[dict[str, Any]], str]
) -> ParsedToken:
    """Split and decode a compact JWS whose segments may carry base64 ``=`` padding.

    For tokens signed by an Application Load Balancer, which keeps the padding.
    Each segment is either unpadded or padded to a multiple of four, exactly;
    otherwise the rules are those of :func:`parse`. ``check_header`` checks the
    decoded header and returns its kid. The signing input is the first two
    segments as received, padding included.

    Raises:
        MalformedTokenError: not a string, too big, not three base64url segments
            (padding aside), or bad JSON; or what ``check_header`` raises.

    """
    raw, (header_data, payload_data, signature_data) = split(token, max_bytes, padded=True)
    header = _json_segment(header_data, "header")
    kid = check_header(header)
    payload = _json_segment(payload_data, "payload")
    signature = b64url_decode(signature_data, "signature", MalformedTokenError)
    # The header segment and the signing input as received, padding included.
    header_b64 = raw[: raw.index(b".")]
    signing_input = raw[: raw.rindex(b".")]
    return ParsedToken(header_b64, header, kid, payload, signing_input, signature)


def _describe_shape(token: str, *, padded: bool = False) -> str:
    """Say what is wrong with a token whose form is not a compact JWS (the error path only)."""
    if not token:
        return "token is empty"
    if token.lower().startswith("bearer"):
        return (
            "token starts with 'Bearer': pass the whole Authorization header value to "
            "verify_bearer(), or the token alone to verify()"
        )
    if token != token.strip():
        return (
            "token has whitespace (a space or newline) before or after it: strip() it "
            "first, or pass the Authorization header value to verify_bearer(), which does"
        )
    if any(char.isspace() for char in token):
        return "token contains whitespace, which a JWT never does (was it cut or wrapped?)"
    segments = token.split(".")
    count = len(segments)
    if count == 5:
        return "token has 5 segments: it is a JWE (such as a refresh token), not a signed JWT"
    if count != 3:
        noun = "segment" if count == 1 else "segments"
        return f"token has {count} {noun} separated by dots; a signed JWT has 3"
    if any(not s for s in segments):
        return "token has an empty segment"
    if padded:
        return "token contains characters outside base64url and its '=' padding"
    if any(char == "=" for char in token):
        return "token has base64 padding ('='), which a JWT never carries"
    return "token contains characters outside unpadded base64url"


def _check_header(header: dict[str, Any]) -> str:
    """Check a decoded header and return its kid."""
    forbidden = sorted(FORBIDDEN_HEADERS.intersection(header))
    if forbidden:
        raise MalformedTokenError(f"header carries forbidden parameter(s) {', '.join(forbidden)}")
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise InvalidSignatureError(f"algorithm {_describe(alg)} is not allowed, only RS256")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise MalformedTokenError(
            "header has no kid" if kid is None else "header kid is not a string"
        )
    if not 0 < len(kid) <= MAX_KID_LENGTH:
        raise MalformedTokenError(f"header kid must be 1 to {MAX_KID_LENGTH} characters")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        raise MalformedTokenError(f"header typ {_describe(typ)} is not JWT")
    return kid


#: The only algorithm an Application Load Balancer signs with, and the only one it accepts.
ALB_ALGORITHM = "ES256"
# A canonical UUID: lowercase hex, hyphenated, 36 characters. An ALB kid goes into a
# URL path, so nothing else (no "/", "%", "..", braces, uppercase twins) may get through.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ALB_STRING_FIELDS = ("signer", "client", "iss")


def is_canonical_uuid(kid: str) -> bool:
    """Return whether ``kid`` is a UUID in canonical form (lowercase, hyphenated)."""
    return _CANONICAL_UUID.fullmatch(kid) is not None


def check_alb_header(header: dict[str, Any]) -> str:
    """Check the header of an Application Load Balancer's token and return its kid.

    Raises:
        InvalidSignatureError: ``alg`` is not ES256.
        MalformedTokenError: a forbidden parameter, a kid that is not a canonical
            UUID, or ``signer``, ``client``, ``iss`` or ``exp`` missing or of the wrong type.

    """
    if not FORBIDDEN_HEADERS.isdisjoint(header):
        forbidden = sorted(FORBIDDEN_HEADERS.intersection(header))
        raise MalformedTokenError(f"header carries forbidden parameter(s) {', '.join(forbidden)}")
    alg = header.get("alg")
    if alg != ALB_ALGORITHM:
        raise InvalidSignatureError(f"algorithm {_describe(alg)} is not allowed, only ES256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not is_canonical_uuid(kid):
        raise MalformedTokenError(f"header kid {_describe(kid)} is not a canonical UUID")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        raise MalformedTokenError(f"header typ {_describe(typ)} is not JWT")
    for name in _ALB_STRING_FIELDS:
        value = header.get(name)
        if not isinstance(value, str):
            raise MalformedTokenError(
                f"header has no {name}" if value is None else f"header {name} is not a string"
            )
    exp = header.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise MalformedTokenError(
            "header has no exp" if exp is None else "header exp is not a number"
        )
    return kid
