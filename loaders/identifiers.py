"""Normalisation of shared identifiers: phones, e-mails, addresses, IPs, document hashes.

Shared identifiers are the pivots that link entities ("these two firms share a phone"),
so two spellings of one number or one address must become one value, and therefore one
node. Every function here is pure: text in, normalised text out, or :class:`ValueError`
with a reason the loaders copy into their rejects file.

Phones end up as digits in national form for China (mobiles as 11 digits starting with 1,
landlines with their trunk ``0``) and as digits with the country code for every other
country::

    >>> normalise_phone("+86 138-0000-0000") == normalise_phone("13800000000") == "13800000000"
    True
    >>> normalise_phone("+86 (10) 6512.3456") == normalise_phone("86 10 6512 3456") == "01065123456"
    True
    >>> normalise_phone("+44 20 7946 0958")
    '442079460958'

A number in national form is read in its party's country where the loader knows it
(:mod:`loaders.countries`)::

    >>> normalise_phone("021 661234", country="PY") == normalise_phone("+595 21 661 234") == "59521661234"
    True
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

import phonenumbers

__all__ = [
    "address_county",
    "address_locality",
    "normalise_locality",
    "normalise_address",
    "normalise_document_hash",
    "normalise_email",
    "normalise_ip",
    "normalise_phone",
    "normalise_phones",
]

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]+")
_CHINA = "86"
_CHINA_REGION = "CN"
_MIN_PHONE_DIGITS = 5
_MAX_PHONE_DIGITS = 15  # ITU-T E.164
# Trailing punctuation an address may end with; NFKC has already turned full-width
# commas, colons and semicolons into their ASCII forms, but not the ideographic ones.
_ADDRESS_TRAILING = ".,;:!?、。，；：・ "
# local@domain.tld: no blank, quote, bracket, comma, semicolon or second @ anywhere, a dot in the domain (letters
# of any script: 中文.cn is a domain)
_EMAIL = re.compile(r"[^@\s\"'<>()\[\],;:]+@[^@\s\"'<>()\[\],;:.]+(?:\.[^@\s\"'<>()\[\],;:.]+)+")
# quotes a copied value comes wrapped in (a spreadsheet's text quote ' in front, typographic quotes around)
_QUOTES = "'\"‘’“”「」『』"
# a comment after an address, as RFC 5322 allows and contact lists write one: a@163.com(张经理), a@163.com （王）
_TRAILING_COMMENT = re.compile(r"\s*\([^()]*\)$")
# what separates the numbers of a cell that holds several (after NFKC, which reads ，and ；as , and ;)
_NUMBER_LIST = re.compile(r"\s*[/,;、\n]\s*")
# an area code written before its number with a slash: 010/12345678 is one number
_AREA_CODE = re.compile(r"\(?0\d{1,3}\)?")
# an extension after the number: 转 8, 分机 801, ext. 12, x12
_EXTENSION = re.compile(r"\s*(?:转|轉|分机|分機|ext\.?|extension|x)\s*\d{1,6}$", re.IGNORECASE)
# how a spreadsheet writes a long number it read as one: 13800000000.0
_SPREADSHEET_FLOAT = re.compile(r"(\d{5,})\.0+")
#: document hashes that name no document: the digest of an empty file (MD5, SHA-1, SHA-256), which every bid
#: without an attachment would share
EMPTY_FILE_HASHES = frozenset({
    "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
})


def _visible(raw: str) -> str:
    """``raw`` in Unicode NFKC without the characters nobody sees (format characters such as a zero-width
    space or a bidi mark, variation selectors), which would make one phone, e-mail, address or hash two
    values that look the same."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in text if unicodedata.category(c) != "Cf" and ord(c) not in _INVISIBLE)


