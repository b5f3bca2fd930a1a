"""Interface text, numbers, money and dates in English and Danish: gettext catalogues read with Babel."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent

from skills import rules
from skills.regions import region_name as region_name
from skills.regions import region_names as region_names
from skills.schemas import SKILL_GROUP_NAMES, SKILL_GROUP_NAMES_DA

# Pages name regions through this interface module (region_name, region_names re-exported above).

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

#: The interface languages: code -> the language's own name (what the switch shows).
LANGUAGES: Final = {"en": "English", "da": "Dansk"}
DEFAULT_LANGUAGE: Final = "en"
#: Where the session keeps the chosen language (plain session state, kept on every page).
LANGUAGE_KEY: Final = "vetplan_language"
#: The sidebar switch's widget key: Streamlit drops a widget's key when a run does not draw it, so the
#: switch copies its choice to :data:`LANGUAGE_KEY` instead of being the place the choice lives.
LANGUAGE_SWITCH_KEY: Final = "vetplan_language_switch"
#: The switch's label, in both languages and never translated: a widget whose label changes is a new
#: widget to Streamlit, which would drop the choice on the rerun that switches.
LANGUAGE_LABEL: Final = "Language / Sprog"
#: The Babel locale that formats numbers, money and dates of each language.
LOCALES: Final = {"en": "en_GB", "da": "da_DK"}
#: Catalogue folder: ``<lang>/LC_MESSAGES/vetplan.po``, read at run time (no build step).
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
DOMAIN: Final = "vetplan"
#: Money as whole amounts with the ISO code, where each language puts it (``EUR 50,000`` / ``50.000 EUR``).
_MONEY_PATTERNS: Final = {"en": "¤¤ #,##0", "da": "#,##0 ¤¤"}
#: Where each language puts the currency code beside a compact amount (``EUR 22.5k`` / ``22,5 t EUR``).
_COMPACT_MONEY: Final = {"en": "{currency} {amount}", "da": "{amount} {currency}"}
#: A text cell that holds a plain number (``"23"``, ``"4.5"``): written in the language like a number cell.
_NUMBER_TEXT: Final = re.compile(r"-?\d+(\.\d+)?")
#: What an empty cell shows.
BLANK: Final = ""
#: What a withheld figure (``:c``) shows.
WITHHELD: Final = "–"
#: Columns whose numbers are names, not figures (years, codes): shown as written, never ``2,027``.
PLAIN_COLUMNS: Final = frozenset(
    {"year", "needed_by", "role", "occupation", "run_id", "data_version", "sector", "region", "company_id", "course_id", "isco"}
)
#: What a protected figure shows instead of a number (skills.disclosure's mark).
CONFIDENTIAL_MARK: Final = ":c"
#: The files whose ``_("...")`` texts make up the catalogues.
PROJECT_ROOT: Final = Path(__file__).resolve().parents[1]
SOURCES: Final = ("app.py", "pages/*.py", "skills/i18n.py", "skills/templates.py")
#: The name a translated text is called through (``_ = cached.translator()``, then ``_("...")``).
MARKER: Final = "_"


def catalogue_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def messages(language: str) -> dict[str, str]:
    """msgid -> translated text of ``language``'s catalogue, read once per process.

    Entries with an empty or fuzzy translation are left out, so their English
    msgid is shown (the catalogue test fails on them).
    """
    with catalogue_path(language).open("rb") as file:
        catalogue = read_po(file, locale=LOCALES[language], domain=DOMAIN)
    found: dict[str, str] = {}
    for message in catalogue:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string and not message.fuzzy:
            found[message.id] = message.string
    return found


def language_of(value: object) -> str:
    """``value`` when it is a known language code, else the default (a stale or forged session value)."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """Interface text and formats of one language.

    Parameters
    ----------
    language
        A key of :data:`LANGUAGES`.
    """

    language: str = DEFAULT_LANGUAGE

    @property
    def locale(self) -> str:
        """The Babel locale of the language (``en_GB``, ``da_DK``)."""
        return LOCALES[self.language]

    def gettext(self, message: str) -> str:
        """``message`` (an English msgid) in the language; the msgid itself when it has no translation."""
        return messages(self.language).get(message, message)

    __call__ = gettext

    def number(self, value: float, digits: int = 0) -> str:
        """``value`` with the language's separators and ``digits`` decimals (``1,506`` / ``1.506``)."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, amount: float, currency: str) -> str:
        """A whole amount of ``currency`` (ISO 4217): ``EUR 50,000`` / ``50.000 EUR``."""
        return format_currency(
            amount, currency, format=_MONEY_PATTERNS[self.language], locale=self.locale, currency_digits=False
        )

    def compact_money(self, amount: float, currency: str) -> str:
        """An amount short enough for a metric: ``EUR 218.9k`` / ``218,9 t EUR`` (whole amounts below a thousand)."""
        number = format_compact_decimal(amount, format_type="short", locale=self.locale, fraction_digits=1)
        return _COMPACT_MONEY[self.language].format(currency=currency, amount=number)

    def moment(self, value: dt.datetime | str) -> str:
        """A date and time as the language writes it (``03/12/2026, 12:50`` / ``03.12.2026 12.50``)."""
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return format_datetime(when, format="short", locale=self.locale)

    def cell(self, value: Any, digits: int | None = None) -> str:
        """One table cell as text in the language: a number with its separators (whole numbers without
        decimals unless ``digits`` says), a missing value blank, anything else as written."""
        if value is None or value is pd.NA or value is pd.NaT:
            return BLANK
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            if value.strip() == CONFIDENTIAL_MARK:
                return WITHHELD
            if _NUMBER_TEXT.fullmatch(value.strip()):
                return self.cell(float(value), digits)
            return BLANK if value.strip().casefold() in {"nan", "none", "<na>"} else value
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, int | float):
            if isinstance(value, float) and math.isnan(value):
                return BLANK
            places = digits if digits is not None else 0 if float(value).is_integer() else 1
            return self.number(value, places)
        return str(value)

    def plain(self, value: Any) -> str:
        """A cell shown as written (a name, a code, a year): missing values blank, whole numbers without ``.0``."""
        if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return BLANK
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        text = str(value)
        if text.strip() == CONFIDENTIAL_MARK:
            return WITHHELD
        return BLANK if text.strip().casefold() in {"nan", "none", "<na>"} else text

    def table(
        self, frame: pd.DataFrame, labels: Mapping[str, str] | None = None, *, digits: Mapping[str, int] | None = None
    ) -> Styler:
        """``frame`` as a page shows it: figures kept as numbers (so a column sorts by value) and displayed through
        :meth:`cell` (the language's separators, missing cells blank; ``digits`` decimals per column), names and codes
        as written, yes/no columns kept, columns named by ``labels``.

        A column with a withheld figure (``:c``) or a range stays text: its cells cannot all be numbers.
        """
        places = digits or {}
        data = pd.DataFrame(index=frame.index)
        formats: dict[str, Callable[[Any], str]] = {}
        for column in frame.columns:
            values = frame[column]
            if pd.api.types.is_bool_dtype(values):
                data[column] = values
                continue
            numeric = pd.api.types.is_numeric_dtype(values)
            if str(column) in PLAIN_COLUMNS or (not numeric and not _figures_as_text(values)):
                data[column] = pd.Series([self.plain(value) for value in values.tolist()], index=frame.index, dtype="string")
                continue
            if not numeric and values.astype("string").str.strip().eq(CONFIDENTIAL_MARK).any():
                data[column] = pd.Series([self.cell(value) for value in values.tolist()], index=frame.index, dtype="string")
                continue
            figures = pd.to_numeric(values, errors="coerce").astype("float64")
            whole = places.get(column)
            if whole is None:
                finite = figures.dropna()
                whole = 0 if finite.empty or bool((finite % 1 == 0).all()) else 1  # one number of decimals a column
            counts = figures.dropna()
            whole_numbers = bool((counts % 1 == 0).all()) and bool((counts.abs() < 2**53).all())
            data[column] = figures.astype("Int64") if whole_numbers else figures  # a count stays a whole number
            formats[str(column)] = functools.partial(self.cell, digits=whole)
        names = dict(labels or {})
        data = data.rename(columns=names)
        if not data.columns.is_unique:  # two columns shown under one name: Styler needs unique names, so text it is
            return pd.DataFrame(
                {name: [formats[str(column)](value) for value in data.iloc[:, index]] if str(column) in formats else data.iloc[:, index]
                 for index, (column, name) in enumerate(zip(frame.columns, data.columns, strict=True))}
            ).style
        return data.style.format({names.get(column, column): formatter for column, formatter in formats.items()})

    def figures(self, columns: Mapping[str, list[Any]], row_digits: list[int], column_digits: Mapping[str, int]) -> Styler:
        """A table of figures by row (one key figure a row; the first column names it): the figures kept as numbers,
        each written with its row's decimals (``row_digits``), or its column's (``column_digits``), in the language."""
        names = list(columns)
        data = pd.DataFrame({names[0]: [self.plain(value) for value in columns[names[0]]]})
        for name in names[1:]:
            data[name] = pd.to_numeric(pd.Series(columns[name], dtype="object"), errors="coerce").astype("float64")
        styled = data.style
        by_row = [name for name in names[1:] if name not in column_digits]
        for row, digits in enumerate(row_digits):
            styled = styled.format(functools.partial(self.cell, digits=digits), subset=pd.IndexSlice[[row], by_row])
        for name, digits in column_digits.items():
            styled = styled.format(functools.partial(self.cell, digits=digits), subset=[name])
        return styled

    def chart_values(self) -> dict[str, str]:
        """Words a chart's data holds (payers, statuses, skill groups, reasons) -> the text in the language."""
        _ = self
        groups = SKILL_GROUP_NAMES_DA if self.language == "da" else SKILL_GROUP_NAMES
        return {
            **self.words(),
            "closed": _("closed"), "unmet": _("unmet"), "covered": _("covered"), "uncovered": _("uncovered"),
            "split not shown": _("split not shown"),
            "company": _("company"), "other": _("other"),
            **{SKILL_GROUP_NAMES[code]: name for code, name in groups.items()},
            **groups,
        }

    def in_words(self, values: pd.Series) -> pd.Series:
        """``values`` with each code or English word of :meth:`words` in the language, also inside a list of them.

        A cell may join several reasons with ``"; "`` (a curriculum gap that no course reaches for two
        reasons): each part is translated; a value or part not listed stays as it is.

        >>> Translator("da").in_words(pd.Series(["online", "entry level above current level; online"])).tolist()
        ['netbaseret', 'startniveauet ligger over det nuværende niveau; netbaseret']
        """
        words = self.words()

        def one(value: object) -> object:
            if not isinstance(value, str):
                return value
            if value in words:
                return words[value]
            return "; ".join(words.get(part, part) for part in value.split("; "))

        return values.map(one)

    def words(self) -> dict[str, str]:
        """Values tables hold as codes or English words (course modes, priorities, market balance, roles, the reasons
        a gap stays open) -> the text in the language; a value not listed is shown as it is."""
        _ = self
        reasons = {
            "no_course_for_skill": _("no course in the catalogue teaches the skill"),
            "no_course_reaches_level": _("no course teaches the skill up to the required level"),
            "entry_level_too_high": _("the courses that reach the level start above the staff's current level"),
            "no_course_in_region": _("suitable courses run only in other regions and not online"),
            "not_in_region": _("suitable courses run only in other regions and not online"),
            "cohort_too_small": _("too few people need the suitable courses to fill a minimum cohort"),
            "budget_exhausted": _("the public budget is used up"),
            "seats_or_runs_exhausted": _("the suitable courses' seats and runs are used up"),
            "company_capacity": _("the company cannot release more staff for training"),
            "company_cost_cap": _("the company's cost cap is reached"),
            "provider_capacity": _("the providers' trainer hours are used up"),
            "no_hires_available": _("no hire can close it"),
            "coverage_target_met": _("the coverage target is met; closing more would only add cost"),
            "not_worth_its_cost": _("closing it would cost more than it is worth at the scenario's gap-unit value"),
            "solver_stopped": _("the solver stopped within its gap; a better plan may close it"),
        }
        company_reasons = {  # skills.company_view.NO_COURSE_REASONS
            "no course in the catalogue teaches this skill": _("no course in the catalogue teaches this skill"),
            "no course teaches this skill up to the level required": _("no course teaches this skill up to the level required"),
            "every course that reaches the level starts above the staff's current level": _(
                "every course that reaches the level starts above the staff's current level"
            ),
            "the courses that fit run only in other regions and none is online": _(
                "the courses that fit run only in other regions and none is online"
            ),
            "no course reaches the level": _("no course reaches the level"),
            "no course teaches the skill": _("no course teaches the skill"),  # skills.gaps.WHY_UNCOVERED
            "entry level above current level": _("entry level above current level"),
            "not offered in the region": _("not offered in the region"),
        }
        return {
            **reasons,
            **{english: reasons[code] for code, english in rules.UNMET_REASONS.items() if code in reasons},
            **company_reasons,
            "in-person": _("in-person"), "online": _("online"), "blended": _("blended"),
            "high": _("high"), "medium": _("medium"), "low": _("low"),
            "surplus": _("surplus"), "balanced": _("balanced"), "shortage": _("shortage"),
            "public": _("public"), "Total": _("Total"), "role not stated": _("role not stated"), "(not stated)": _("role not stated"),
            "optimal": _("optimal"), "feasible": _("good plan"), "poor": _("poor"), "infeasible": _("infeasible"),
            "none": _("none"),
        }

    def people(self, phrase: str) -> str:
        """Whole people as :func:`optimisation.explain.people` writes them (``about 19 people``) in the language."""
        _ = self
        found = re.fullmatch(r"(about )?(\d+) (people|person)", phrase)
        if not found:
            return phrase
        count = int(found.group(2))
        whole = (_("{count} person") if count == 1 else _("{count} people")).format(count=self.number(count))
        return _("about {people}").format(people=whole) if found.group(1) else whole

    def _explanation_templates(self) -> list[tuple[str, str]]:
        """The explanations' sentences and their parts: (the English text :mod:`optimisation.explain` writes, with
        named placeholders, the same text in the language)."""
        _ = self
        english = {
            # what one more unit of a resource buys (shadow prices)
            "{start} would lower total cost by {money}.": _("{start} would lower total cost by {money}."),
            "{start} would not lower total cost with the runs as planned.": _(
                "{start} would not lower total cost with the runs as planned."),
            "{start} would close {units} more weighted gap units ({money} more spent in total).": _(
                "{start} would close {units} more weighted gap units ({money} more spent in total)."),
            "{start} would close nothing more with the runs as planned.": _("{start} would close nothing more with the runs as planned."),
            "{sentence}; if runs could be added, about {units} weighted gap units (LP estimate).": _(
                "{sentence}; if runs could be added, about {units} weighted gap units (LP estimate)."),
            "{sentence}; if runs could be added, about {money} less cost (LP estimate).": _(
                "{sentence}; if runs could be added, about {money} less cost (LP estimate)."),
            "One more trainer hour at {provider} in {year} would lower total cost by about {money}.": _(
                "One more trainer hour at {provider} in {year} would lower total cost by about {money}."),
            "One more trainer hour at {provider} in {year} is worth about {units} weighted gap units ({money} of net value, runs "
            "free to grow beyond the plan).": _(
                "One more trainer hour at {provider} in {year} is worth about {units} weighted gap units ({money} of net value, "
                "runs free to grow beyond the plan)."),
            "One more {money} of public budget in {year}": _("One more {money} of public budget in {year}"),
            "One more seat on {course} in {year}": _("One more seat on {course} in {year}"),
            "One more {skill} hire available in {region} in {year}": _("One more {skill} hire available in {region} in {year}"),
            "One more training place for {company} in {year}": _("One more training place for {company} in {year}"),
            # why a gap stays unmet
            "{company} needs {people} at level {required} in {skill} by {deadline} (now level {current}): {unmet} stay unmet "
            "because {because}.": _(
                "{company} needs {people} at level {required} in {skill} by {deadline} (now level {current}): {unmet} stay "
                "unmet because {because}."),
            "{company} needs {people} at level {required} in {skill} by {deadline} (now level {current}): {unmet} stays "
            "unmet because {because}.": _(
                "{company} needs {people} at level {required} in {skill} by {deadline} (now level {current}): {unmet} stays "
                "unmet because {because}."),
            "no course teaches {skill}": _("no course teaches {skill}"),
            "no course reaches level {required} (the highest taught is {highest})": _(
                "no course reaches level {required} (the highest taught is {highest})"),
            "courses reaching level {required} need entry level {entry} or more; staff are at level {current}": _(
                "courses reaching level {required} need entry level {entry} or more; staff are at level {current}"),
            "courses reaching level {required} run only outside {region} and not online": _(
                "courses reaching level {required} run only outside {region} and not online"),
            "too few people in reach need the suitable courses to fill a cohort of at least {minimum}": _(
                "too few people in reach need the suitable courses to fill a cohort of at least {minimum}"),
            "the public budget is used up in {years}": _("the public budget is used up in {years}"),
            "every suitable course's runs are at their yearly maximum and full": _(
                "every suitable course's runs are at their yearly maximum and full"),
            "{company} already sends as many staff as it can release": _("{company} already sends as many staff as it can release"),
            "{company} has reached its cost cap": _("{company} has reached its cost cap"),
            "the providers of the suitable courses have no trainer hours left": _(
                "the providers of the suitable courses have no trainer hours left"),
            "hires bring level {hire_level}, below the required {required}": _(
                "hires bring level {hire_level}, below the required {required}"),
            "the labour market in {region} offers no {skill} hires": _("the labour market in {region} offers no {skill} hires"),
            "a hire takes {months} months, too late for {deadline}": _("a hire takes {months} months, too late for {deadline}"),
            "the {skill} hires available in {region} are all taken": _("the {skill} hires available in {region} are all taken"),
        }
        return list(english.items())

    def explanation(self, sentence: str, names: Mapping[str, str] | None = None) -> str:
        """One sentence of :mod:`optimisation.explain` (what limits a plan, why a gap stays unmet) in the language.

        The sentence is read back against the English templates (:meth:`_explanation_templates`) and written
        again from the language's template: money and numbers in the language's format, whole people as
        ``about 19 people`` / ``ca. 19 personer``, the reasons and ``names`` (English skill labels -> the
        language's) translated. A sentence no template matches is shown as it is.
        """
        found = self._read_explanation(sentence, names or {})
        return sentence if found is None else found

    def _read_explanation(self, text: str, names: Mapping[str, str], part: bool = False) -> str | None:
        for english, translated in _template_patterns(self):
            matched = english.fullmatch(text)
            if matched is None:
                continue
            values = {key: self._explanation_value(key, value, names) for key, value in matched.groupdict().items()}
            if any(value is None for value in values.values()):
                continue
            return translated.format(**values)
        if part:  # a reason the rules state whole (the fallback reasons, with their own ';')
            return self.words().get(text)
        return None

    def _explanation_value(self, key: str, value: str, names: Mapping[str, str]) -> str | None:
        """One placeholder's value, read from the English sentence and written in the language (None: not readable)."""
        if key == "start":
            return self._read_explanation(value, names)
        if key == "sentence":  # a whole sentence whose full stop gave way to what follows
            whole = self._read_explanation(value + ".", names)
            return None if whole is None else whole.removesuffix(".")
        if key == "because":
            parts = self._reasons(value, names)
            return None if parts is None else "; ".join(parts)
        if key == "money":
            found = re.fullmatch(r"([A-Z]{3}) (-?[\d ]+)", value)
            return None if found is None else self.money(float(found.group(2).replace(" ", "")), found.group(1))
        if key == "units":
            return self.number(float(value), 3 if len(value.partition(".")[2]) == 3 else 2) if _NUMBER_TEXT.fullmatch(value) else None
        if key in {"people", "unmet"}:
            return self.people(value)
        if key in {"skill", "course", "company"}:
            return names.get(value, value)
        return value

    def _reasons(self, text: str, names: Mapping[str, str]) -> list[str] | None:
        """``reason; reason; …`` of an unmet sentence, each in the language (a reason may hold a ';' itself)."""
        if not text:
            return []
        pieces = text.split("; ")
        for count in range(1, len(pieces) + 1):
            head = self._read_explanation("; ".join(pieces[:count]), names, part=True)
            if head is None:
                continue
            rest = self._reasons("; ".join(pieces[count:]), names)
            if rest is not None:
                return [head, *rest]
        return None

    def setting_name(self, key: str) -> str:
        """What a scenario setting (``budget_per_year``, ``demand_growth.digital_data``) is called on a page."""
        _ = self
        names = {
            "budget_per_year": _("public budget per year"), "subsidy_rate": _("subsidy rate"),
            "company_cost_cap": _("cost cap per company"), "default_trainer_hours": _("trainer hours per provider"),
            "time_limit_s": _("time limit (s)"), "objective": _("objective"), "coverage_target": _("coverage target"),
            "years": _("years"), "demand_growth": _("demand growth"), "gap_unit_value": _("value of a closed gap unit"),
            "priority_weights": _("weights of the priorities"), "name": _("name"),
        }
        head, _dot, rest = key.partition(".")
        name = names.get(head, head.replace("_", " "))
        if not rest:
            return name
        groups = SKILL_GROUP_NAMES_DA if self.language == "da" else SKILL_GROUP_NAMES
        return f"{name}: {groups.get(rest, self.words().get(rest, rest.replace('_', ' ')))}"

    def setting_value(self, key: str, value: Any, currency: str) -> str:
        """A setting's value (as stored, or as a change writes it: ``250000``, ``0.05``, ``none``, ``{2027: 100000}``)
        in the language: money with its currency, shares as percentages, words translated."""
        _ = self
        text = _setting_text(value).strip()
        objectives = {"max_coverage": _("close the most gaps, then spend least"), "min_cost": _("spend least for a coverage target")}
        if text in objectives:
            return objectives[text]
        head = key.partition(".")[0]
        if text == "none":
            return _("unlimited") if head in {"budget_per_year", "company_cost_cap", "default_trainer_hours"} else _("none")
        if text in {"true", "false"}:
            return _("yes") if text == "true" else _("no")
        if text.startswith("{") and text.endswith("}"):
            entries = [entry.partition(": ") for entry in text[1:-1].split(", ") if entry]
            return "; ".join(f"{year}: {self.setting_value(key, value, currency)}" for year, _sep, value in entries)
        if text.startswith("[") and text.endswith("]"):
            return ", ".join(self.plain(item.strip()) for item in text[1:-1].split(",") if item.strip())
        if not _NUMBER_TEXT.fullmatch(text):
            return self.words().get(text, text.replace("_", " "))
        number = float(text)
        if head in {"budget_per_year", "company_cost_cap", "gap_unit_value"}:
            return self.money(number, currency)
        if head in {"subsidy_rate", "coverage_target", "demand_growth"}:
            return self.percent(number, 0 if round(number * 100, 6).is_integer() else 1)
        return self.cell(number)

    def changes(self, text: str, currency: str) -> str:
        """Changes against the base (``budget_per_year: 250000 -> 80000 (budget_cut); …``) in words and the language's
        formats: ``public budget per year: EUR 250,000 → EUR 80,000 (budget_cut)``; ``none`` as the word."""
        _ = self
        if text.strip() in {"", "none"}:
            return _("none")
        shown = []
        for change in text.split("; "):
            found = re.fullmatch(r"([\w.]+): (.*) -> (.*?)( \([^()]*\))?", change)
            if found is None:
                shown.append(change)
                continue
            key, before, after, source = found.groups()
            shown.append(
                f"{self.setting_name(key)}: {self.setting_value(key, before, currency)} → {self.setting_value(key, after, currency)}"
                + (source or "")
            )
        return "; ".join(shown)

    def problems(self, frame: pd.DataFrame) -> Styler:
        """An import's problems (``service.problems_frame``) as a page shows them: headers and severities in words."""
        _ = self
        labels = {
            "severity": _("severity"), "file": _("file"), "sheet": _("sheet"), "table": _("table"), "row": _("row"),
            "column": _("column"), "value": _("value"), "message": _("message"),
        }
        severities = {"error": _("error"), "warning": _("warning")}
        shown = frame.assign(severity=frame["severity"].replace(severities)) if "severity" in frame else frame
        if "message" in shown:
            shown = shown.assign(message=shown["message"].map(lambda text: self.problem_message(str(text))))
        return self.table(shown, labels, digits={"row": 0})

    def _problem_templates(self) -> list[tuple[str, str]]:
        """An import's row-level problems (:mod:`skills.schemas`, :mod:`skills.io`): (the English text, with named
        placeholders, the same text in the language). The more specific text of two that could both match comes first."""
        _ = self
        english = {
            "must be a whole number between {low} and {high}": _("must be a whole number between {low} and {high}"),
            "must be a whole number, at least {low}": _("must be a whole number, at least {low}"),
            "must be a whole number, at most {high}": _("must be a whole number, at most {high}"),
            "must be a whole number": _("must be a whole number"),
            "must be a number between {low} and {high}": _("must be a number between {low} and {high}"),
            "must be a number, at least {low}": _("must be a number, at least {low}"),
            "must be a number, at most {high}": _("must be a number, at most {high}"),
            "must be a number": _("must be a number"),
            "a value is required": _("a value is required"),
            "must be at most {limit} characters": _("must be at most {limit} characters"),
            "is {length} characters; at most {limit}": _("is {length} characters; at most {limit}"),
            "must be one of {values}": _("must be one of {values}"),
            "must match the pattern {pattern}": _("must match the pattern {pattern}"),
            "contains a control character": _("contains a control character"),
            "unknown {what}: not in {table} (import {first} first)": _("unknown {what}: not in {table} (import {first} first)"),
            "unknown {what}: not in {table}": _("unknown {what}: not in {table}"),
            "unknown company": _("unknown company"),
            "unknown skill": _("unknown skill"),
            "skill not recognised: sent to review (best guess {skill} ({score}))": _(
                "skill not recognised: sent to review (best guess {skill} ({score}))"),
            "skill not recognised: sent to review (no close skill)": _("skill not recognised: sent to review (no close skill)"),
            "required column {column} is missing from the header row": _("required column {column} is missing from the header row"),
            "required column {column} is missing": _("required column {column} is missing"),
            "column {column} appears twice in the header (columns {first} and {second})": _(
                "column {column} appears twice in the header (columns {first} and {second})"),
            "duplicate {key}: already on an earlier row": _("duplicate {key}: already on an earlier row"),
            "company {company} has a different {attribute} than on row {row}": _(
                "company {company} has a different {attribute} than on row {row}"),
            "a company name (or company_id) is required": _("a company name (or company_id) is required"),
            "required level is at or below the current level: kept as no gap": _(
                "required level is at or below the current level: kept as no gap"),
            "min_participants is larger than max_participants": _("min_participants is larger than max_participants"),
            "entry_level must be below the level the course reaches": _("entry_level must be below the level the course reaches"),
            "the row has more cells than the header has columns": _("the row has more cells than the header has columns"),
            "the row has {cells} cells; the header has {columns} columns": _("the row has {cells} cells; the header has {columns} columns"),
            "the table has a header but no data rows": _("the table has a header but no data rows"),
            "no rows at all: the sheet is empty": _("no rows at all: the sheet is empty"),
            "formula without a saved value: open the file in Excel and save it, or type the value": _(
                "formula without a saved value: open the file in Excel and save it, or type the value"),
            "has the wrong type ({check})": _("has the wrong type ({check})"),
        }
        return list(english.items())

    def problem_message(self, text: str) -> str:
        """One import problem's message (written in English by the import) in the language; a message no template
        reads is shown as it is. The names of tables and ids it holds (``skill``, ``companies``) in words too."""
        _ = self
        things = {
            "company": _("company"), "skill": _("skill"), "course": _("course"), "companies": _("companies"),
            "skills": _("skills"), "courses": _("courses"),
        }
        for english, translated in _template_patterns(self, "problems"):
            matched = english.fullmatch(text)
            if matched is not None:
                values = {key: things.get(value, value) if key in {"what", "table", "first"} else value
                          for key, value in matched.groupdict().items()}
                return translated.format(**values)
        return text

    def stale_note(self, text: str) -> str:
        """The note beside a run made on other data than the current (``service.stale_sentence``) in the language."""
        _ = self
        found = re.fullmatch(
            r"Run (?P<run>\d+) of (?P<scenario>.+) was made on (?P<made>data version \d+|an unknown data version); the data is now at "
            r"version (?P<current>\d+): vetplan scenario run (?P<command>.+) plans it again on the current data\.",
            text, re.DOTALL,
        )
        if found is None:
            return text
        made = found.group("made")
        version = made.removeprefix("data version ")
        made_shown = _("an unknown data version") if version == made else _("data version {version}").format(version=version)
        return _(
            "Run {run} of {scenario} was made on {made}; the data is now at version {current}: vetplan scenario run {scenario} "
            "plans it again on the current data."
        ).format(run=found.group("run"), scenario=found.group("scenario"), made=made_shown, current=found.group("current"))

    def chart_text(self, text: str) -> str:
        """A chart's title or axis title (skills.charts writes them in English) in the language: the catalogue's
        text, with the currency or the count of hidden cells put back where the title had them."""
        _ = self
        known = {
            "Course runs": _("Course runs"), "Course runs each year, by provider": _("Course runs each year, by provider"),
            "Course runs opened, by provider and year": _("Course runs opened, by provider and year"), "Gap units": _("Gap units"),
            "Gap units by skill group and sector": _("Gap units by skill group and sector"), "Gap units closed": _("Gap units closed"),
            "Gap units closed and left unmet, by skill group": _("Gap units closed and left unmet, by skill group"),
            "Gap units closed, by skill group": _("Gap units closed, by skill group"),
            "Gap units closed, weighted by priority": _("Gap units closed, weighted by priority"),
            "Gap units the course catalogue can cover": _("Gap units the course catalogue can cover"),
            "Largest skills gaps": _("Largest skills gaps"), "Paid by": _("Paid by"), "Provider": _("Provider"), "Run": _("Run"),
            "Skill group": _("Skill group"), "Skills in demand that no course covers": _("Skills in demand that no course covers"),
            "Status": _("Status"), "Weighted units closed": _("Weighted units closed"), "Year": _("Year"), "gap units": _("gap units"),
            "gap_units": _("gap units"), "uncovered gap units": _("uncovered gap units"), "why": _("why"), "group": _("skill group"),
            "sector": _("sector"),
        }
        if text in known:
            return known[text]
        with_currency = {
            "Budget ({currency})": _("Budget ({currency})"), "Cost ({currency})": _("Cost ({currency})"),
            "Cost per year, by who pays ({currency})": _("Cost per year, by who pays ({currency})"),
            "Gap units closed against the public budget ({currency} a year)": _("Gap units closed against the public budget ({currency} a year)"),
            "Public budget per year ({currency})": _("Public budget per year ({currency})"),
        }
        for english, translated in with_currency.items():
            found = re.fullmatch(re.escape(english).replace(re.escape("{currency}"), "([A-Z]{3})"), text)
            if found:
                return translated.format(currency=found.group(1))
        hidden = re.fullmatch(r"(\d+) confidential cell\(s\) \(:c\) not shown", text)
        if hidden:
            return _("{count} confidential cell(s) (:c) not shown").format(count=hidden.group(1))
        return text

    def describe(self, principal: Any, name: str | None = None) -> str:
        """Who a signed-in principal is, in the language: ``anna (company Dahl El-teknik ApS)`` / ``anna (virksomhed …)``.

        ``name`` is the company's name (a person reads names, not ids); without it the company id is shown.
        """
        _ = self
        roles = {"company": _("company"), "provider": _("school"), "policymaker": _("policymaker"), "analyst": _("analyst"),
                 "admin": _("administrator")}
        bound = (name or principal.company_id) if principal.company_id else principal.provider
        role = roles.get(str(principal.role), str(principal.role))
        return f"{principal.user} ({role}{' ' + bound if bound else ''})"

    def disclosure(self, terms: Mapping[str, Any], *, plan: bool = False) -> str:
        """The disclosure rules (``service.disclosure_terms()``) in words, for the caption beside a protected table;
        ``plan`` adds how plan tables pool participants, hires and unmet units."""
        _ = self
        if terms["perturbation"]:
            method = _(
                "Figures are perturbed by cell-key noise of up to {noise} % of the largest company's part of the cell: the same "
                "cell shows the same figure in every table, and totals are perturbed on their own, so they need not add up. "
                "A cell from fewer than {companies} companies shows only a range of its main figure ({bands}, …) and – for the rest."
            ).format(noise=self.number(terms["noise_pct"]), companies=terms["min_companies"], bands=", ".join(terms["bands"]))
        else:
            method = _(
                "Cells from fewer than {companies} companies, or where the {n} largest hold more than {k} % of any figure "
                "in the cell, are withheld and show as –."
            ).format(companies=terms["min_companies"], n=terms["dominance_n"], k=self.number(terms["dominance_pct"]))
        if not plan:
            return method
        return _(
            "Participants, hires and unmet units are pooled by sector, region, size band, skill, course and year; no company "
            "is named, and region totals are the plan's exact headline figures."
        ) + " " + method

    def percent(self, share: float, digits: int = 0) -> str:
        """A share (0.45) as a percentage with a space before the sign: ``45 %``, ``0.46 %`` / ``0,46 %``."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + " %"
        return format_percent(share, format=pattern, locale=self.locale)

    def date(self, value: dt.date | dt.datetime, length: str = "medium") -> str:
        """A date as the language writes it (``1 Mar 2027`` / ``1. mar. 2027``)."""
        return format_date(value, format=length, locale=self.locale)

    def budget(self, budget: float | dict[int, float] | None, currency: str) -> str:
        """A public budget in words: unlimited, none, an amount a year, or the amount of each year."""
        _ = self
        if budget is None:
            return _("unlimited")
        if isinstance(budget, dict):
            return "; ".join(f"{year}: {self.money(amount, currency)}" for year, amount in sorted(budget.items()))
        if budget == 0:
            return _("no public money")
        return _("{amount} a year").format(amount=self.money(budget, currency))


def _setting_text(value: Any) -> str:
    """A stored setting written as a scenario change writes it (``none``, ``true``, ``250000``, ``[2027, 2028]``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_setting_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_setting_text(item)}" for key, item in value.items()) + "}"
    return str(value)


