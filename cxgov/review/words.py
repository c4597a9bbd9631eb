"""The review's words in English and Finnish: `cxgov diff` as text and as a pull-request
comment speak the program's language."""

from __future__ import annotations

import datetime as dt

from cxgov.judgement.verdicts import verdict_words

EFFECTS: dict[str, dict[str, str]] = {
    "added": {"en": "added", "fi": "lisätty"},
    "removed": {"en": "removed", "fi": "poistettu"},
    "tightened": {"en": "tightened", "fi": "kiristetty"},
    "loosened": {"en": "loosened", "fi": "löysennetty"},
    "changed": {"en": "changed", "fi": "muutettu"},
}

KINDS: dict[str, dict[str, str]] = {
    "program": {"en": "program", "fi": "ohjelma"},
    "goal": {"en": "goal", "fi": "päämäärä"},
    "owner": {"en": "owner", "fi": "omistaja"},
    "journey": {"en": "journey", "fi": "asiakaspolku"},
    "touchpoint": {"en": "touchpoint", "fi": "kosketuspiste"},
    "kpi": {"en": "KPI", "fi": "mittari"},
    "measurement_point": {"en": "measurement point", "fi": "mittauspiste"},
    "objective": {"en": "objective", "fi": "tavoite"},
    "action_policy": {"en": "action policy", "fi": "toimenpidekäytäntö"},
    "theme": {"en": "theme", "fi": "teema"},
    "source": {"en": "source", "fi": "lähde"},
    "link": {"en": "link", "fi": "kytkös"},
    "contact_policy": {"en": "contact policy", "fi": "yhteydenottokäytäntö"},
}

REASONS: dict[str, dict[str, str]] = {
    "unknown": {
        "en": "effect unknown: see the backtest (cxgov diff --backtest)",
        "fi": "vaikutus ei selviä määrittelystä: katso takautuva koeajo (cxgov diff --backtest)",
    },
    "unknown_mixed": {
        "en": "effect unknown: the backtest cannot tell it from the other changes to these "
        "objectives",
        "fi": "vaikutus ei selviä: takautuva koeajo ei erota sitä näiden tavoitteiden muista "
        "muutoksista",
    },
    "backtest_looser": {
        "en": "the backtest turns misses into non-misses or cancels actions",
        "fi": "takautuvassa koeajossa alitukset muuttuvat hyväksytyiksi tai toimenpiteitä jää "
        "avaamatta",
    },
    "backtest_stricter": {
        "en": "the backtest shows only more or graver misses",
        "fi": "takautuvassa koeajossa alituksia tulee vain lisää tai vakavampina",
    },
    "backtest_nothing": {
        "en": "the backtest changes no verdict and no action",
        "fi": "takautuva koeajo ei muuta yhtään arviota eikä toimenpidettä",
    },
    "positive_wider": {
        "en": "a wider positive range counts more answers as positive",
        "fi": "laajempi myönteinen alue laskee useamman vastauksen myönteiseksi",
    },
    "positive_narrower": {
        "en": "a narrower positive range counts fewer answers as positive",
        "fi": "kapeampi myönteinen alue laskee harvemman vastauksen myönteiseksi",
    },
    "positive_unread": {
        "en": "not read: the KPI is not a share of positive answers",
        "fi": "ei käytössä: mittari ei ole myönteisten vastausten osuus",
    },
    "intervals_only": {
        "en": "sets only the intervals shown, not the verdicts",
        "fi": "vaikuttaa vain näytettyihin luottamusväleihin, ei arvioihin",
    },
    "rule_point": {
        "en": "the value alone decides: a miss need not be beyond noise",
        "fi": "arvo yksin ratkaisee: alituksen ei tarvitse erottua satunnaisvaihtelusta",
    },
    "rule_test": {
        "en": "a miss must now be beyond noise at the program's error rate",
        "fi": "alituksen täytyy nyt erottua satunnaisvaihtelusta ohjelman virhetasolla",
    },
    "adjustment_stricter": {
        "en": "a stricter adjustment needs more evidence for each miss",
        "fi": "tiukempi korjaus vaatii kullekin alitukselle enemmän näyttöä",
    },
    "adjustment_laxer": {
        "en": "a laxer adjustment needs less evidence for each miss",
        "fi": "väljempi korjaus vaatii kullekin alitukselle vähemmän näyttöä",
    },
}

TRIGGERS: dict[str, dict[str, str]] = {
    "miss": {"en": "missed target", "fi": "tavoite alittui"},
    "decline": {"en": "decline", "fi": "heikkeneminen"},
}
"""What opened an action; no_data and insufficient_sample are said as verdicts."""