def normalise_phone(raw: str, country: str | None = None) -> str:
    """Digits of a phone number in the form used to match numbers across sources.

    Full-width digits are folded (NFKC) and spaces, dashes, dots, slashes and
    parentheses dropped. Where the party's ``country`` is known (ISO 3166-1 alpha-2,
    :func:`loaders.countries.country_code`) and is not China, the number is read as
    that country writes it (``phonenumbers``, Google's libphonenumber: trunk prefix,
    international call prefix, a ``(0)`` after the country code), so that
    ``021 661234`` of a Paraguayan firm is ``+595 21 661 234``, ``59521661234``; a
    number that is not a possible one there is read as below. An international prefix (``+`` or ``00``) is removed together
    with the Chinese country code 86: an 11-digit mobile starting with 1 stays as is, a
    landline gets the national trunk prefix 0. Other countries keep their country code.
    A bare ``86`` (no ``+``) is read as the country code only when a mainland number
    follows it: an 11-digit mobile, or a landline without its trunk 0 — a two-digit area
    code (10, 2x) and 8 digits, or a three-digit one (3xx–9xx) and 7 or 8 digits — so
    ``86 10 6512 3456`` is ``01065123456`` as ``+86 10 6512 3456`` is; other numbers
    starting with 86 stay as they are.

    What a copied cell brings is dropped first: invisible characters, quotes around it, an
    extension after it (``010-12345678 转 8``, ``ext. 12``: firms share the switchboard's
    number) and the ``.0`` a spreadsheet writes after a number it read as one
    (``13800000000.0``).

    Raises ValueError when what remains is not a plausible number (letters, too few or
    too many digits, only zeros: exports write ``0`` or ``000000`` for "none"), and when the
    cell holds several numbers (``8888888/8888889``), which would otherwise run together
    into one that belongs to nobody.
    """
    text = _visible(raw).strip().strip(_QUOTES).strip()
    if len(_numbers_in(text)) > 1:
        raise ValueError("not a phone number: several numbers in one cell (normalise_phones reads each)")
    text = _EXTENSION.sub("", text)  # the switchboard's number is the one firms share
    if float_written := _SPREADSHEET_FLOAT.fullmatch(text):
        text = float_written.group(1)
    text = _PHONE_SEPARATORS.sub("", text)
    if not text.removeprefix("+").isascii() or not text.removeprefix("+").isdigit():
        raise ValueError("not a phone number: only digits, spaces, + - . ( ) / are allowed")
    if not text.strip("+0"):
        raise ValueError("not a phone number: only zeros (a placeholder for none)")
    # a number written with + or 00, read as +…; a country code and then zeros, whatever the party's
    # country, is a placeholder
    dialled = _parsed("+" + text[2:] if text.startswith("00") else text, None) if text.startswith(("+", "00")) \
        else None
    if dialled is not None and dialled.national_number == 0:
        raise ValueError("not a phone number: only zeros after the country code (a placeholder for none)")
    if country and country.upper() != _CHINA_REGION:
        text = _international(text, country.upper(), dialled) or text
    international = False
    if text.startswith("+"):
        text, international = text[1:], True
    elif text.startswith("00"):
        text, international = text[2:], True
    if not text.isascii() or not text.isdigit():
        raise ValueError("not a phone number: only digits, spaces, + - . ( ) / are allowed")
    if international and text.startswith(_CHINA):
        national = text[len(_CHINA):]
        text = national if _is_china_mobile(national) else "0" + national.lstrip("0")
    elif not international and text.startswith(_CHINA):
        national = text[len(_CHINA):]
        if _is_china_mobile(national):
            text = national
        elif _is_china_landline(national):
            text = "0" + national
    if not _MIN_PHONE_DIGITS <= len(text) <= _MAX_PHONE_DIGITS:
        raise ValueError(f"not a phone number: {len(text)} digits")
    return text


def _numbers_in(text: str) -> list[str]:
    """The numbers a phone cell's text holds: itself, or its parts where a slash, comma, semicolon, 、 or a line
    break separates several (an area code before a slash is part of its number)."""
    parts = [part for part in _NUMBER_LIST.split(text) if part]
    if len(parts) == 2 and _AREA_CODE.fullmatch(parts[0]):
        return [text]
    return parts if len(parts) > 1 else [text]


def normalise_phones(raw: str, country: str | None = None) -> list[str]:
    """Every number of a phone cell, which may hold several (``0931-8888888/13800000000``, ``138…；139…``,
    one per line), each as :func:`normalise_phone` reads it, in the cell's order without repeats; a cell of
    one number gives that one. Raises ValueError when one of them is no phone number, naming it."""
    text = _visible(raw).strip().strip(_QUOTES).strip()
    parts = _numbers_in(text)
    if len(parts) == 1:
        return [normalise_phone(raw, country)]
    numbers = []
    for part in parts:
        try:
            numbers.append(normalise_phone(part, country))
        except ValueError as error:
            raise ValueError(f"{error} (in {part!r}, one of the cell's numbers)") from None
    return list(dict.fromkeys(numbers))


