"""Redaction of personal data in customer comments before anything is published.

`redact` replaces e-mail addresses, phone numbers, Finnish personal identity codes
(henkilötunnus), IBANs and payment card numbers with `[redacted]`, and leaves the ordinary
numbers customers write alone: prices, years, dates, times, scores and order numbers of up to
eight digits.

Matching runs on a folded copy of the text, one character for one, so that the patterns see
ASCII where a comment has a lookalike: any space separator (no-break, narrow no-break, thin) is
a space, any dash (hyphen, en dash, the minus sign) is `-`, fullwidth forms and other scripts'
digits are their ASCII selves. What is found is cut from the original text by position, so the
rest of a comment keeps its own characters.

The patterns are compiled once and written so that the regex engine cannot backtrack
catastrophically (possessive quantifiers, look-behinds that only let a match start at the
beginning of a word); the checks regular expressions express badly (digit counts, Luhn, card
grouping) run in Python on the few candidates found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["REDACTED", "luhn_valid", "redact", "redact_all"]

REDACTED = "[redacted]"

_MASK = "\ue000"
"""Stands in, character for character, for what was found: the later patterns do not match it
(it is neither a word character nor a digit), and its runs are where REDACTED goes."""
_MASKED = re.compile(f"{_MASK}+")


def _folded(code: int) -> int:
    char = chr(code)
    if 0xFF01 <= code <= 0xFF5E:  # fullwidth ASCII: ＠, ０–９, Ａ–Ｚ
        return code - 0xFEE0
    if char == _MASK:
        return 0xFFFD  # so that only what redaction masks reads as masked
    if code == 0xFE6B:  # small commercial at
        return ord("@")
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return ord(str(digit))
    category = unicodedata.category(char)
    if category == "Zs":
        return ord(" ")
    if category == "Pd" or code == 0x2212:  # dashes, and the minus sign
        return ord("-")
    return code


_FOLD = {code: _folded(code) for code in range(0x80, 0x10000) if _folded(code) != code}
"""The folding table of the Basic Multilingual Plane, found once by asking `_folded` (a few
milliseconds); characters beyond it are added when a text brings them."""


def _class(codes: list[int]) -> str:
    ranges, start = [], codes[0]
    for previous, code in zip(codes, [*codes[1:], -1], strict=True):
        if code != previous + 1:
            ranges.append(f"\\u{start:04x}" + (f"-\\u{previous:04x}" if previous > start else ""))
            start = code
    return "".join(ranges)


_FOLDABLE = re.compile(f"[{_class(sorted(_FOLD))}\\U00010000-\\U0010ffff]")
"""A character `_FOLD` changes, or one beyond the Basic Multilingual Plane (which may be a
digit of another script). Most comments hold none, and are then matched as they are."""


def _fold(text: str) -> str:
    """`text` folded, character for character (see the module's docstring)."""
    if text.isascii():
        return text
    # a substitution per foldable character: most comments have none or a few, and
    # `str.translate` would look up every character
    return _FOLDABLE.sub(_fold_char, text)


def _fold_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    folded = _FOLD.get(code)
    if folded is None:  # beyond the Basic Multilingual Plane
        folded = _FOLD[code] = _folded(code)
    return chr(folded)


def _mask(match: re.Match[str]) -> str:
    return _MASK * (match.end() - match.start())


# Each pattern starts with a plain character class, which lets the regex engine skip ahead to
# the next possible start instead of trying every position; the "not inside a word" test comes
# right after it as a look-behind over that first character.
_EMAIL = re.compile(
    r"(?:[\w.%+-](?<![\w.%+-][\w.%+-])[\w.%+-]*+|\"[^\"\n@]{1,64}\")@[\w-]+(?:\.[\w-]+)+"
)

# DDMMYY, century sign, individual number NNN, check character. Any check character is taken:
# a mistyped identity code is still someone's identity code.
_HETU = re.compile(
    r"[0-3](?<!\w[0-3])(?:(?<=0)[1-9]|(?<=[12])\d|(?<=3)[01])(?:0[1-9]|1[0-2])\d\d"
    r"[-+A-FYXWVU]\d{3}[0-9A-Z](?!\w)",
    re.IGNORECASE,
)

# Country code, check digits, then the account in groups of four (spaces optional) with a
# shorter last group; the length of 11–30 characters is checked on the candidate.
_IBAN = re.compile(
    r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}+(?: ?[A-Z0-9]{1,4})?(?!\w)",
    re.IGNORECASE,
)

# A run of digit groups joined by single spaces or dashes, with at least 13 digits in it.
_DIGIT_RUN = re.compile(r"\d(?<!\w\d)(?=(?:[ -]?\d){12})\d*+(?:[ -]\d++)*+")
_DIGITS = re.compile(r"\d+")

