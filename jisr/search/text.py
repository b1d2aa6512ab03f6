"""What the engine matches: folded words, name keys across scripts, normalised identifiers.

Folding is done here, in Python, the same way for what is indexed and for what is typed, so the
two engines see the same tokens (SQLite's ``unicode61`` and PostgreSQL's ``simple`` parser
only split them): case folded, accents and Arabic vowel marks removed, Arabic letter variants
unified (alef forms, alef maqsura, teh marbuta, Persian kaf and yeh).

Names are also filed under the keys the screening engine compares people by (its phonetic
skeletons, ``jisr.screening.names``), so ``يوسف العمراني`` finds ``Youssef El Amrani``.
Identifiers are normalised to one spelling: a phone in any format to E.164 (``phonenumbers``,
national numbers read in the owner's country), an IBAN checked and without spaces, a document
or account number as its letters and digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import phonenumbers

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans(
    {
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u06cc": "\u064a",  # Persian yeh
        "\u06a9": "\u0643",  # Persian kaf
        "\u0671": "\u0627",  # alef wasla
    }
)
_WORD = re.compile(r"[^\W_]+")
_IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_SQUASH = re.compile(r"[\s./-]+")
_IDENTIFIER = re.compile(r"^(?=.*[0-9])[A-Z0-9]{5,34}$")
# A document's searchable text is cut here: enough for every word an officer would type.
MAX_TERMS_CHARS = 20_000


def fold(text: str) -> str:
    """``text`` case-folded, without accents or Arabic vowel marks, letter variants unified."""
    decomposed = unicodedata.normalize("NFKD", _ARABIC_MARKS.sub("", text))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept).translate(_LETTERS).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return _WORD.findall(fold(text))


def terms(texts: Iterable[str], limit: int = MAX_TERMS_CHARS) -> str:
    """Folded words of ``texts`` as one space-separated string, at most ``limit`` characters."""
    # A long text is cut before folding: a 3 MB body costs no more than its first pages.
    joined = " ".join(w for t in texts if t for w in words(t[: limit * 2]))
    return joined[:limit].rsplit(" ", 1)[0] if len(joined) > limit else joined


def name_keys(name: str) -> list[str]:
    """The screening engine's phonetic skeletons of a person's name, as index words."""
    from jisr.screening.names import analyze_name

    try:
        form = analyze_name(name)
    except Exception:  # noqa: BLE001 - a name it cannot read is simply not filed by sound
        return []
    keys = ("k" + re.sub(r"[^0-9a-z]", "", s.casefold()) for s in form.skeletons)
    return [k for k in keys if len(k) > 1]


def names_terms(names: Iterable[str]) -> str:
    keys: dict[str, None] = {}
    for name in names:
        keys.update(dict.fromkeys(name_keys(name)))
    return " ".join(keys)


def looks_like_name(text: str) -> bool:
    """Whether to look ``text`` up by sound: two words or more, or one in a non-Latin script."""
    found = _WORD.findall(text)
    if not found or any(ch.isdigit() for ch in text):
        return False
    return len(found) >= 2 or any(ord(ch) > 0x24F for ch in "".join(found))


def phone(value: str, region: str | None) -> str | None:
    """``value`` as an E.164 number without the ``+`` (a national number read in ``region``)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def iban(value: str) -> str | None:
    compact = re.sub(r"\s+", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return None
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return compact.casefold() if int(digits) % 97 == 1 else None


def document_number(value: str) -> str | None:
    """A document, account or registration number as its letters and digits (one with a
    digit, 5 to 34 long), or None."""
    compact = _SQUASH.sub("", value).upper()
    return compact.casefold() if _IDENTIFIER.match(compact) else None


def identifiers_in(text: str, region: str | None) -> list[str]:
    """Phones and IBANs written in free text, normalised."""
    found: dict[str, None] = {}
    for match in phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=1):
        found[phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)[1:]] = (
            None
        )
    for written in _IBAN.finditer(text.upper()):
        if (value := iban(written.group())) is not None:
            found[value] = None
    return list(found)


def query_identifiers(text: str, region: str | None) -> list[str]:
    """What a typed query is, read as one identifier: a phone, an IBAN, a document number."""
    found: list[str] = []
    for value in (iban(text), document_number(text)):
        if value is not None and value not in found:
            found.append(value)
    if sum(ch.isdigit() for ch in text) >= 6 and re.fullmatch(r"[0-9+()./ -]+", text.strip()):
        number = phone(text, region)
        if number is not None and number not in found:
            found.append(number)
    return found