MESSAGES: dict[str, dict[str, str]] = {
    "default": {"en": "default", "fi": "oletus"},
    "from": {"en": "from {day}", "fi": "{day} alkaen"},
    "no_changes": {"en": "no changes", "fi": "ei muutoksia"},
    "no_program_changes": {"en": "No changes to the programs.", "fi": "Ohjelmiin ei muutoksia."},
    "objectives_one": {"en": "{n} objective {effect}", "fi": "{n} tavoite {effect}"},
    "objectives_many": {"en": "{n} objectives {effect}", "fi": "{n} tavoitetta {effect}"},
    "other_one": {"en": "{n} other change", "fi": "{n} muu muutos"},
    "other_many": {"en": "{n} other changes", "fi": "{n} muuta muutosta"},
    "changes_one": {"en": "{n} change", "fi": "{n} muutos"},
    "changes_many": {"en": "{n} changes", "fi": "{n} muutosta"},
    "rewrites_one": {
        "en": "1 change rewrites history: thresholds in force on or before {day} were changed, "
        "so periods already judged would be judged again against other values (the gate passes "
        "it only with --allow-history-rewrite)",
        "fi": "1 muutos muuttaa historiaa: {day} tai aiemmin voimassa olleita raja-arvoja "
        "muutettiin, joten jo arvioidut jaksot arvioitaisiin uudelleen eri arvoja vasten "
        "(tarkistus hyväksyy sen vain valinnalla --allow-history-rewrite)",
    },
    "rewrites_many": {
        "en": "{n} changes rewrite history: thresholds in force on or before {day} were "
        "changed, so periods already judged would be judged again against other values (the "
        "gate passes them only with --allow-history-rewrite)",
        "fi": "{n} muutosta muuttaa historiaa: {day} tai aiemmin voimassa olleita raja-arvoja "
        "muutettiin, joten jo arvioidut jaksot arvioitaisiin uudelleen eri arvoja vasten "
        "(tarkistus hyväksyy ne vain valinnalla --allow-history-rewrite)",
    },
    "blocking_one": {
        "en": "{n} objective loosened or removed",
        "fi": "{n} tavoite löysennetty tai poistettu",
    },
    "blocking_many": {
        "en": "{n} objectives loosened or removed",
        "fi": "{n} tavoitetta löysennetty tai poistettu",
    },
    "blocking_other_one": {
        "en": "{n} other loosened change",
        "fi": "{n} muu löysennys",
    },
    "blocking_other_many": {
        "en": "{n} other loosened changes",
        "fi": "{n} muuta löysennystä",
    },
    "and": {"en": "and", "fi": "ja"},
    "more": {"en": "{n} more", "fi": "{n} muuta"},
    "approval": {
        "en": "they need the approval of the program's CX owner and sponsor.",
        "fi": "ne tarvitsevat ohjelman asiakaskokemuksen omistajan ja sponsorin hyväksynnän.",
    },
    "affects": {"en": "affects {objectives}", "fi": "koskee: {objectives}"},
    "evidence": {
        "en": "backtest: {looser} verdict(s) looser, {stricter} stricter; {cancelled} "
        "action(s) no longer open, {opened} would open",
        "fi": "takautuva koeajo: {looser} arviota väljempänä, {stricter} tiukempana; "
        "{cancelled} toimenpidettä jäisi avaamatta, {opened} avautuisi",
    },
    "header": {
        "en": "| | effect | what | old | new | why |",
        "fi": "| | vaikutus | mitä | ennen | jälkeen | miksi |",
    },
    # the backtest
    "backtest_line": {
        "en": "backtest {program}: {judged} verdicts of the last {periods} period(s) before "
        "{as_of} judged again; {flips} flip(s)",
        "fi": "takautuva koeajo {program}: {judged} arviota viimeisiltä {periods} jaksolta "
        "ennen {as_of} arvioitu uudelleen; {flips} muuttuu",
    },
    "backtest_heading": {"en": "Backtest: {program}", "fi": "Takautuva koeajo: {program}"},
    "backtest_intro": {
        "en": "{judged} verdicts of the last {periods} period(s) before {as_of} judged under "
        "both versions: {flips} would change.",
        "fi": "{judged} arviota viimeisiltä {periods} jaksolta ennen {as_of} arvioitu "
        "molemmilla versioilla: {flips} muuttuisi.",
    },
    "backtest_header": {
        "en": "| objective | period | value | n | verdict | target |",
        "fi": "| tavoite | jakso | arvo | n | arvio | tavoitetaso |",
    },
    "flip": {
        "en": "{objective} {period}: {old} → {new} (value {value}, n={n}, target {old_target} → "
        "{new_target})",
        "fi": "{objective} {period}: {old} → {new} (arvo {value}, n={n}, tavoitetaso "
        "{old_target} → {new_target})",
    },
    "not_judged": {"en": "not judged", "fi": "ei arvioitu"},
    "would_open": {"en": "action would open", "fi": "toimenpide avautuisi"},
    "would_not_open": {"en": "action would no longer open", "fi": "toimenpide jäisi avaamatta"},
    "action_line": {
        "en": "{verb}: {objective} {trigger} for the period ending {end}",
        "fi": "{verb}: {objective} {trigger}, jakso päättyy {end}",
    },
}


class Words:
    """The review's words in one language (`en` or `fi`)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in ("en", "fi") else "en"

    def t(self, key: str, **values: object) -> str:
        text = MESSAGES[key][self.language]
        return text.format(**values) if values else text

    def counted(self, key: str, n: int, **values: object) -> str:
        """`key_one` for one, `key_many` otherwise."""
        return self.t(f"{key}_{'one' if n == 1 else 'many'}", n=n, **values)

    def effect(self, effect: str) -> str:
        return EFFECTS.get(effect, {}).get(self.language, effect)

    def kind(self, kind: str) -> str:
        return KINDS.get(kind, {}).get(self.language, kind)

    def trigger(self, trigger: str) -> str:
        if trigger in TRIGGERS:
            return TRIGGERS[trigger][self.language]
        return verdict_words(trigger, self.language)

    def reason(self, reason: str) -> str:
        return REASONS.get(reason, {}).get(self.language, reason)

    def date(self, day: dt.date | str) -> str:
        """9.12.2026 in Finnish, 2026-12-09 in English."""
        value = dt.date.fromisoformat(day) if isinstance(day, str) else day
        if self.language == "fi":
            return f"{value.day}.{value.month}.{value.year}"
        return value.isoformat()
