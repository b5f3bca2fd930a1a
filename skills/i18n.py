"""Interface text, numbers, money and dates in English and Danish: gettext catalogues read with Babel."""

from __future__ import annotations

import ast
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

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