@functools.cache
def _template_patterns(translator: Translator, kind: str = "explanations") -> list[tuple[re.Pattern[str], str]]:
    """Each explanation (or, ``kind="problems"``, import problem) template as a pattern reading its English text
    (placeholders as named groups), with the language's template."""
    patterns = []
    templates = translator._problem_templates() if kind == "problems" else translator._explanation_templates()
    for english, translated in templates:
        regex = "".join(
            re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
            for literal, name, _spec, _conversion in string.Formatter().parse(english)
        )
        patterns.append((re.compile(regex, re.DOTALL), translated))
    return patterns


def _figures_as_text(values: pd.Series) -> bool:
    """Whether a text column holds figures: every filled cell a plain number or the protected mark ``:c``."""
    filled = [str(value).strip() for value in values.tolist() if value is not None and not (isinstance(value, float) and math.isnan(value))
              and value is not pd.NA]
    numbers = [text for text in filled if _NUMBER_TEXT.fullmatch(text)]
    return bool(numbers) and all(text == CONFIDENTIAL_MARK or _NUMBER_TEXT.fullmatch(text) for text in filled)


def translator(language: object = DEFAULT_LANGUAGE) -> Translator:
    """The translator of ``language`` (unknown codes fall back to the default)."""
    return Translator(language_of(language))