def _international(text: str, country: str, dialled: phonenumbers.PhoneNumber | None) -> str | None:
    """``+`` and the E.164 digits of ``text`` read in ``country``, or None where it is no possible
    number there (or the country is unknown to libphonenumber). ``dialled`` is ``text`` read as
    ``+…`` where it starts with ``+`` or ``00`` (else None): a ``+`` number is that, and a ``00``
    number too where it is a valid one — ``00`` is the international prefix of most of the world,
    and libphonenumber would read it with the country's own prefix (Colombia's ``0057 601 …`` as
    a +7 number, Japan's as a national one)."""
    number = dialled if dialled is not None and (text.startswith("+") or phonenumbers.is_valid_number(dialled)) \
        else _parsed(text, country)
    if number is None:
        return None
    if number.national_number == 0:
        raise ValueError("not a phone number: only zeros after the country code (a placeholder for none)")
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parsed(text: str, country: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None


def _is_china_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits.startswith("1")


def _is_china_landline(digits: str) -> bool:
    """A mainland landline written without its trunk 0: area code 10 or 2x and 8 digits (10 in
    all), or a three-digit area code 3xx–9xx and 7 or 8 digits (10 or 11)."""
    if digits.startswith(("10", "2")):
        return len(digits) == 10
    return len(digits) in (10, 11) and digits[0] in "3456789"


def normalise_email(raw: str) -> str:
    """Trimmed, lower-cased e-mail address; ValueError when it is not ``local@domain``.

    The wrappings a copied address brings are dropped: angle brackets (``<foo@example.com>``),
    a ``mailto:`` link prefix, quotes around it (a spreadsheet's ``'`` in front), a comment in
    brackets after it (``a@163.com(张经理)``), invisible characters, and an ideographic full stop
    is a dot (``a@163。com``). What is left must be ``local@domain.tld`` with no blank, quote,
    bracket, comma or semicolon.
    """
    text = _visible(raw).strip().strip(_QUOTES).strip().lower()
    text = _TRAILING_COMMENT.sub("", text)
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    text = text.removeprefix("mailto:").strip().replace("。", ".").rstrip(".")
    if not _EMAIL.fullmatch(text):
        raise ValueError("not an e-mail address")
    return text


# a space with a CJK ideograph (or CJK punctuation) on either side
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")


def normalise_address(raw: str) -> str:
    """Postal address folded for matching.

    Unicode NFKC (full-width letters, digits, spaces and punctuation become half-width),
    runs of whitespace collapsed to one space, Latin letters lower-cased, leading and
    trailing whitespace and trailing punctuation (``.,;:!?`` and their CJK forms)
    removed. Whitespace next to a CJK character is dropped, since Chinese addresses are
    written without spaces (``云岩区 沙冲路 197号`` = ``云岩区沙冲路197号``), while
    spaces between Latin words and numbers stay; characters nobody sees (a zero-width space) are
    dropped. Raises ValueError when nothing is left.
    """
    text = _visible(raw)
    text = " ".join(text.split()).lower()
    text = _CJK_SPACE.sub("", text).rstrip(_ADDRESS_TRAILING).strip()
    if not text:
        raise ValueError("empty address")
    return text


# The head of a Chinese address (GB/T 2260 names): an optional province-level unit, an optional
# prefecture-level one (a municipality is often written twice, 上海市上海市), an address picker's
# placeholder for a level that is skipped, then the county-level unit whose name ends the match.
_HAN = "\u4e00-\u9fff"
_LEADING = re.compile(f"^[^{_HAN}]+")  # a postcode, a bracket, Latin text before the divisions
_SEPARATORS = re.compile(r"[\s\-–—,，、/·・:：;；()（）\[\]【】]+")  # between the levels (digits end the head)
_LABEL = re.compile("^(?:中华人民共和国|中国)?(?:(?:通讯|通信|注册|办公|经营|联系)?地址)?")
_PROVINCE = f"(?P<province>[{_HAN}]{{2,8}}?(?:省|自治区|特别行政区))?"
_PREFECTURE = f"(?:(?P<city>[{_HAN}]{{2,9}}?(?:市(?!场)|自治州|地区|盟))(?P=city)?)"
_COUNTY = re.compile(
    f"{_PROVINCE}{_PREFECTURE}?"
    f"(?P<placeholder>省直辖县级行政区划|自治区直辖县级行政区划|市辖区|县(?=[{_HAN}]{{1,9}}?县))?"
    f"(?P<county>[{_HAN}]{{1,9}}?(?:自治县|自治旗|新区|林区|特区|区|県|縣|區|县|旗|市(?!场)))")
_CITY = re.compile(f"{_PROVINCE}{_PREFECTURE}")
# a match ending so is a residential compound, campus or park, not a division
_NOT_DIVISIONS = ("小区", "社区", "园区", "校区", "景区", "营区", "厂区")


def _head(address: str) -> str:
    text = unicodedata.normalize("NFKC", address)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")  # a zero-width space
    text = _SEPARATORS.sub("", text)
    return _LABEL.sub("", _LEADING.sub("", text), count=1)


def address_county(address: str) -> str | None:
    """The county-level division a Chinese address names at its head (区, 县, 旗, or a 市 after its
    prefecture), as written: ``甘肃省兰州市西固区东山路459号`` → ``西固区``, ``广西壮族自治区南宁市横州市北京路1号``
    → ``横州市``, ``七里河区建兰路2号`` → ``七里河区``. A postcode, ``中国`` or an ``地址:`` label before it,
    separators between the levels (``甘肃省-兰州市-西固区``) and an address picker's placeholders
    (``天津市市辖区和平区``, ``湖北省省直辖县级行政区划仙桃市``) are passed over. None when the address names
    no county-level unit at its head: a Latin address, one naming only its city (``兰州市东山路1号``: a
    市 with nothing before it is read as the city), a residential compound (``阳光小区3栋``). A level
    written without its 省/市 (``兰州西固区``) stays in the name: without a gazetteer nothing tells
    where the city's name ends; and a development zone is a county-level unit only when no county-level
    city precedes it (``苏州市昆山市花桥经济开发区`` → ``昆山市``).
    """
    return _county(_head(address))


def _county(head: str) -> str | None:
    match = _COUNTY.match(head)
    if match is None or match["county"].endswith(_NOT_DIVISIONS):
        return None
    county = match["county"]
    if county.endswith("市") and not (match["city"] or match["placeholder"]):
        return None  # 兰州市 or 甘肃省兰州市 at the head: the city, not one of its divisions
    return county


def address_locality(address: str) -> str | None:
    """Where a firm at ``address`` is based, for closeness's territories: the county-level division
    its head names (:func:`address_county`), else the city it names (``南宁市民族大道100号`` →
    ``南宁市``, ``广东省东莞市长安镇…`` → ``东莞市``, a city without districts), else None (a Latin address:
    its locality has no one place in free text; give it in its own column).

    Officials of a city bureau often work territories (a district each), so where a firm is
    based bears on how often an official deals with it (:mod:`detectors.closeness`).
    """
    head = _head(address)
    county = _county(head)
    if county is not None:
        return county
    city = _CITY.match(head)
    return city["city"] if city else None


# characters that show nothing of their own, besides the control and format ones (Cc, Cf)
_INVISIBLE = frozenset({0x034F, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)})