# A number that may be a phone number: "+" (international), or a leading zero (a Finnish
# area or operator code, or the 00 international prefix), optionally in parentheses.
# Also "(+358) 40 …" and the Finnish country code written bare, "358401234567"; groups may be
# joined by a space, a dash, a dot or a slash ("040.123.4567", "040/123 4567").
_PHONE = re.compile(
    r"(?:\+(?<![\w+]\+) ?\d++|\(\+(?<![\w+]\(\+)\d{1,3}\)|\((?<![\w+]\()(?=0\d)\d++\)?"
    r"|0(?<![\w+]0)\d++\)?|358(?<![\w+]358)\d*+)"
    r"(?:[ -]?\(\d{1,4}\)\d*+)?(?:[ ./-]\d++)*+"
)
_INTERNATIONAL_DIGITS = (8, 15)  # after "+" or "00": E.164 allows at most 15
_BARE_358_MIN_DIGITS = 10  # 358 and at least seven digits: shorter runs are order numbers
_NATIONAL_MAX_DIGITS = 12
# A date written with dots or slashes reads like groups of a number with a leading zero
# ("01.02.2026 10.00"); one is skipped as a whole.
_DATE = re.compile(r"\d{1,2}([./])\d{1,2}\1(?:19|20)\d\d(?!\d)")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _iban(match: re.Match[str]) -> str:
    text = match.group()
    if _is_iban(text):
        return _MASK * len(text)
    # The groups may have run on into a word that follows the number and cannot be one of
    # its groups: a lower-case word ("... AAAA y"), which fails the lower-case rule as a
    # whole, or a longer run of digits ("... 0000 0000000"), which makes it too long. Such
    # words are dropped from the end and kept; a group of four is part of the number (a
    # longer run of groups is left to the card rule).
    head, kept = text, ""
    while " " in head:
        head, _, tail = head.rpartition(" ")
        if len(tail) <= 4 and tail == tail.upper():
            break
        kept = f" {tail}{kept}"
        if _is_iban(head):
            return f"{_MASK * len(head)}{kept}"
    return text


def _is_iban(text: str) -> bool:
    account = text[4:].replace(" ", "")
    if not 11 <= len(account) <= 30:
        return False
    # Upper-case input is taken on its shape alone; typed in lower case, words like
    # "ab12 this that over" would fit it, so then most of the account must be digits.
    return text == text.upper() or sum(c.isdigit() for c in account) * 2 >= len(account)


# Card numbers are printed 4-4-4-4 (and 4-4-4-4-3 for 19 digits, 4-6-5 / 4-6-4 for American
# Express and Diners). Grouped like that, a number is redacted even when its Luhn check fails: a
# mistyped card number still identifies the card holder's account, and nothing else customers
# write comes in that shape. Other 13–19 digit numbers are redacted only when the Luhn check
# passes, which keeps long reference and tracking numbers mostly readable.
_CARD_GROUPS = {
    (4, 4, 4, 4),
    (4, 4, 4, 4, 1),
    (4, 4, 4, 4, 2),
    (4, 4, 4, 4, 3),
    (4, 6, 5),
    (4, 6, 4),
}


def _card_window(runs: list[str], start: int, stop: int, shaped: bool) -> tuple[int, int] | None:
    """The first window of consecutive digit groups in runs[start:stop] that reads as a card."""
    for i in range(start, stop):
        if runs[i][0] == "0":  # no card number starts with 0 (ISO/IEC 7812)
            continue
        windows: list[tuple[int, str, tuple[int, ...]]] = []
        digits, lengths = "", tuple[int, ...]()
        for j in range(i, stop):
            digits += runs[j]
            lengths += (len(runs[j]),)
            if len(digits) > 19:
                break
            if len(digits) >= 13:
                windows.append((j, digits, lengths))
        for j, digits, lengths in reversed(windows):
            if shaped:
                if lengths in _CARD_GROUPS or (len(lengths) == 1 and luhn_valid(digits)):
                    return i, j
            # Phone numbers come in groups of 2–3 digits; card numbers do not.
            elif min(lengths[:-1], default=4) >= 4 and luhn_valid(digits):
                return i, j
    return None


