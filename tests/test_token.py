"""Strict compact-JWS parsing: cognito_jwt._token (pure, no keys, no I/O)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from cognito_jwt import _token
from cognito_jwt.exceptions import (
    CognitoJWTError,
    InvalidSignatureError,
    JWKSFormatError,
    MalformedTokenError,
)
from cognito_jwt.testing import FakeUserPool

LIMIT = 65536
HEADER: dict[str, Any] = {"kid": "key-1", "alg": "RS256"}
PAYLOAD: dict[str, Any] = {
    "sub": "a1b2c3",
    "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1",
    "token_use": "access",
    "client_id": "test-client",
    "exp": 1_700_003_600,
    "iat": 1_700_000_000,
}
# 256 bytes, as an RS256 signature with a 2048-bit key; 0xfb and 0xff give '-' and '_'.
SIGNATURE = bytes([0xFB, 0xFF, 0xBF]) * 85 + b"\x00"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encode(part: Mapping[str, Any] | bytes) -> str:
    """Base64url of raw JSON bytes, or of a mapping dumped compactly."""
    if isinstance(part, bytes):
        return b64url(part)
    return b64url(json.dumps(part, separators=(",", ":")).encode())


def make_token(
    header: Mapping[str, Any] | bytes = HEADER,
    payload: Mapping[str, Any] | bytes = PAYLOAD,
    signature: bytes = SIGNATURE,
) -> str:
    return f"{encode(header)}.{encode(payload)}.{b64url(signature)}"


def header_with(**changes: Any) -> dict[str, Any]:
    return {**HEADER, **changes}


def header_without(name: str) -> dict[str, Any]:
    return {k: v for k, v in HEADER.items() if k != name}


def malformed(token: object, max_bytes: int = LIMIT) -> MalformedTokenError:
    """Parse ``token`` expecting exactly MalformedTokenError (not a subclass, not a sibling)."""
    with pytest.raises(MalformedTokenError) as info:
        _token.parse(token, max_bytes)
    assert type(info.value) is MalformedTokenError
    return info.value


def dirty_trailing_bits(segment: str) -> str:
    """The same bytes in a non-canonical spelling: a last character with unused bits set."""
    remainder = len(segment) % 4
    assert remainder in (2, 3), "only partial quanta have unused bits"
    unused = 0b1111 if remainder == 2 else 0b11
    last = _token._BASE64URL.index(segment[-1])
    assert last & unused == 0, "the encoder produced a non-canonical segment"
    return segment[:-1] + _token._BASE64URL[last | 1]


# --------------------------------------------------------------------------- valid tokens


def test_a_well_formed_token_is_split_and_decoded() -> None:
    token = make_token()
    parsed = _token.parse(token, LIMIT)

    assert parsed.header == HEADER
    assert parsed.payload == PAYLOAD
    assert parsed.signature == SIGNATURE
    assert parsed.kid == "key-1"
    header_b64, payload_b64, _ = token.split(".")
    assert parsed.signing_input == f"{header_b64}.{payload_b64}".encode("ascii")


def test_a_fake_pool_token_parses_with_its_kid_and_claims(pool: FakeUserPool) -> None:
    id_key, access_key = pool.signing_keys
    parsed = _token.parse(pool.access_token("bob"), LIMIT)

    assert parsed.kid == access_key.kid
    assert parsed.kid != id_key.kid
    assert parsed.header is not None
    assert parsed.header["alg"] == "RS256"
    assert parsed.payload["iss"] == pool.issuer
    assert parsed.payload["username"] == "bob"
    assert len(parsed.signature) == 256


def test_known_header_segment_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_token()
    first = _token.parse(token, LIMIT)
    assert first.header is not None
    calls: list[bytes] = []
    real = _token.loads_strict

    def counting(data: bytes, what: str, error: type[Exception]) -> dict[str, Any]:
        calls.append(data)
        return real(data, what, error)

    monkeypatch.setattr(_token, "loads_strict", counting)
    again = _token.parse(token, LIMIT, {first.header_segment: first.kid})
    assert again.header is None
    assert again.kid == first.kid
    assert again.payload == first.payload
    assert len(calls) == 1  # the payload only


def test_unknown_header_segment_is_checked_whatever_is_known() -> None:
    bad = make_token(header_with(alg="none"))
    with pytest.raises(InvalidSignatureError):
        _token.parse(bad, LIMIT, {b"eyJhbGciOiJSUzI1NiJ9": "some-kid"})


@pytest.mark.parametrize("typ", ["JWT", "jwt", "Jwt"])
def test_typ_jwt_is_accepted_in_any_case(typ: str) -> None:
    header = _token.parse(make_token(header_with(typ=typ)), LIMIT).header
    assert header is not None
    assert header["typ"] == typ


@pytest.mark.parametrize("typ", ["at+jwt", "JWS", "", 1, ["JWT"]])
def test_typ_other_than_jwt_is_rejected(typ: object) -> None:
    assert "typ" in str(malformed(make_token(header_with(typ=typ))))


def test_unknown_header_and_payload_members_are_kept() -> None:
    parsed = _token.parse(make_token(header_with(x="y"), {**PAYLOAD, "custom:tier": "gold"}), LIMIT)
    assert parsed.header is not None
    assert parsed.header["x"] == "y"
    assert parsed.payload["custom:tier"] == "gold"


# --------------------------------------------------------------------------- type and size


@pytest.mark.parametrize(
    "token", [None, 42, bytearray(make_token().encode()), ["a", "b", "c"], memoryview(b"a.b.c")]
)
def test_a_token_that_is_not_a_str_or_bytes_is_malformed(token: object) -> None:
    assert "must be a str or ASCII bytes" in str(malformed(token))


def test_empty_bytes_are_an_empty_token() -> None:
    assert str(malformed(b"")) == "token is empty"


def test_a_token_of_exactly_the_limit_is_accepted_one_more_is_not() -> None:
    token = make_token()
    assert _token.parse(token, len(token)).payload == PAYLOAD
    error = malformed(token, len(token) - 1)
    assert f"over the {len(token) - 1} limit" in str(error)


def test_the_default_sized_limit_rejects_a_big_but_otherwise_valid_token() -> None:
    token = make_token(payload={**PAYLOAD, "pad": "x" * LIMIT})
    assert "limit" in str(malformed(token))


@pytest.mark.parametrize(
    "oversized",
    [
        pytest.param(make_token(payload={**PAYLOAD, "pad": "x" * LIMIT}), id="valid-shape"),
        pytest.param("!" * (LIMIT + 1), id="garbage"),
        pytest.param("a." * (LIMIT // 2 + 1), id="many-segments"),
    ],
)
def test_the_size_cap_is_enforced_before_any_decoding(
    oversized: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(_token, "b64url_decode", spy("base64", _token.b64url_decode))
    monkeypatch.setattr(_token, "loads_strict", spy("json", _token.loads_strict))
    monkeypatch.setattr(_token, "_describe_shape", spy("shape", _token._describe_shape))

    assert "limit" in str(malformed(oversized))
    assert calls == []
    # The spies do see a token under the cap, so the empty list above means something.
    _token.parse(make_token(), LIMIT)
    assert calls.count("base64") == 3
    assert calls.count("json") == 2


# --------------------------------------------------------------------------- compact shape

_H, _P, _S = make_token().split(".")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param(_H, "token has 1 segment separated by dots;", id="one-segment"),
        pytest.param(f"{_H}.{_P}", "2 segments", id="two-segments"),
        pytest.param(f"{_H}.{_P}.{_S}.{_S}", "4 segments", id="four-segments"),
        pytest.param(f"{_H}.{_P}.{_S}..", "5 segments: it is a JWE", id="jwe-shaped-with-empties"),
        pytest.param(f"{_H}.{_P}.", "empty segment", id="unsigned-alg-none-shape"),
        pytest.param(f".{_P}.{_S}", "empty segment", id="empty-header"),
        pytest.param(f"{_H}..{_S}", "empty segment", id="empty-payload"),
        pytest.param("..", "empty segment", id="only-dots"),
    ],
)
def test_anything_but_three_non_empty_segments_is_malformed(token: str, reason: str) -> None:
    assert reason in str(malformed(token))


def test_a_five_segment_jwe_is_rejected_with_a_clear_message() -> None:
    jwe_header = encode({"alg": "RSA-OAEP", "enc": "A256GCM", "cty": "JWT"})
    jwe = ".".join([jwe_header, b64url(b"k" * 256), b64url(b"iv" * 6), b64url(b"c" * 90), "tag"])

    message = str(malformed(jwe))

    assert "JWE" in message
    assert "not a signed JWT" in message


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            f"{_H}.{_P}.{base64.b64encode(SIGNATURE).decode().rstrip('=')}", id="plus-and-slash"
        ),
        pytest.param(f"{_H}.{_P}.{_S[:-1]}+", id="plus"),
        pytest.param(f"{_H}.{_P}.{_S[:-1]}/", id="slash"),
        pytest.param(f"{_H}.{_P}.{_S}\x00", id="nul"),
        pytest.param(f"{_H}.{_P}.{_S[:-1]}é", id="latin-letter"),
        pytest.param(f"{_H}.{_P}.{_S[:-1]}\uff41", id="fullwidth-a"),
        pytest.param(f"{_H}.{_P}.{_S[:-1]}\u0661", id="arabic-indic-digit"),
        pytest.param(f'"{_H}.{_P}.{_S}"', id="quoted"),
    ],
)
def test_characters_outside_unpadded_base64url_are_rejected(token: str) -> None:
    assert "outside unpadded base64url" in str(malformed(token))


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        pytest.param(f"{_H}.{_P}.{_S}\n", "whitespace (a space or newline) before", id="newline"),
        pytest.param(f"{_H}.{_P}.{_S}\r\n", "strip() it", id="trailing-crlf"),
        pytest.param(f"{_H}.{_P}.{_S} ", "before or after it", id="trailing-space"),
        pytest.param(f" {_H}.{_P}.{_S}", "before or after it", id="leading-space"),
        pytest.param(f"{_H}.{_P}\n.{_S}", "contains whitespace", id="inner-newline"),
        pytest.param(f"{_H}.{_P}.{_S[:10]}\t{_S[10:]}", "contains whitespace", id="inner-tab"),
        pytest.param(f"{_H}.{_P}.{_S}=", "padding ('=')", id="padding-on-signature"),
        pytest.param(f"{_H}==.{_P}.{_S}", "padding ('=')", id="padding-on-header"),
        pytest.param(f"Bearer {_H}.{_P}.{_S}", "starts with 'Bearer'", id="with-scheme"),
        pytest.param(f"bearer {_H}.{_P}.{_S}", "verify_bearer()", id="lower-case-scheme"),
        pytest.param("Bearer", "starts with 'Bearer'", id="scheme-alone"),
        pytest.param(f"{_H}.{_P}.{_S}\n\n", "verify_bearer(), which does", id="two-newlines"),
    ],
)
def test_a_common_mistake_is_named_in_the_message(token: str, reason: str) -> None:
    message = str(malformed(token))
    assert reason in message
    assert "outside unpadded base64url" not in message


@pytest.mark.parametrize("count", [1, 2, 4, 6])
def test_a_wrong_number_of_segments_is_counted_in_good_grammar(count: int) -> None:
    token = ".".join([_H] * count)
    noun = "segment" if count == 1 else "segments"
    message = str(malformed(token))
    assert message == f"token has {count} {noun} separated by dots; a signed JWT has 3"
    assert "JWE" not in message  # only five segments are an encrypted token


def test_ascii_bytes_parse_as_the_str_they_encode() -> None:
    token = make_token()
    assert _token.parse(token.encode("ascii"), LIMIT).payload == PAYLOAD
    assert "not ASCII" in str(malformed(token.encode() + "é".encode()))


def test_standard_base64_signature_really_differs_from_base64url() -> None:
    # Guards the "plus-and-slash" case above: the standard alphabet must show '+' and '/'.
    standard = base64.b64encode(SIGNATURE).decode()
    assert "+" in standard
    assert "/" in standard


# --------------------------------------------------------------------------- base64url


@pytest.mark.parametrize("part", ["header", "payload", "signature"])
@pytest.mark.parametrize("length_mod_3", [1, 2])
def test_non_canonical_base64url_is_rejected(part: str, length_mod_3: int) -> None:
    # Build each part so that its encoding ends in a partial quantum with unused bits.
    header = json.dumps(HEADER).encode()
    payload = json.dumps(PAYLOAD).encode()
    signature = SIGNATURE
    if part == "header":
        header += b" " * ((length_mod_3 - len(header)) % 3)
    elif part == "payload":
        payload += b" " * ((length_mod_3 - len(payload)) % 3)
    else:
        signature += b"\x01" * ((length_mod_3 - len(signature)) % 3)
    segments = [encode(header), encode(payload), b64url(signature)]
    canonical = ".".join(segments)
    assert _token.parse(canonical, LIMIT).payload == PAYLOAD

    index = ["header", "payload", "signature"].index(part)
    original = segments[index]
    segments[index] = dirty_trailing_bits(original)
    # A lenient decoder reads the same bytes: the two spellings are aliases.
    padding = "=" * (-len(original) % 4)
    assert base64.urlsafe_b64decode(segments[index] + padding) == base64.urlsafe_b64decode(
        original + padding
    )

    message = str(malformed(".".join(segments)))
    assert f"{part} is not canonical base64url" in message


@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_segment_of_impossible_length_is_rejected(part: int) -> None:
    segments = make_token().split(".")
    segments[part] += "A" * ((1 - len(segments[part])) % 4)
    assert len(segments[part]) % 4 == 1
    assert "impossible base64url length" in str(malformed(".".join(segments)))


@pytest.mark.parametrize(
    ("segment", "decoded"),
    [
        ("", b""),
        ("AA", b"\x00"),
        ("AAE", b"\x00\x01"),
        ("AAEC", b"\x00\x01\x02"),
        ("-_8", b"\xfb\xff"),
        ("eyJhIjoxfQ", b'{"a":1}'),
    ],
)
def test_b64url_decode_reads_canonical_unpadded_input(segment: str, decoded: bytes) -> None:
    assert _token.b64url_decode(segment, "x", ValueError) == decoded


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        ("AB", "not canonical"),
        ("AAF", "not canonical"),
        ("A", "impossible"),
        ("AAAAA", "impossible"),
    ],
)
@pytest.mark.parametrize("error", [ValueError, MalformedTokenError, JWKSFormatError])
def test_b64url_decode_raises_the_class_it_is_given(
    segment: str, reason: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        _token.b64url_decode(segment, "thing", error)
    assert type(info.value) is error
    assert str(info.value).startswith("thing ")
    assert reason in str(info.value)


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("where", ["header", "payload"])
@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"\xff\xfe{}", "is not valid UTF-8", id="not-utf8"),
        pytest.param(b'{"a":"\xc3"}', "is not valid UTF-8", id="truncated-utf8"),
        pytest.param(b'{"a":"\xc0\xaf"}', "is not valid UTF-8", id="overlong-utf8"),
        pytest.param(b'{"a":"\xed\xa0\x80"}', "is not valid UTF-8", id="utf8-surrogate"),
        pytest.param(b"\xef\xbb\xbf{}", "is not valid JSON", id="utf8-bom"),
        pytest.param(b"not json", "is not valid JSON", id="text"),
        pytest.param(b"{'a': 1}", "is not valid JSON", id="single-quotes"),
        pytest.param(b'{"a":1,}', "is not valid JSON", id="trailing-comma"),
        pytest.param(b'{"a":1} {"b":2}', "is not valid JSON", id="two-documents"),
        pytest.param(b"{", "is not valid JSON", id="truncated"),
        pytest.param(b"[]", "is a JSON list, not an object", id="array"),
        pytest.param(b'["RS256"]', "is a JSON list, not an object", id="array-of-string"),
        pytest.param(b'"RS256"', "is a JSON str, not an object", id="string"),
        pytest.param(b"1700000000", "is a JSON int, not an object", id="integer"),
        pytest.param(b"1.5", "is a JSON float, not an object", id="float"),
        pytest.param(b"true", "is a JSON bool, not an object", id="true"),
        pytest.param(b"null", ", not an object", id="null"),
    ],
)
def test_only_utf8_json_objects_are_accepted(where: str, raw: bytes, reason: str) -> None:
    token = make_token(header=raw) if where == "header" else make_token(payload=raw)
    message = str(malformed(token))
    assert message.startswith(f"{where} ")
    assert message.endswith(reason)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"exp":1700003600,"exp":9999999999}', id="exp"),
        pytest.param(
            b'{"iss":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1",'
            b'"iss":"https://evil.example"}',
            id="iss",
        ),
        pytest.param(b'{"token_use":"access","token_use":"id"}', id="token_use"),
        pytest.param(b'{"a":{"b":1,"b":2}}', id="nested"),
        pytest.param(b'{"a":[{"x":1,"x":1}]}', id="in-array-same-value"),
        pytest.param(b'{"exp":1,"\\u0065xp":2}', id="escaped-name"),
        pytest.param(b'{"sub":"a", "sub" :"b"}', id="space-before-colon"),
        pytest.param(b'{"sub":"a",\n"sub"\t:\r"b"}', id="other-whitespace"),
    ],
)
def test_duplicate_member_names_in_the_payload_are_rejected(raw: bytes) -> None:
    message = str(malformed(make_token(payload=raw)))
    assert message.startswith("payload is not acceptable JSON: duplicate member name")


def test_a_duplicate_alg_in_the_header_is_rejected() -> None:
    raw = b'{"kid":"key-1","alg":"RS256","alg":"none"}'
    assert "header is not acceptable JSON: duplicate member name 'alg'" in str(
        malformed(make_token(header=raw))
    )


def test_the_duplicate_name_is_shown_shortened_and_escaped() -> None:
    name = json.dumps("\n" + "n" * 500)
    raw = f'{{"a":1,{name}:1,{name}:2}}'.encode()
    message = str(malformed(make_token(payload=raw)))
    assert "duplicate member name '\\nnnn" in message
    assert "\n" not in message
    assert "n" * 100 not in message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("where", ["header", "payload"])
def test_nan_and_infinity_are_rejected(constant: str, where: str) -> None:
    raw = f'{{"kid":"key-1","alg":"RS256","x":{constant}}}'.encode()
    token = make_token(header=raw) if where == "header" else make_token(payload=raw)
    message = str(malformed(token))
    assert message == f"{where} is not acceptable JSON: non-standard number {constant}"


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1E400", "1.0e+309", "9" * 400 + ".0"])
def test_numbers_no_float_can_hold_are_rejected(number: str) -> None:
    raw = f'{{"exp":{number}}}'.encode()
    assert "number out of range" in str(malformed(make_token(payload=raw)))


@pytest.mark.parametrize("digits", [41, 4301, 5000, 60000])
@pytest.mark.parametrize("sign", ["", "-"])
def test_huge_integers_are_rejected_cleanly(digits: int, sign: str) -> None:
    raw = f'{{"exp":{sign}{"9" * digits}}}'.encode()
    with pytest.raises(CognitoJWTError) as info:
        # A bigger cap, so that the 60000-digit integer reaches the JSON parser.
        _token.parse(make_token(payload=raw), 200_000)
    error = info.value
    assert type(error) is MalformedTokenError
    assert not isinstance(error, ValueError)
    assert error.__cause__ is None
    assert error.__suppress_context__
    assert "integer of" in str(error)
    assert "9" * 41 not in str(error)


def test_forty_digit_integers_and_large_finite_floats_still_parse() -> None:
    raw = b'{"big":' + b"9" * 40 + b',"neg":-' + b"9" * 40 + b',"f":1.7e308,"tiny":1e-400}'
    payload = _token.parse(make_token(payload=raw), LIMIT).payload
    assert payload["big"] == 10**40 - 1
    assert payload["neg"] == -(10**40 - 1)
    assert payload["f"] == 1.7e308
    assert payload["tiny"] == 0.0


def nested_json(depth: int, kind: str) -> bytes:
    """A JSON object whose arrays or objects nest ``depth`` levels (the outer object is 1)."""
    inner = depth - 1
    if kind == "arrays":
        return b'{"deep":' + b"[" * inner + b"]" * inner + b"}"
    return b'{"deep":' * inner + b"{}" + b"}" * inner


@pytest.mark.parametrize("kind", ["arrays", "objects"])
def test_nesting_up_to_the_limit_is_accepted(kind: str) -> None:
    raw = nested_json(_token.MAX_DEPTH, kind)
    assert _token.parse(make_token(payload=raw), LIMIT).payload == json.loads(raw)


@pytest.mark.parametrize("kind", ["arrays", "objects"])
@pytest.mark.parametrize("depth", [_token.MAX_DEPTH + 1, 100, 500])
def test_deeper_nesting_is_rejected(depth: int, kind: str) -> None:
    raw = nested_json(depth, kind)
    json.loads(raw)  # well-formed JSON: only its depth is wrong
    message = str(malformed(make_token(payload=raw)))
    assert message == (
        "payload is not acceptable JSON: "
        f"arrays and objects nest deeper than {_token.MAX_DEPTH} levels"
    )


def test_nesting_too_deep_for_the_json_parser_is_rejected() -> None:
    raw = b'{"a":' + b"[" * 20000 + b"]" * 20000 + b"}"
    assert str(malformed(make_token(payload=raw), 200_000)) == "payload is not valid JSON"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"sub":"\\ud800"}', id="lone-high"),
        pytest.param(b'{"sub":"\\udfff"}', id="lone-low"),
        pytest.param(b'{"sub":"\\ude00\\ud83d"}', id="reversed-pair"),
        pytest.param(b'{"sub":"x\\ud83dx"}', id="high-then-letter"),
        pytest.param(b'{"\\ud800":1}', id="in-a-member-name"),
        pytest.param(b'{"groups":["ok","\\udc80"]}', id="in-an-array"),
        pytest.param(b'{"a":{"b":"\\ud800"}}', id="nested"),
    ],
)
@pytest.mark.parametrize("where", ["header", "payload"])
def test_escaped_unpaired_surrogates_are_rejected(raw: bytes, where: str) -> None:
    token = make_token(header=raw) if where == "header" else make_token(payload=raw)
    message = str(malformed(token))
    assert message == f"{where} is not acceptable JSON: string with an unpaired surrogate"


def test_escaped_surrogate_pairs_and_non_ascii_text_are_accepted() -> None:
    raw = '{"name":"\\ud83d\\ude00 Zoë \\u00e9","ключ":"значение"}'.encode()
    payload = _token.parse(make_token(payload=raw), LIMIT).payload
    assert payload == {"name": "\U0001f600 Zoë é", "ключ": "значение"}


@pytest.mark.parametrize("error", [MalformedTokenError, JWKSFormatError])
def test_loads_strict_raises_the_class_it_is_given(error: type[Exception]) -> None:
    assert _token.loads_strict(b' {"a": [1, {"b": null}]} ', "doc", error) == {
        "a": [1, {"b": None}]
    }
    with pytest.raises(error, match=r"^doc is not acceptable JSON: duplicate member name 'a'$"):
        _token.loads_strict(b'{"a":1,"a":1}', "doc", error)
    with pytest.raises(error, match=r"^doc is a JSON list, not an object$"):
        _token.loads_strict(b"[]", "doc", error)


# --------------------------------------------------------------------------- header


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(header_with(alg="none"), id="none"),
        pytest.param(header_with(alg="None"), id="None"),
        pytest.param(header_with(alg="NONE"), id="NONE"),
        pytest.param(header_with(alg="nOnE"), id="nOnE"),
        pytest.param(header_with(alg="HS256"), id="HS256"),
        pytest.param(header_with(alg="RS384"), id="RS384"),
        pytest.param(header_with(alg="RS512"), id="RS512"),
        pytest.param(header_with(alg="PS256"), id="PS256"),
        pytest.param(header_with(alg="ES256"), id="ES256"),
        pytest.param(header_with(alg="rs256"), id="lower-case"),
        pytest.param(header_with(alg="RS256 "), id="trailing-space"),
        pytest.param(header_with(alg=""), id="empty"),
        pytest.param(header_with(alg=None), id="null"),
        pytest.param(header_with(alg=256), id="number"),
        pytest.param(header_with(alg=["RS256"]), id="list"),
        pytest.param(header_with(alg={"name": "RS256"}), id="object"),
        pytest.param(header_without("alg"), id="missing"),
    ],
)
def test_any_alg_but_rs256_is_an_invalid_signature(header: dict[str, Any]) -> None:
    with pytest.raises(InvalidSignatureError) as info:
        _token.parse(make_token(header=header), LIMIT)
    assert type(info.value) is InvalidSignatureError
    assert "only RS256" in str(info.value)


def test_alg_none_without_a_signature_is_rejected_too() -> None:
    unsigned = f"{encode(header_with(alg='none'))}.{encode(PAYLOAD)}."
    malformed(unsigned)
    with pytest.raises(InvalidSignatureError):
        _token.parse(unsigned + "AA", LIMIT)


def test_an_unacceptable_alg_is_shown_shortened_and_escaped() -> None:
    with pytest.raises(InvalidSignatureError) as info:
        _token.parse(make_token(header=header_with(alg="none\r\n" + "x" * 5000)), LIMIT)
    message = str(info.value)
    assert "\r" not in message
    assert "\n" not in message
    assert "'none\\r\\nxxx" in message
    assert "x" * 100 not in message
    assert len(message) < 150


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param(header_without("kid"), "header has no kid", id="missing"),
        pytest.param(header_with(kid=None), "header has no kid", id="null"),
        pytest.param(header_with(kid=1), "kid is not a string", id="int"),
        pytest.param(header_with(kid=True), "kid is not a string", id="bool"),
        pytest.param(header_with(kid=["key-1"]), "kid is not a string", id="list"),
        pytest.param(header_with(kid={"id": "key-1"}), "kid is not a string", id="object"),
        pytest.param(header_with(kid=""), "1 to 256 characters", id="empty"),
        pytest.param(header_with(kid="k" * 257), "1 to 256 characters", id="257-chars"),
        pytest.param(header_with(kid="k" * 10240), "1 to 256 characters", id="10kB"),
    ],
)
def test_kid_must_be_a_string_of_1_to_256_characters(header: dict[str, Any], reason: str) -> None:
    assert reason in str(malformed(make_token(header=header)))


@pytest.mark.parametrize("kid", ["k", "k" * 256, "abc/def+ghi=", "ключ", "a b"])
def test_kids_of_1_to_256_characters_are_accepted(kid: str) -> None:
    assert _token.parse(make_token(header=header_with(kid=kid)), LIMIT).kid == kid


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("crit", ["exp"]),
        ("jku", "https://evil.example/jwks.json"),
        ("x5u", "https://evil.example/cert.pem"),
        ("jwk", {"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
        ("x5c", ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]),
        ("cty", "JWT"),
        ("zip", "DEF"),
        ("crit", None),
        ("jku", ""),
    ],
)
def test_headers_that_name_keys_or_change_reading_are_rejected(name: str, value: object) -> None:
    message = str(malformed(make_token(header=header_with(**{name: value}))))
    assert message == f"header carries forbidden parameter(s) {name}"


def test_every_forbidden_header_is_named() -> None:
    header = header_with(zip="DEF", jku="https://evil.example", crit=[])
    message = str(malformed(make_token(header=header)))
    assert message == "header carries forbidden parameter(s) crit, jku, zip"


def test_the_header_is_checked_before_the_payload_is_read() -> None:
    with pytest.raises(InvalidSignatureError):
        _token.parse(make_token(header=header_with(alg="none"), payload=b"not json"), LIMIT)
    assert "header" in str(malformed(make_token(header=header_with(jku="x"), payload=b"[]")))


# --------------------------------------------------------------------------- messages

_BAD_TOKENS = [
    pytest.param(make_token() + "\n", id="trailing-newline"),
    pytest.param(make_token() + "." + _S + "." + _S, id="five-segments"),
    pytest.param(make_token(header=header_with(alg="none")), id="alg-none"),
    pytest.param(make_token(header=header_with(jku="https://evil.example")), id="jku"),
    pytest.param(make_token(header=header_with(kid="")), id="empty-kid"),
    pytest.param(make_token(payload=b'{"exp":1,"exp":2}'), id="duplicate"),
    pytest.param(make_token(payload=b"[1]"), id="array"),
    pytest.param(make_token(payload=b'{"e":' + b"1" * 5000 + b"}"), id="huge-int"),
    pytest.param(make_token(signature=SIGNATURE + b"\x00")[:-1] + "B", id="non-canonical"),
    pytest.param(make_token(payload={**PAYLOAD, "pad": "x" * LIMIT}), id="too-big"),
]


@pytest.mark.parametrize("token", _BAD_TOKENS)
def test_messages_never_contain_the_token_or_its_signature(token: str) -> None:
    with pytest.raises(CognitoJWTError) as info:
        _token.parse(token, LIMIT)
    error = info.value
    shown = str(error) + repr(error) + repr(vars(error))
    signature = token.rstrip("\n").split(".")[2]
    assert token.strip() not in shown
    assert signature[:16] not in shown
    for segment in token.strip().split("."):
        if len(segment) >= 16:
            assert segment not in shown
    assert len(str(error)) < 200


def test_oversized_bytes_are_refused_before_they_are_decoded() -> None:
    class Huge(bytes):
        def decode(self, *args: Any, **kwargs: Any) -> str:  # pragma: no cover - must not run
            raise AssertionError("decoded")

    assert "over the 10 limit" in str(malformed(Huge(b"a" * 11), 10))