def normalise_locality(raw: str) -> str:
    """A locality given in a field of its own (a column, OCDS ``address.locality``), folded as an
    address is (NFKC, whitespace collapsed and dropped next to CJK) so that one place is one value;
    ValueError when nothing is left or it holds a character nobody can see (``西固区\u200b`` or a
    variation selector would be another place that looks the same)."""
    text = _CJK_SPACE.sub("", " ".join(unicodedata.normalize("NFKC", raw).split()))
    if not text:
        raise ValueError("empty locality")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf") or ord(char) in _INVISIBLE:
            raise ValueError(f"locality holds an invisible character (U+{ord(char):04X})")
    return text


_WITH_PORT = re.compile(r"(?P<v4>\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}|\[(?P<v6>[0-9a-fA-F:.]+)\](?::\d{1,5})?")


def normalise_ip(raw: str) -> str:
    """Canonical text of an IPv4 or IPv6 address (IPv6 compressed, lower case).

    A port a server log writes after it goes (``1.2.3.4:8080``, ``[2001:db8::1]:443``), and an IPv4
    address in IPv6 form (``::ffff:192.168.1.1``, as a server listening on IPv6 logs it) is the IPv4
    address, so one computer is one value. Raises ValueError for what names no bidder's computer: the
    unspecified address (``0.0.0.0``, ``::``: a placeholder) and a loopback one (``127.0.0.1``, ``::1``:
    the platform's own machine), which every bid would otherwise share."""
    text = _visible(raw).strip()
    if port := _WITH_PORT.fullmatch(text):
        text = port.group("v4") or port.group("v6")
    try:
        address = ipaddress.ip_address(text)
    except ValueError as error:
        raise ValueError("not an IP address") from error
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        raise ValueError(f"{address.compressed} is the unspecified address (a placeholder), not a bidder's")
    if address.is_loopback:
        raise ValueError(f"{address.compressed} is a loopback address (the platform's own machine), not a bidder's")
    return address.compressed


def normalise_document_hash(raw: str) -> str:
    """Trimmed, lower-cased hash (hex digests compare case-insensitively), without quotes around it or
    invisible characters. ValueError for what names no document: zeros alone (``0``, a placeholder) and
    the digest of an empty file (:data:`EMPTY_FILE_HASHES`), which every bid without an attachment shares."""
    text = _visible(raw).strip().strip(_QUOTES).strip().lower()
    if not text or any(ch.isspace() for ch in text):
        raise ValueError("a document hash is one word")
    if not text.strip("0"):
        raise ValueError("not a document hash: only zeros (a placeholder for none)")
    if text in EMPTY_FILE_HASHES:
        raise ValueError("the hash of an empty file: it names no document")
    return text
