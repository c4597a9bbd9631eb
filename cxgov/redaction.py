"""Redaction of personal data in customer comments before anything is published.

`redact` replaces e-mail addresses, phone numbers, Finnish personal identity codes
(henkilötunnus), IBANs and payment card numbers with `[redacted]`, and leaves the ordinary
numbers customers write alone: prices, years, dates, times, scores and order numbers of up to
eight digits.

The patterns are compiled once and written so that the regex engine cannot backtrack
catastrophically (possessive quantifiers, look-behinds that only let a match start at the
beginning of a word); the checks regular expressions express badly (digit counts, Luhn, card
grouping) run in Python on the few candidates found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["REDACTED", "luhn_valid", "redact", "redact_all"]

REDACTED = "[redacted]"

# Each pattern starts with a plain character class, which lets the regex engine skip ahead to
# the next possible start instead of trying every position; the "not inside a word" test comes
# right after it as a look-behind over that first character.
_EMAIL = re.compile(r"[\w.%+-](?<![\w.%+-][\w.%+-])[\w.%+-]*+@[\w-]+(?:\.[\w-]+)+")

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
_PHONE = re.compile(
    r"(?:\+(?<![\w+]\+) ?\d++|\((?<![\w+]\()(?=0\d)\d++\)?|0(?<![\w+]0)\d++\)?)"
    r"(?:[ -]?\(\d{1,4}\)\d*+)?(?:[ -]\d++)*+"
)
_INTERNATIONAL_DIGITS = (8, 15)  # after "+" or "00": E.164 allows at most 15
_NATIONAL_MAX_DIGITS = 12


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
        return REDACTED
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
            return f"{REDACTED}{kept}"
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
        out += [text[cursor:start], REDACTED]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _phone_runs(runs: list[str], international: bool, prefix: int) -> int:
    """How many of the digit groups `runs` make one phone number (0: they do not start one)."""
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
        low, high = _INTERNATIONAL_DIGITS
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
        # Only the first number can be international ("+" or "00" opens the match); numbers
        # written after it in the same run of groups are national, with a leading 0.
        if i == 0:
            international = text.startswith("+") or text.lstrip("(").startswith("00")
            prefix = 0 if text.startswith("+") else 2  # the "00" of an international call
        else:
            international, prefix = False, 0
        if i > 0 and not runs[i].startswith("0"):
            i += 1
            continue
        # At most 17 groups can fit the digit limit, so each attempt costs a constant.
        kept = _phone_runs(runs[i : i + 17], international, prefix)
        if not kept:
            i += 1
            continue
        start = 0 if i == 0 else found[i].start()
        end = found[i + kept - 1].end()
        if text[end : end + 1] == ")":
            end += 1
        out += [text[cursor:start], REDACTED]
        cursor, i = end, i + kept
    out.append(text[cursor:])
    return "".join(out)


def redact(text: str) -> str:
    """`text` with every e-mail address, phone, identity code, IBAN and card number replaced."""
    if "@" in text:
        text = _EMAIL.sub(REDACTED, text)
    digits = sum(map(text.count, "0123456789"))
    if digits < 2:
        return text
    # IBANs, identity codes and cards go before phones: their digit groups could otherwise be
    # read as a phone number and leave the rest of the IBAN or card behind. The digit count
    # skips the patterns that cannot match; most comments have only a price or a date.
    text = _IBAN.sub(_iban, text)
    if digits >= 8:
        if digits >= 9:  # DDMMYY and NNN; the check character may be a letter
            text = _HETU.sub(REDACTED, text)
        if digits >= 13:
            text = _DIGIT_RUN.sub(_cards, text)
        text = _PHONE.sub(_phone, text)
    return text


def redact_all(texts: Iterable[str]) -> list[str]:
    return [redact(text) for text in texts]