def source_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """The files of :data:`SOURCES` under ``root``."""
    return sorted({path for pattern in SOURCES for path in root.glob(pattern)})


def extract_messages(paths: Iterable[Path]) -> tuple[dict[str, list[str]], list[str]]:
    """Every ``_("...")`` text of ``paths`` (AST walk), and the calls whose text is not a literal.

    Returns
    -------
    messages
        msgid -> the places (``file:line``) that use it.
    problems
        ``file:line`` of each ``_()`` call whose first argument is not one string literal
        (an f-string or a variable cannot be in a catalogue).
    """
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == MARKER):
                continue
            place = f"{path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path.name}:{node.lineno}"
            first = node.args[0] if len(node.args) == 1 and not node.keywords else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, []).append(place)
            else:
                problems.append(place)
    return found, problems


def expected_messages(root: Path = PROJECT_ROOT) -> dict[str, list[str]]:
    """Every msgid the catalogues must hold: the sources' ``_("...")`` texts and the templates' schema texts."""
    from skills.templates import catalogue_texts

    found, _problems = extract_messages(source_files(root))
    for text in catalogue_texts():
        found.setdefault(text, []).append("skills/templates.py:catalogue_texts")
    return found


def update_catalogues(root: Path = PROJECT_ROOT) -> dict[str, tuple[int, int]]:
    """Bring each catalogue in line with the sources: add new msgids (untranslated), drop stale ones.

    English gets the msgid as its text; other languages an empty text to fill in
    (the catalogue test fails until it is). Returns language -> (added, removed).
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    wanted = expected_messages(root)
    changes: dict[str, tuple[int, int]] = {}
    for language in LANGUAGES:
        path = catalogue_path(language)
        if path.exists():
            with path.open("rb") as file:
                old = read_po(file, locale=LOCALES[language], domain=DOMAIN)
        else:
            old = Catalog(locale=LOCALES[language], domain=DOMAIN)
        new = Catalog(
            locale=LOCALES[language], domain=DOMAIN, project="vetplan", version="1", fuzzy=False,
            header_comment=f"# vetplan interface text in {LANGUAGES[language]}.\n# Update with `python -m skills.i18n`, then fill in every empty msgstr.",
            copyright_holder="vetplan", creation_date=old.creation_date, revision_date=old.creation_date,
            last_translator="vetplan", language_team=LANGUAGES[language],
        )
        for msgid in sorted(wanted, key=str.casefold):
            previous = old.get(msgid)
            text = previous.string if previous is not None and previous.string else (msgid if language == "en" else "")
            new.add(msgid, text, locations=[(place.rsplit(":", 1)[0], 0) for place in sorted(set(wanted[msgid]))][:1])
        kept = {message.id for message in old if message.id}
        changes[language] = (len(set(wanted) - kept), len(kept - set(wanted)))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            write_po(file, new, width=100, omit_header=False, sort_output=True)
        messages.cache_clear()
    return changes


if __name__ == "__main__":
    for code, (added, removed) in update_catalogues().items():
        print(f"{catalogue_path(code).relative_to(PROJECT_ROOT)}: {added} added, {removed} removed")
