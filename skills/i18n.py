"""Interface text, numbers, money and dates in English and Danish: gettext catalogues read with Babel."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent

from skills import rules

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
    ) -> pd.DataFrame:
        """``frame`` as a page shows it: every cell through :meth:`cell` (numbers in the language, missing
        cells blank; ``digits`` decimals per column), yes/no columns kept, columns named by ``labels``."""
        places = digits or {}
        shown = pd.DataFrame(index=frame.index)
        for column in frame.columns:
            values = frame[column]
            if pd.api.types.is_bool_dtype(values):
                shown[column] = values
                continue
            if str(column) in PLAIN_COLUMNS:
                shown[column] = [self.plain(value) for value in values.tolist()]
                continue
            if not pd.api.types.is_numeric_dtype(values) and not _figures_as_text(values):
                shown[column] = [self.plain(value) for value in values.tolist()]
                continue
            whole = places.get(column)
            if whole is None and pd.api.types.is_float_dtype(values):
                finite = values.dropna()
                whole = 0 if finite.empty or bool((finite % 1 == 0).all()) else 1  # one number of decimals a column
            shown[column] = [self.cell(value, whole) for value in values.tolist()]
        return shown.rename(columns=dict(labels or {}))

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

    def describe(self, principal: Any) -> str:
        """Who a signed-in principal is, in the language: ``anna (company C001)`` / ``anna (virksomhed C001)``."""
        _ = self
        roles = {"company": _("company"), "provider": _("school"), "policymaker": _("policymaker"), "analyst": _("analyst"),
                 "admin": _("administrator")}
        bound = principal.company_id or principal.provider
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
