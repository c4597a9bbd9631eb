"""The site's words and number and date formats, in English and Finnish.

The program's `language` picks the locale. Formatting is done here rather than with the `locale`
module because that depends on which locales the machine happens to have installed, and the
site must come out the same on every machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxgov.judgement.lifecycle import ACTION_WORDS
from cxgov.judgement.verdicts import REWRITTEN_WORDS
from cxgov.judgement.verdicts import WORDS as VERDICT_WORDS
from cxgov.model import Language

_MONTHS_FI = (
    "tammi",
    "helmi",
    "maalis",
    "huhti",
    "touko",
    "kesä",
    "heinä",
    "elo",
    "syys",
    "loka",
    "marras",
    "joulu",
)
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MESSAGES: dict[str, dict[str, str]] = {
    # navigation and page titles
    "home": {"en": "Overview", "fi": "Yleiskuva"},
    "strategy": {"en": "Strategy", "fi": "Strategia"},
    "journeys": {"en": "Journey maps", "fi": "Asiakaspolut"},
    "objectives": {"en": "Objectives", "fi": "Tavoitteet"},
    "actions": {"en": "Actions", "fi": "Toimenpiteet"},
    "owners": {"en": "Owners", "fi": "Omistajat"},
    "data_quality": {"en": "Data quality", "fi": "Datan laatu"},
    "changelog": {"en": "Changelog", "fi": "Muutoshistoria"},
    # the line every page starts with
    "shows_run": {"en": "Run {run}, as of {as_of}", "fi": "Ajo {run}, tilanne {as_of}"},
    "program_commit": {"en": "program commit {commit}", "fi": "ohjelman versio {commit}"},
    "program_content": {
        "en": "program content {hash} (not in git)",
        "fi": "ohjelman sisältö {hash} (ei gitissä)",
    },
    "no_run": {
        "en": "No evaluation has run yet: run `cxgov run` or `cxgov evaluate` first.",
        "fi": "Arviointia ei ole vielä ajettu: aja ensin `cxgov run` tai `cxgov evaluate`.",
    },
    # statuses
    **{verdict.value: dict(said) for verdict, said in VERDICT_WORDS.items()},
    "not_judged": {"en": "not judged", "fi": "ei arvioitu"},
    # action statuses, severities and triggers, worded where the mails word them too
    **{value: dict(said) for value, said in ACTION_WORDS.items()},
    "overdue": {"en": "overdue", "fi": "myöhässä"},
    "escalated": {"en": "escalated", "fi": "eskaloitu"},
    # table headings and labels
    "status": {"en": "Status", "fi": "Tila"},
    "objective": {"en": "Objective", "fi": "Tavoite"},
    "segment": {"en": "Segment", "fi": "Segmentti"},
    "all_customers": {"en": "all", "fi": "kaikki"},
    "period": {"en": "Period", "fi": "Jakso"},
    "value": {"en": "Value", "fi": "Arvo"},
    "interval": {"en": "Interval", "fi": "Luottamusväli"},
    "target": {"en": "Target", "fi": "Tavoitetaso"},
    "warn_level": {"en": "Warn", "fi": "Varoitusraja"},
    "fail_level": {"en": "Fail", "fi": "Hälytysraja"},
    "margin": {"en": "Margin to target", "fi": "Ero tavoitteeseen"},
    "count_n": {"en": "n", "fi": "n"},
    "kpi": {"en": "KPI", "fi": "Mittari"},
    "measurement_point": {"en": "Measurement point", "fi": "Mittauspiste"},
    "journey": {"en": "Journey", "fi": "Asiakaspolku"},
    "touchpoint": {"en": "Touchpoint", "fi": "Kosketuspiste"},
    "stage": {"en": "Stage", "fi": "Vaihe"},
    "channel": {"en": "Channel", "fi": "Kanava"},
    "weight": {"en": "weight", "fi": "paino"},
    "owner": {"en": "Owner", "fi": "Omistaja"},
    "assignee": {"en": "Assignee", "fi": "Vastuuhenkilö"},
    "severity": {"en": "Severity", "fi": "Vakavuus"},
    "due": {"en": "Due", "fi": "Määräpäivä"},
    "trigger": {"en": "Trigger", "fi": "Syy"},
    "opened": {"en": "Opened", "fi": "Avattu"},
    "action": {"en": "Action", "fi": "Toimenpide"},
    "event": {"en": "Event", "fi": "Tapahtuma"},
    "date": {"en": "Date", "fi": "Päivä"},
    "note": {"en": "Note", "fi": "Huomautus"},
    "by_actor": {"en": "By", "fi": "Tekijä"},
    "none_yet": {"en": "None.", "fi": "Ei yhtään."},
    "yes": {"en": "yes", "fi": "kyllä"},
    "no": {"en": "no", "fi": "ei"},
    "partial": {"en": "partial", "fi": "kesken"},
    "partial_period": {"en": "partial period", "fi": "keskeneräinen jakso"},
    "detectable_shortfall": {"en": "Detectable shortfall", "fi": "Havaittava vaje"},
    "detectable": {
        "en": "at {volume} answers a period, a shortfall of {one} shows in one period and of "
        "{three} over three; this volume tells the target from the fail level ({gap} apart)",
        "fi": "{volume} vastauksella jaksossa näkyy yhden jakson aikana {one} suuruinen vaje ja "
        "kolmen jakson aikana {three} suuruinen; määrä riittää erottamaan tavoitteen "
        "hälytysrajasta ({gap})",
    },
    "undetectable": {
        "en": "at {volume} answers a period, only a shortfall of {one} shows in one period, "
        "{three} over three: telling the target from the fail level ({gap} apart) takes "
        "{needed} answers a period",
        "fi": "{volume} vastauksella jaksossa näkyy vasta {one} suuruinen vaje yhden jakson "
        "aikana ja {three} suuruinen kolmen jakson aikana: tavoitteen erottaminen "
        "hälytysrajasta ({gap}) vaatii {needed} vastausta jaksossa",
    },
    "pending_period": {
        "en": "{period} is still collecting answers ({n} so far); the status is read from the "
        "last whole period",
        "fi": "{period} on vielä kesken ({n} vastausta toistaiseksi); tila luetaan viimeisimmästä "
        "kokonaisesta jaksosta",
    },
    # home
    "health": {"en": "Objectives by status", "fi": "Tavoitteet tilan mukaan"},
    "health_intro": {
        "en": "The current status of each objective, worst first: its newest period, or the "
        "last whole one while the newest still has too few answers.",
        "fi": "Kunkin tavoitteen nykytila, heikoin ensin: uusin jakso, tai viimeisin kokonainen "
        "jakso niin kauan kuin uusimmassa on vielä liian vähän vastauksia.",
    },
    "open_actions": {"en": "Open actions", "fi": "Avoimet toimenpiteet"},
    "overdue_actions": {"en": "Overdue", "fi": "Myöhässä"},
    "escalated_actions": {"en": "Escalated", "fi": "Eskaloitu"},
    "goal_progress": {"en": "Strategy goals", "fi": "Strategiset tavoitteet"},
    "goal_met": {"en": "met", "fi": "saavutettu"},
    "headline_goal": {
        "en": "Goal {target} by {by}: {progress}",
        "fi": "Tavoite {target} viimeistään {by}: {progress}",
    },
    "sparkline_title": {"en": "{name}: recent periods", "fi": "{name}: viimeisimmät jaksot"},
    "sparkline_desc": {
        "en": "{count} periods, the newest {value}; {misses} of them missed the target "
        "(diamonds); the dashed line is the goal's target path.",
        "fi": "{count} jaksoa, uusin {value}; niistä {misses} alitti tavoitteen (vinoneliöt); "
        "katkoviiva on tavoitteen polku.",
    },
    "objectives_by_status": {"en": "Objectives by status", "fi": "Tavoitteet tilan mukaan"},
    "needs_attention": {"en": "Needs attention", "fi": "Vaatii huomiota"},
    "needs_attention_intro": {
        "en": "Objectives that miss their target or whose data stopped, gravest first, with "
        "who owns them and the action on them.",
        "fi": "Tavoitteet, jotka jäävät tavoitetasosta tai joiden data on lakannut tulemasta, "
        "vakavin ensin, omistajineen ja toimenpiteineen.",
    },
    "nothing_needs_attention": {
        "en": "No objective misses its target and every feed is flowing.",
        "fi": "Yksikään tavoite ei jää tavoitetasosta, ja kaikki syötteet kulkevat.",
    },
    "no_action": {"en": "no action", "fi": "ei toimenpidettä"},
    "all_objectives": {"en": "All objectives", "fi": "Kaikki tavoitteet"},
    "heat_map_intro": {
        "en": "Each journey's stages across and channels down; a cell shows the gravest "
        "current status of the touchpoints there.",
        "fi": "Kunkin asiakaspolun vaiheet vaakasuunnassa ja kanavat pystysuunnassa; solussa on "
        "sen kosketuspisteiden vakavin nykytila.",
    },
    "days_late": {"en": "{days} days late", "fi": "{days} pv myöhässä"},
    "escalation": {"en": "Escalation", "fi": "Eskalointi"},
    "escalation_level": {"en": "level {level}", "fi": "taso {level}"},
    "group_overdue": {"en": "Overdue", "fi": "Myöhässä"},
    "group_open": {"en": "Open", "fi": "Avoimet"},
    "group_reopened": {"en": "Reopened", "fi": "Avattu uudelleen"},
    "group_acknowledged": {"en": "Acknowledged", "fi": "Kuitatut"},
    "group_in_progress": {"en": "In progress", "fi": "Työn alla"},
    "group_resolved": {
        "en": "Resolved, awaiting verification",
        "fi": "Ratkaistut, odottavat todennusta",
    },
    "group_ended": {"en": "Ended", "fi": "Päättyneet"},
    "not_found_title": {"en": "Page not found", "fi": "Sivua ei löytynyt"},
    "not_found_text": {
        "en": "There is no page at this address; it may have been renamed or removed. Start "
        "again from the",
        "fi": "Tässä osoitteessa ei ole sivua; se on ehkä nimetty uudelleen tai poistettu. "
        "Aloita uudelleen sivulta",
    },
    "redacted": {"en": "[redacted]", "fi": "[poistettu]"},
    "sinks": {"en": "sinks", "fi": "välityskanavat"},
    "name": {"en": "name", "fi": "nimi"},
    "my_objectives": {"en": "Objectives", "fi": "Tavoitteet"},
    "my_actions": {"en": "Actions", "fi": "Toimenpiteet"},
    "owner_intro": {
        "en": "What {name} answers for: the objectives of the measurement points they own, "
        "worst first, and the actions assigned or escalated to them.",
        "fi": "Mistä {name} vastaa: omistamiensa mittauspisteiden tavoitteet heikoin ensin sekä "
        "hänelle osoitetut ja eskaloidut toimenpiteet.",
    },
    "owned_journeys": {"en": "Journeys", "fi": "Asiakaspolut"},
    "freshness": {"en": "Data freshness", "fi": "Datan tuoreus"},
    "freshness_line": {
        "en": "Newest answer {newest}; {stopped} measurement points without new data for "
        "longer than two periods.",
        "fi": "Uusin vastaus {newest}; {stopped} mittauspisteessä ei uutta dataa yli kahteen "
        "jaksoon.",
    },
    "goal": {"en": "Goal", "fi": "Tavoite"},
    "baseline": {"en": "Baseline", "fi": "Lähtötaso"},
    "current": {"en": "Now", "fi": "Nyt"},
    "by_date": {"en": "By", "fi": "Mennessä"},
    "progress": {"en": "Progress", "fi": "Edistyminen"},
    # strategy
    "vision": {"en": "Vision", "fi": "Visio"},
    "current_state": {"en": "Current state", "fi": "Nykytila"},
    "assessed_on": {"en": "Assessed on {date}.", "fi": "Arvioitu {date}."},
    "baselines": {"en": "Baselines", "fi": "Lähtötasot"},
    "goals": {"en": "Goals", "fi": "Tavoitteet"},
    "trajectory_title": {"en": "{goal}: path to target", "fi": "{goal}: polku tavoitteeseen"},
    "trajectory_desc": {
        "en": "Target path from the baseline {baseline} to {target} by {by}; the latest value "
        "is {current}.",
        "fi": "Tavoitepolku lähtötasosta {baseline} tasoon {target} {by} mennessä; viimeisin "
        "arvo on {current}.",
    },
    "target_path": {"en": "target path", "fi": "tavoitepolku"},
    "no_strategy": {
        "en": "The program has no strategy section.",
        "fi": "Ohjelmassa ei ole strategiaosiota.",
    },
    # journeys
    "journey_intro": {
        "en": "Stages across, channels down; each touchpoint shows its measurement's latest "
        "status, value and number of answers.",
        "fi": "Vaiheet vaakasuunnassa, kanavat pystysuunnassa; kosketuspisteessä näkyy sen "
        "mittauksen viimeisin tila, arvo ja vastausten määrä.",
    },
    "sub_journeys": {"en": "Sub-journeys", "fi": "Alipolut"},
    "parent_journey": {"en": "Part of", "fi": "Osa polkua"},
    "journey_level": {"en": "Journey and stage measures", "fi": "Polun ja vaiheiden mittarit"},
    "not_measured": {"en": "not measured", "fi": "ei mitattu"},
    # objectives
    "trend": {"en": "Trend", "fi": "Kehitys"},
    "periods": {"en": "Periods", "fi": "Jaksot"},
    "segments": {"en": "By segment", "fi": "Segmenteittäin"},
    "segments_intro": {
        "en": "The period of the current status ({period}) by each breakdown dimension.",
        "fi": "Nykytilan jakso ({period}) kunkin jaottelun mukaan.",
    },
    "no_segments": {
        "en": "The measurement point has no segment breakdown.",
        "fi": "Mittauspisteellä ei ole segmenttijaottelua.",
    },
    "changes": {"en": "Change", "fi": "Muutos"},
    "vs_previous": {"en": "vs previous period", "fi": "edelliseen jaksoon"},
    "vs_year_ago": {"en": "vs a year ago", "fi": "vuoden takaiseen"},
    "significant": {"en": "significant ({p})", "fi": "merkitsevä ({p})"},
    "not_significant": {"en": "not significant ({p})", "fi": "ei merkitsevä ({p})"},
    "clipped": {"en": "clipped to the possible range", "fi": "rajattu mahdolliseen väliin"},
    "no_comparison": {"en": "no comparison", "fi": "ei vertailukohtaa"},
    "action_history": {"en": "Action history", "fi": "Toimenpidehistoria"},
    "consequence": {"en": "If missed", "fi": "Jos tavoite jää saavuttamatta"},
    "revision_from": {"en": "revision {date}", "fi": "muutos {date}"},
    "trend_title": {"en": "{name}: {kpi} by period", "fi": "{name}: {kpi} jaksoittain"},
    "trend_desc": {
        "en": "{count} periods from {first} to {last}; the latest value is {value} "
        "(status {status}) against a target of {target}.",
        "fi": "{count} jaksoa {first}–{last}; viimeisin arvo on {value} (tila {status}), "
        "tavoitetaso {target}.",
    },
    "trend_empty": {"en": "No periods judged yet.", "fi": "Yhtään jaksoa ei ole vielä arvioitu."},
    "confidence_interval": {"en": "confidence interval", "fi": "luottamusväli"},
    # actions
    "actions_intro": {
        "en": "Actions open when an objective misses; each is followed until the KPI has "
        "verifiably recovered.",
        "fi": "Toimenpide avataan, kun tavoite jää saavuttamatta, ja sitä seurataan, kunnes "
        "mittari on todennetusti palautunut.",
    },
    "effectiveness": {"en": "Effectiveness", "fi": "Vaikuttavuus"},
    "effectiveness_intro": {
        "en": "Resolutions the following periods judged, and the share verified effective.",
        "fi": "Ratkaisut, jotka seuraavat jaksot ovat arvioineet, ja tehokkaiksi todettujen osuus.",
    },
    "judged": {"en": "Judged", "fi": "Arvioitu"},
    "effective_share": {"en": "Effective", "fi": "Tehokkaita"},
    "by_owner": {"en": "By owner", "fi": "Omistajittain"},
    "by_journey": {"en": "By journey", "fi": "Asiakaspoluittain"},
    "resolved_actions": {"en": "Resolved and verified", "fi": "Ratkaistut ja todennetut"},
    "ended_actions": {"en": "Ended", "fi": "Päättyneet"},
    "recent_comments": {"en": "Recent comments", "fi": "Tuoreita kommentteja"},
    # action events (the status an event moved to is shown with the status words above)
    "event_opened": {"en": "opened", "fi": "avattu"},
    "event_repeat": {"en": "missed again", "fi": "toistui"},
    "event_escalate": {"en": "escalated", "fi": "eskaloitu"},
    "event_close_recovered": {"en": "closed: recovered", "fi": "suljettu: palautui"},
    "event_verify_effective": {"en": "verified effective", "fi": "todettu tehokkaaksi"},
    "event_reopen_ineffective": {"en": "reopened: not effective", "fi": "avattu: ei tehonnut"},
    "event_comment": {"en": "comment", "fi": "kommentti"},
    "event_assigned": {"en": "assigned", "fi": "vastuu siirretty"},
    # owners
    "owns": {"en": "Owns", "fi": "Vastuulla"},
    "escalates_to": {"en": "Escalates to", "fi": "Eskalointi"},
    "cx_owner": {"en": "CX owner", "fi": "Asiakaskokemuksen omistaja"},
    "sponsor": {"en": "Sponsor", "fi": "Sponsori"},
    "touchpoints": {"en": "Touchpoints", "fi": "Kosketuspisteet"},
    "measurement_points": {"en": "Measurement points", "fi": "Mittauspisteet"},
    # data quality
    "records": {"en": "Answers", "fi": "Vastauksia"},
    "not_applicable": {"en": "Not applicable", "fi": "Ei koske"},
    "last_data": {"en": "Last data", "fi": "Viimeisin data"},
    "insufficient_periods": {"en": "Thin periods", "fi": "Ohuita jaksoja"},
    "feed": {"en": "Feed", "fi": "Syöte"},
    "stopped": {"en": "stopped", "fi": "pysähtynyt"},
    "flowing": {"en": "flowing", "fi": "kulkee"},
    "rejected_rows": {"en": "Rejected rows by source", "fi": "Hylätyt rivit lähteittäin"},
    "source": {"en": "Source", "fi": "Lähde"},
    "rejected": {"en": "Rejected", "fi": "Hylättyjä"},
    "unreadable_files": {"en": "Unreadable files", "fi": "Lukukelvottomat tiedostot"},
    "unreadable_files_intro": {
        "en": "None of these files loaded: each could not be read at all. They are tried again "
        "when the file or its source's definition changes; the other files loaded as usual.",
        "fi": "Näistä tiedostoista ei ladattu mitään, koska niitä ei voitu lukea lainkaan. Ne "
        "yritetään uudelleen, kun tiedosto tai sen lähteen määrittely muuttuu; muut tiedostot "
        "ladattiin tavalliseen tapaan.",
    },
    "file": {"en": "File", "fi": "Tiedosto"},
    "found_on": {"en": "Found", "fi": "Havaittu"},
    "reason": {"en": "Reason", "fi": "Syy"},
    "data_quality_intro": {
        "en": "Thin periods are judged periods below the measurement point's minimum sample. "
        "A feed has stopped when nothing arrived for two of its periods.",
        "fi": "Ohuet jaksot ovat arvioituja jaksoja, joissa vastauksia oli alle mittauspisteen "
        "vähimmäismäärän. Syöte on pysähtynyt, kun dataa ei ole tullut kahteen jaksoon.",
    },
    # changelog
    "changelog_intro": {
        "en": "How targets, thresholds and owners changed in the program's git history, "
        "newest first. A loosened target is marked.",
        "fi": "Miten tavoitetasot, raja-arvot ja omistajat ovat muuttuneet ohjelman "
        "git-historiassa, uusin ensin. Löysennetty tavoite on merkitty.",
    },
    "no_history": {
        "en": "No git history was found for the program's files.",
        "fi": "Ohjelman tiedostoille ei löytynyt git-historiaa.",
    },
    "commit": {"en": "Commit", "fi": "Versio"},
    "program_created": {"en": "The program was created", "fi": "Ohjelma luotiin"},
    "old": {"en": "Before", "fi": "Ennen"},
    "new": {"en": "After", "fi": "Jälkeen"},
    "author": {"en": "Author", "fi": "Tekijä"},
    "change": {"en": "Change", "fi": "Muutos"},
    "effect": {"en": "Effect", "fi": "Vaikutus"},
    "added": {"en": "added", "fi": "lisätty"},
    "removed": {"en": "removed", "fi": "poistettu"},
    "tightened": {"en": "tightened", "fi": "kiristetty"},
    "loosened": {"en": "loosened", "fi": "löysennetty"},
    "changed": {"en": "changed", "fi": "muutettu"},
    "rewrites_history": dict(REWRITTEN_WORDS),
    "from_date": {"en": "from {date}", "fi": "{date} alkaen"},
    "rewritten_targets": {
        "en": "Targets changed while in force",
        "fi": "Voimassa olleiden tavoitteiden muutokset",
    },
    "rewritten_intro": {
        "en": "These target revisions were changed after they had taken effect: periods "
        "judged before the change were held to the earlier values, and the periods above "
        "are now judged against the values in force after it. Where periods had been "
        "judged against an earlier target, the chart draws it grey and dash-dotted.",
        "fi": "Näitä tavoiteversioita muutettiin sen jälkeen, kun ne olivat jo tulleet "
        "voimaan: ennen muutosta arvioituja jaksoja verrattiin aiempiin arvoihin, ja yllä "
        "olevat jaksot arvioidaan nyt muutoksen jälkeisiä arvoja vasten. Jos jaksoja "
        "ehdittiin arvioida aiempaa tavoitetasoa vasten, kaavio näyttää sen harmaana "
        "pistekatkoviivana.",
    },
    "changed_on": {"en": "Changed on", "fi": "Muutettu"},
    "rewritten_revision": {"en": "Revision in force from", "fi": "Versio voimassa alkaen"},
    "threshold": {"en": "Threshold", "fi": "Raja-arvo"},
    "chart_earlier_target": {
        "en": "Target before the change of {date} ({commit})",
        "fi": "Tavoitetaso ennen muutosta {date} ({commit})",
    },
    # voice of the customer
    "voc": {"en": "Voice of the customer", "fi": "Asiakkaan ääni"},
    "voc_short": {"en": "Overview", "fi": "Yleiskuva"},
    "voc_intro": {
        "en": "What customers wrote, tagged by the program's themes; which touchpoints and "
        "themes go together with the relationship score; whether the experience shows in "
        "business outcomes; and whether customers are surveyed too often. Correlation is not "
        "causation: every figure comes with its number of answers and its interval.",
        "fi": "Mitä asiakkaat kirjoittivat ohjelman teemoittain; mitkä kosketuspisteet ja "
        "teemat kulkevat yhdessä suositteluhalukkuuden kanssa; näkyykö kokemus liiketoiminnan "
        "tuloksissa; ja kysytäänkö asiakkailta liian usein. Korrelaatio ei ole syy-yhteys: "
        "jokaisen luvun rinnalla on vastausten määrä ja luottamusväli.",
    },
    "voc_comments": {
        "en": "{comments} comments up to the as-of date; {untagged} of them are tagged by no "
        "theme.",
        "fi": "{comments} kommenttia tarkastelupäivään mennessä; niistä {untagged} ei osu "
        "mihinkään teemaan.",
    },
    "themes": {"en": "Themes", "fi": "Teemat"},
    "theme": {"en": "Theme", "fi": "Teema"},
    "themes_intro": {
        "en": "Mentions: comments that mention the theme, in each of its measurement points' "
        "newest period with comments. A theme is mentioned with a lower (or higher) KPI where "
        "the answers whose comments mention it have a lower (higher) KPI than the other answers "
        "of the same period, beyond chance; shown for the newest period where they do. That is "
        "an association, not a cause: customers who are unhappy for any reason may also write "
        "about the theme. Each theme's page has every period.",
        "fi": "Mainintoja: teeman mainitsevat kommentit kunkin sen mittauspisteen uusimmalla "
        "jaksolla, jolla on kommentteja. Teeman mainitsijoilla on matalampi (tai korkeampi) "
        "mittari, kun teeman mainitsevien vastausten mittari on sattumaa selvemmin matalampi "
        "(korkeampi) kuin saman jakson muiden vastausten; näytetään uusin jakso, jolla näin on. "
        "Kyse on yhteydestä, ei syystä: mistä tahansa syystä tyytymättömät asiakkaat voivat myös "
        "kirjoittaa teemasta. Teeman omalla sivulla ovat kaikki jaksot.",
    },
    "theme_decisions": {
        "en": "A label is decided at a {rate} error rate after adjusting ({adjustment}) across "
        "the {comparisons} comparisons of this report (theme × measurement point × period) "
        "with at least {min} answers on each side; {labelled} of them are labelled. With fewer "
        "answers a period says so instead of guessing.",
        "fi": "Merkintä ratkaistaan {rate} virhetasolla, kun tämän raportin {comparisons} "
        "vertailua (teema × mittauspiste × jakso), joissa kummallakin puolella on vähintään "
        "{min} vastausta, on korjattu yhdessä ({adjustment}); merkittyjä on {labelled}. Kun "
        "vastauksia on vähemmän, jakso kertoo sen arvaamatta.",
    },
    "adjustment_benjamini_hochberg": {"en": "Benjamini–Hochberg", "fi": "Benjamini–Hochberg"},
    "adjustment_holm": {"en": "Holm", "fi": "Holm"},
    "adjustment_none": {"en": "no adjustment", "fi": "ei korjausta"},
    "change_vs_previous": {"en": "Change vs previous", "fi": "Muutos edelliseen"},
    "lowers_kpi_at": {
        "en": "Mentioned with a lower KPI at",
        "fi": "Mainitsijoilla matalampi mittari",
    },
    "raises_kpi_at": {
        "en": "Mentioned with a higher KPI at",
        "fi": "Mainitsijoilla korkeampi mittari",
    },
    "no_themes": {
        "en": "The program defines no themes.",
        "fi": "Ohjelmassa ei ole määritelty teemoja.",
    },
    "no_comments": {"en": "no comments yet", "fi": "ei vielä kommentteja"},
    "mentions": {"en": "Mentions", "fi": "Mainintoja"},
    "comments": {"en": "Comments", "fi": "Kommentteja"},
    "share": {"en": "Share", "fi": "Osuus"},
    "kpi_with_theme": {"en": "KPI with theme", "fi": "Mittari teeman kanssa"},
    "kpi_without_theme": {"en": "KPI without", "fi": "Mittari ilman"},
    "difference": {"en": "Difference", "fi": "Ero"},
    "reading": {"en": "Reading", "fi": "Tulkinta"},
    "lowers_kpi": {"en": "mentioned with a lower KPI", "fi": "mainitsijoilla matalampi mittari"},
    "raises_kpi": {
        "en": "mentioned with a higher KPI",
        "fi": "mainitsijoilla korkeampi mittari",
    },
    "no_clear_difference": {"en": "no clear difference", "fi": "ei selvää eroa"},
    "too_few_answers": {
        "en": "too few answers to compare",
        "fi": "liian vähän vastauksia vertailuun",
    },
    "interval_includes_zero": {"en": "interval includes zero", "fi": "väli sisältää nollan"},
    "not_estimable": {"en": "too few answers", "fi": "liian vähän vastauksia"},
    "test_adjusted_wald": {"en": "adjusted Wald", "fi": "korjattu Wald"},
    "test_agresti_caffo": {"en": "Agresti–Caffo", "fi": "Agresti–Caffo"},
    "test_welch": {"en": "Welch's t", "fi": "Welchin t"},
    "test_permutation": {"en": "exact permutation", "fi": "tarkka permutaatio"},
    "p_adjusted": {"en": "p adjusted", "fi": "korjattu p"},
    "test": {"en": "Test", "fi": "Testi"},
    "impact_chart_title": {
        "en": "{theme} at {point}: KPI with the theme minus without, per period",
        "fi": "{theme}, {point}: mittari teeman kanssa miinus ilman, jaksoittain",
    },
    "impact_chart_desc": {
        "en": "The difference in each of {count} periods with its confidence interval; a "
        "filled dot is a difference established after adjustment, a hollow one is not.",
        "fi": "Ero kullakin {count} jaksolla luottamusväleineen; täytetty piste on korjauksen "
        "jälkeen todettu ero, ontto ei.",
    },
    "impact_chart_empty": {
        "en": "No period has answers on both sides to compare.",
        "fi": "Millään jaksolla ei ole vastauksia molemmin puolin vertailtavaksi.",
    },
    "share_chart_title": {
        "en": "{theme} at {point}: share of comments that mention it",
        "fi": "{theme}, {point}: sen mainitsevien kommenttien osuus",
    },
    "share_chart_desc": {
        "en": "The share in each of {count} periods with its confidence interval.",
        "fi": "Osuus kullakin {count} jaksolla luottamusväleineen.",
    },
    "established": {"en": "established", "fi": "todettu"},
    "not_established": {"en": "not established", "fi": "ei todettu"},
    "theme_intro": {
        "en": "Comments are tagged by the theme's rule below. Share: the comments "
        "that mention the theme. Difference: the KPI among them minus the KPI among the other "
        "comments of the same period, with its interval.",
        "fi": "Kommentit merkitään alla olevilla teeman hakuehdoilla. Osuus: teeman mainitsevat "
        "kommentit. Ero: mittari niissä miinus mittari saman jakson muissa kommenteissa, "
        "luottamusväleineen.",
    },
    "co_occurs": {"en": "Mentioned together with", "fi": "Mainitaan yhdessä teemojen kanssa"},
    "co_occurs_intro": {
        "en": "In the newest period's comments that mention this theme.",
        "fi": "Uusimman jakson kommenteissa, joissa tämä teema mainitaan.",
    },
    "examples": {"en": "Example comments", "fi": "Esimerkkikommentteja"},
    "examples_intro": {
        "en": "The newest comments of {period} that mention the theme, with personal data removed.",
        "fi": "Jakson {period} uusimmat teeman mainitsevat kommentit, henkilötiedot poistettuina.",
    },
    "matched_by": {"en": "matched by {pattern}", "fi": "osui ehtoon {pattern}"},
    "coverage": {"en": "Coverage", "fi": "Kattavuus"},
    "coverage_intro": {
        "en": "Comments that no theme tags, by measurement point: where a new rule is worth "
        "writing.",
        "fi": "Kommentit, joihin mikään teema ei osu, mittauspisteittäin: mihin uusi sääntö "
        "kannattaa kirjoittaa.",
    },
    "untagged": {"en": "Untagged", "fi": "Ilman teemaa"},
    "frequent_words": {
        "en": "Most frequent words in untagged comments (stop words removed): {words}.",
        "fi": "Yleisimmät sanat teemattomissa kommenteissa (täytesanat poistettu): {words}.",
    },
    "drivers": {"en": "Drivers", "fi": "Ajurit"},
    "drivers_intro": {
        "en": "Which touchpoints and themes account for the journey's relationship NPS. Per "
        "respondent (a customer, or one questionnaire without a customer key) over the last "
        "365 days: their NPS score against their ratings of the touchpoints and the themes of "
        "their comments, in one model (Johnson's relative weights). A weight is the part of the "
        "explained variance (R²) a driver accounts for; intervals come from resampling "
        "respondents. A driver is marked important only when its weight exceeds that of a "
        "random predictor, with the error rate adjusted for every driver shown. This is "
        "association, not proof of cause.",
        "fi": "Mitkä kosketuspisteet ja teemat selittävät polun suositteluhalukkuutta. "
        "Vastaajittain (asiakas tai ilman asiakastunnistetta yksi kyselyvastaus) viimeisten "
        "365 päivän ajalta: NPS-vastaus kosketuspisteiden arvioita ja kommenttien teemoja "
        "vasten, yhdessä mallissa (Johnsonin suhteelliset painot). Paino on se osa selitetystä "
        "vaihtelusta (R²), jonka ajuri selittää; luottamusvälit saadaan vastaajia "
        "uudelleenotannalla. Ajuri merkitään tärkeäksi vain, kun sen paino ylittää "
        "satunnaismuuttujan painon, virhetaso korjattuna kaikkien näytettyjen ajureiden määrällä. "
        "Kyse on yhteydestä, ei todisteesta syy-seuraussuhteesta.",
    },
    "drivers_model": {
        "en": "{n} of {respondents} respondents in the model ({start} – {end}); R² {r2} "
        "(confidence interval {r2_low} … {r2_high}); {resamples} resamples; labels adjusted "
        "for {comparisons} drivers.",
        "fi": "Mallissa {n} vastaajaa {respondents}:sta ({start} – {end}); R² {r2} "
        "(luottamusväli {r2_low} … {r2_high}); {resamples} uudelleenotosta; merkinnät "
        "korjattu {comparisons} ajurin mukaan.",
    },
    "not_enough_respondents": {
        "en": "Not enough respondents: {respondents} answered the relationship survey in "
        "{start} – {end}, and a ranking needs at least {min} who also rated the touchpoints. "
        "Nothing is ranked.",
        "fi": "Liian vähän vastaajia: suhdekyselyyn vastasi {respondents} ajalla {start} – "
        "{end}, ja järjestys vaatii vähintään {min}, jotka myös arvioivat kosketuspisteet. "
        "Mitään ei järjestetä.",
    },
    "collinear": {
        "en": "The touchpoints' ratings move together too closely to be told apart: nothing "
        "is ranked.",
        "fi": "Kosketuspisteiden arviot liikkuvat liian tiiviisti yhdessä erotettaviksi: "
        "mitään ei järjestetä.",
    },
    "share_of_r2": {"en": "Share of R² %", "fi": "Osuus R²:sta %"},
    "driver_weight": {"en": "Weight", "fi": "Paino"},
    "performance": {"en": "Performance", "fi": "Tulos"},
    "important": {"en": "important", "fi": "tärkeä"},
    "not_in_model": {"en": "not in the model", "fi": "ei mallissa"},
    "priority_title": {
        "en": "Importance and performance: {journey}",
        "fi": "Tärkeys ja tulos: {journey}",
    },
    "priority_desc": {
        "en": "{count} touchpoints by their share of R² and their score; priorities (above-mean "
        "importance, below-mean performance): {priorities}.",
        "fi": "{count} kosketuspistettä osuutena R²:sta ja tuloksena; prioriteetit "
        "(keskimääräistä tärkeämpi, keskimääräistä heikompi): {priorities}.",
    },
    "priority_empty": {
        "en": "No touchpoint is in the model.",
        "fi": "Yksikään kosketuspiste ei ole mallissa.",
    },
    "priority_x": {"en": "Importance: share of R² (%)", "fi": "Tärkeys: osuus R²:sta (%)"},
    "priority_y": {
        "en": "Performance (0–100 on the KPI's scale)",
        "fi": "Tulos (0–100 mittarin asteikolla)",
    },
    "priorities": {"en": "priorities", "fi": "prioriteetit"},
    "priority_important": {
        "en": "weight above a random predictor's",
        "fi": "paino yli satunnaismuuttujan",
    },
    "priority_chance": {
        "en": "interval includes a random predictor's",
        "fi": "väli sisältää satunnaismuuttujan",
    },
    "priorities_list": {
        "en": "Priorities (matter more than average, perform worse than average): {names}.",
        "fi": "Prioriteetit (keskimääräistä tärkeämpiä, tulos keskimääräistä heikompi): {names}.",
    },
    "relationship_point": {
        "en": "Relationship KPI: {kpi} ({point}).",
        "fi": "Suhdemittari: {kpi} ({point}).",
    },
    "driver": {"en": "Driver", "fi": "Ajuri"},
    "kind": {"en": "Kind", "fi": "Laji"},
    "respondents": {"en": "respondents", "fi": "vastaajat"},
    "positive": {"en": "positive", "fi": "myönteinen"},
    "negative": {"en": "negative", "fi": "kielteinen"},
    "no_drivers": {
        "en": "No journey has a relationship (NPS) measurement point to explain.",
        "fi": "Yhdelläkään polulla ei ole selitettävää suhdemittauspistettä (NPS).",
    },
    "links": {"en": "Business outcomes", "fi": "Liiketoimintavaikutus"},
    "links_intro": {
        "en": "Business KPIs beside the CX KPIs the program links them to. Two monthly series "
        "that merely both trend or drift correlate strongly by chance, so what is correlated is "
        "their change from one complete period to the next, tested with the number of "
        "independent changes their autocorrelation leaves (effective n) and adjusted across the "
        "links. A link whose changes go against the expected direction beyond chance is "
        "flagged. A correlation is an association, not proof that one moves the other.",
        "fi": "Liiketoiminnan mittarit niiden asiakaskokemusmittareiden rinnalla, joihin ohjelma "
        "ne kytkee. Kaksi kuukausisarjaa, jotka vain kumpikin nousevat tai ajelehtivat, "
        "korreloivat sattumalta vahvasti, joten korreloidaan niiden muutoksia kokonaisesta "
        "jaksosta seuraavaan, testataan autokorrelaation jättämällä riippumattomien muutosten "
        "määrällä (efektiivinen n) ja korjataan kytkösten kesken. Kytkös, jonka muutokset "
        "kulkevat sattumaa selvemmin odotettua suuntaa vastaan, on merkitty. Korrelaatio on "
        "yhteys, ei todiste siitä, että toinen liikuttaa toista.",
    },
    "link_changes": {
        "en": "Correlation of the changes r",
        "fi": "Muutosten korrelaatio r",
    },
    "n_effective": {
        "en": "Independent changes (effective n)",
        "fi": "Riippumattomia muutoksia (efektiivinen n)",
    },
    "no_links": {
        "en": "The program links no business KPI to a CX KPI.",
        "fi": "Ohjelma ei kytke liiketoiminnan mittareita asiakaskokemusmittareihin.",
    },
    "expected": {"en": "Expected direction", "fi": "Odotettu suunta"},
    "correlation": {"en": "Correlation r", "fi": "Korrelaatio r"},
    "periods_paired": {"en": "Periods paired (n)", "fi": "Jaksopareja (n)"},
    "supported": {"en": "supported", "fi": "tuettu"},
    "contradicted": {"en": "contradicted", "fi": "kumottu"},
    "inconclusive": {"en": "inconclusive", "fi": "ei ratkaisevaa näyttöä"},
    "link_contradicted": {
        "en": "The data contradicts the expected direction: from period to period the two "
        "sides move against each other beyond chance, after adjusting across the links.",
        "fi": "Data kumoaa odotetun suunnan: jaksosta toiseen puolet liikkuvat toisiaan vastaan "
        "sattumaa selvemmin, kytkösten kesken korjattuna.",
    },
    "link_flat": {
        "en": "Not estimable: one side does not change from period to period.",
        "fi": "Ei laskettavissa: toinen puoli ei muutu jaksosta toiseen.",
    },
    "link_too_few": {
        "en": "Not enough periods: {n} pair up, and a link is read from at least {min} complete "
        "business periods that each hold whole periods of the CX side.",
        "fi": "Liian vähän jaksoja: pareja on {n}, ja kytkös luetaan vähintään {min} "
        "kokonaisesta liiketoiminnan jaksosta, joihin mahtuu asiakaskokemuspuolen kokonaisia "
        "jaksoja.",
    },
    "by_group": {"en": "By respondent group", "fi": "Vastaajaryhmittäin"},
    "by_group_intro": {
        "en": "Each customer's newest answer puts them in a group; their outcome is the mean of "
        "their {kpi} records from that day on.",
        "fi": "Asiakkaan uusin vastaus määrää hänen ryhmänsä; tulos on hänen {kpi}-tietojensa "
        "keskiarvo siitä päivästä alkaen.",
    },
    "respondent_group": {"en": "Group", "fi": "Ryhmä"},
    "group_promoters": {"en": "promoters (9–10)", "fi": "suosittelijat (9–10)"},
    "group_passives": {"en": "passives (7–8)", "fi": "passiiviset (7–8)"},
    "group_detractors": {"en": "detractors (0–6)", "fi": "arvostelijat (0–6)"},
    "group_positive": {"en": "positive answers", "fi": "myönteiset vastaukset"},
    "group_other": {"en": "other answers", "fi": "muut vastaukset"},
    "group_difference": {
        "en": "Difference, {best} − {worst}: {delta} (interval {interval}, {p}).",
        "fi": "Ero, {best} − {worst}: {delta} (luottamusväli {interval}, {p}).",
    },
    "by_group_no_customer_records": {
        "en": "Outcomes by respondent group (say, promoters against detractors) are not "
        "available: the business KPI's values carry no customer keys (values loaded per "
        "period never do; a per-customer export through a source would).",
        "fi": "Tulosta vastaajaryhmittäin (esimerkiksi suosittelijat ja arvostelijat) ei voi "
        "laskea: liiketoiminnan mittarin arvoissa ei ole asiakastunnisteita (jaksoittain "
        "ladatuissa ei koskaan; asiakaskohtainen vienti lähteen kautta toisi ne).",
    },
    "by_group_no_records_after": {
        "en": "Outcomes by respondent group are not available: no customer has business "
        "records on or after their newest answer.",
        "fi": "Tulosta vastaajaryhmittäin ei voi laskea: yhdelläkään asiakkaalla ei ole "
        "liiketoimintatietoja uusimman vastauksensa jälkeen.",
    },
    "by_group_no_groups": {
        "en": "Outcomes by respondent group are not available: the CX KPI's answers form no "
        "groups (a mean).",
        "fi": "Tulosta vastaajaryhmittäin ei voi laskea: asiakaskokemusmittarin vastauksista "
        "ei muodostu ryhmiä (keskiarvo).",
    },
    "by_group_no_points": {
        "en": "Outcomes by respondent group are not available: the link has no measurement "
        "point on one of its sides.",
        "fi": "Tulosta vastaajaryhmittäin ei voi laskea: kytköksen toisella puolella ei ole "
        "mittauspistettä.",
    },
    "cx_side": {"en": "CX", "fi": "Asiakaskokemus"},
    "business_side": {"en": "Business", "fi": "Liiketoiminta"},
    "fatigue": {"en": "Survey fatigue", "fi": "Kyselykuormitus"},
    "fatigue_intro": {
        "en": "How often the same customer is surveyed, counted from the answers with a "
        "customer key.",
        "fi": "Kuinka usein samalta asiakkaalta kysytään, laskettuna vastauksista, joissa on "
        "asiakastunniste.",
    },
    "no_policy": {
        "en": "The program has no contact policy; only the measurement points' own contact "
        "rules are checked.",
        "fi": "Ohjelmassa ei ole yhteydenottokäytäntöä; vain mittauspisteiden omat "
        "yhteydenottorajat tarkistetaan.",
    },
    "policy_line": {
        "en": "Contact policy: at most {max} surveys per customer in {days} days.",
        "fi": "Yhteydenottokäytäntö: enintään {max} kyselyä asiakasta kohden {days} päivässä.",
    },
    "window_line": {
        "en": "{start} – {end}: customers surveyed: {surveyed}; of them surveyed more often "
        "than the policy allows: {over} ({share}).",
        "fi": "{start}–{end}: kyselyn sai {surveyed} asiakasta, heistä {over} ({share}) "
        "useammin kuin käytäntö sallii.",
    },
    "surveys_per_customer": {"en": "Surveys per customer", "fi": "Kyselyjä asiakasta kohden"},
    "surveys": {"en": "Surveys", "fi": "Kyselyjä"},
    "customers": {"en": "Customers", "fi": "Asiakkaita"},
    "surveyed_customers": {"en": "Surveyed customers", "fi": "Kyselyn saaneita"},
    "over_policy": {"en": "Over the policy", "fi": "Yli käytännön"},
    "rule": {"en": "Rule", "fi": "Hakuehto"},
    "rule_any": {"en": "Rule: any of", "fi": "Hakuehto: jokin näistä"},
    "rule_all": {"en": "Rule: all of", "fi": "Hakuehto: kaikki nämä"},
    "rule_none": {"en": "Rule: none of", "fi": "Hakuehto: ei mikään näistä"},
    "rule_regex": {"en": "Rule: regular expression", "fi": "Hakuehto: säännöllinen lauseke"},
    "read_from": {"en": "Read from the comments of", "fi": "Luetaan kommenteista mittareille"},
    "fatigue_history": {"en": "Over time", "fi": "Ajan mittaan"},
    "fatigue_history_intro": {
        "en": "The policy's window ending at each month end.",
        "fi": "Käytännön aikaikkuna kunkin kuun lopussa.",
    },
    "contact_rules": {
        "en": "Contact rules of measurement points",
        "fi": "Mittauspisteiden yhteydenottorajat",
    },
    "contact_rule": {"en": "Rule", "fi": "Raja"},
    "rule_line": {"en": "{max} per {days} days", "fi": "{max} / {days} päivää"},
    "over_rule": {"en": "Over the rule", "fi": "Yli rajan"},
    "voc_home_themes": {
        "en": "Themes mentioned with a lower KPI: {count}",
        "fi": "Teemoja, joiden mainitsijoilla on matalampi mittari: {count}",
    },
    "voc_home_links": {
        "en": "business links contradicted by the data: {count} of {links}",
        "fi": "datan kumoamia liiketoimintakytköksiä: {count}/{links}",
    },
    "voc_home_fatigue": {
        "en": "customers surveyed more often than the contact policy allows: {count}",
        "fi": "asiakkaita, joilta kysytty useammin kuin käytäntö sallii: {count}",
    },
    "voc_home_none": {
        "en": "The program defines no themes, business links or contact policy.",
        "fi": "Ohjelmassa ei ole teemoja, liiketoimintakytköksiä eikä yhteydenottokäytäntöä.",
    },
    # subscribing and embedding: the Atom feed and the status badges
    "subscribe": {"en": "Subscribe and embed", "fi": "Tilaa ja upota"},
    "feed_line": {
        "en": "Status changes and new, escalated and closed actions as an Atom feed:",
        "fi": "Tilamuutokset sekä uudet, eskaloidut ja suljetut toimenpiteet Atom-syötteenä:",
    },
    "badge_line": {
        "en": "Status badge for wikis and READMEs (the address stays the same):",
        "fi": "Tilamerkki wikeihin ja README-tiedostoihin (osoite pysyy samana):",
    },
    "badge_alt": {"en": "status badge: {name}", "fi": "tilamerkki: {name}"},
    "badge_address": {"en": "its address", "fi": "sen osoite"},
    # charts
    "chart_period": {"en": "Period start", "fi": "Jakson alku"},
    "chart_value": {"en": "value", "fi": "arvo"},
    "chart_revision": {"en": "target revision", "fi": "tavoitteen muutos"},
}


@dataclass(frozen=True)
class Locale:
    language: Language

    @property
    def code(self) -> str:
        return self.language.value

    def t(self, key: str, **values: object) -> str:
        """The message `key` in this language, with `{name}` placeholders filled."""
        text = MESSAGES[key][self.code]
        return text.format(**values) if values else text

    def number(self, value: float | None, digits: int = 1) -> str:
        """1,234.5 in English; 1 234,5 in Finnish (a no-break space groups thousands)."""
        if value is None:
            return "–"
        text = f"{value:,.{digits}f}"
        if self.language is Language.FI:
            text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")
        return text

    def integer(self, value: int) -> str:
        return self.number(value, 0)

    def percent(self, share: float | None) -> str:
        """A share 0..1 as a percentage."""
        if share is None:
            return "–"
        text = self.number(100 * share, 0)
        return f"{text}\u00a0%" if self.language is Language.FI else f"{text}%"

    def date(self, day: dt.date | None) -> str:
        """22.11.2026 in Finnish; 2026-11-22 in English."""
        if day is None:
            return "–"
        if self.language is Language.FI:
            return f"{day.day}.{day.month}.{day.year}"
        return day.isoformat()

    def month(self, day: dt.date) -> str:
        """A short month label for chart axes."""
        names = _MONTHS_FI if self.language is Language.FI else _MONTHS_EN
        return f"{names[day.month - 1]} {day.year % 100:02d}"

    def period(self, start: dt.date, end: dt.date) -> str:
        if self.language is Language.FI:
            return f"{self.date(start)}–{self.date(end)}"
        return f"{start.isoformat()} – {end.isoformat()}"