def _card_spans(matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Where card numbers lie among the digit groups of one candidate.

    Card-shaped windows are taken first, so a number written next to a card cannot pull the
    card into a longer window that fails the Luhn check.
    """
    runs = [m.group() for m in matches]
    taken = [False] * len(runs)
    spans = []
    for shaped in (True, False):
        i = 0
        while i < len(runs):
            if taken[i]:
                i += 1
                continue
            stop = i
            while stop < len(runs) and not taken[stop]:
                stop += 1
            while (found := _card_window(runs, i, stop, shaped)) is not None:
                first, last = found
                taken[first : last + 1] = [True] * (last - first + 1)
                spans.append((matches[first].start(), matches[last].end()))
                i = last + 1
            i = stop
    return sorted(spans)


def _cards(match: re.Match[str]) -> str:
    text = match.group()
    out, cursor = [], 0
    for start, end in _card_spans(list(_DIGITS.finditer(text))):
        out += [text[cursor:start], _MASK * (end - start)]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _phone_runs(
    runs: list[str], international: bool, prefix: int, low: int = _INTERNATIONAL_DIGITS[0]
) -> int:
    """How many of the digit groups `runs` make one phone number (0: they do not start one);
    an international number has `low` digits at least."""
    limit = _INTERNATIONAL_DIGITS[1] + prefix if international else _NATIONAL_MAX_DIGITS
    # Whole groups while the digits fit: "040 123 4567 2026" is a phone number and a year.
    kept, digits = 0, ""
    for run in runs:
        if len(digits) + len(run) > limit:
            break
        kept, digits = kept + 1, digits + run
    if kept == 0:
        return 0
    if international:
        high = _INTERNATIONAL_DIGITS[1]
        # Country codes never start with 0, so "0000123456" is a parcel or order number.
        ok = low <= len(digits) - prefix <= high and digits[prefix : prefix + 1] != "0"
    elif kept == 1:
        ok = len(digits) >= 9  # "01234567" is an order number, "0401234567" a phone
    else:
        # "01 02 2026" is a date; "02 123 456" and "040 12 34 567" are phones.
        ok = len(digits) >= 9 or (len(digits) == 8 and len(runs[1]) >= 3)
    return kept if ok else 0


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    found = list(_DIGITS.finditer(text))
    runs = [m.group() for m in found]
    out, cursor, i = [], 0, 0
    while i < len(runs):
        if _DATE.match(text, found[i].start()):
            i += 3
            continue
        # Only the first number can be international ("+", "00" or a bare 358 opens the
        # match); numbers written after it in the same run of groups are national, with a
        # leading 0.
        low = _INTERNATIONAL_DIGITS[0]
        if i == 0:
            plus = text.startswith(("+", "(+"))
            bare = text.startswith("358")
            international = plus or bare or text.lstrip("(").startswith("00")
            prefix = 0 if plus or bare else 2  # the "00" of an international call
            if bare:
                low = _BARE_358_MIN_DIGITS
        else:
            international, prefix = False, 0
        if i > 0 and not runs[i].startswith("0"):
            i += 1
            continue
        # At most 17 groups can fit the digit limit, so each attempt costs a constant.
        kept = _phone_runs(runs[i : i + 17], international, prefix, low)
        if not kept:
            i += 1
            continue
        start = 0 if i == 0 else found[i].start()
        end = found[i + kept - 1].end()
        if text[end : end + 1] == ")":
            end += 1
        out += [text[cursor:start], _MASK * (end - start)]
        cursor, i = end, i + kept
    out.append(text[cursor:])
    return "".join(out)


def redact(text: str) -> str:
    """`text` with every e-mail address, phone, identity code, IBAN and card number replaced."""
    folded = _fold(text)
    masked = _masked(folded)
    if masked is folded:
        return text
    out, cursor = [], 0
    for found in _MASKED.finditer(masked):
        out += [text[cursor : found.start()], REDACTED]
        cursor = found.end()
    out.append(text[cursor:])
    return "".join(out)


def _masked(text: str) -> str:
    """The folded `text` with what is found masked, character for character; `text` itself
    when nothing is."""
    found = text
    if "@" in found:
        found = _EMAIL.sub(_mask, found)
    digits = sum(map(found.count, "0123456789"))
    if digits < 2:
        return text if found == text else found
    # IBANs, identity codes and cards go before phones: their digit groups could otherwise be
    # read as a phone number and leave the rest of the IBAN or card behind. The digit count
    # skips the patterns that cannot match; most comments have only a price or a date.
    found = _IBAN.sub(_iban, found)
    if digits >= 8:
        if digits >= 9:  # DDMMYY and NNN; the check character may be a letter
            found = _HETU.sub(_mask, found)
        if digits >= 13:
            found = _DIGIT_RUN.sub(_cards, found)
        found = _PHONE.sub(_phone, found)
    return text if found == text else found


def redact_all(texts: Iterable[str]) -> list[str]:
    return [redact(text) for text in texts]
