"""What vetplan reads and writes, by name: light constants the CLI offers before anything heavy loads."""

from __future__ import annotations

from typing import Final

#: What a file for ``vetplan import KIND`` holds.
KINDS: Final = (
    "survey",
    "companies",
    "demand",
    "courses",
    "course_skills",
    "supply",
    "skills",
    "esco-skills",
    "esco-occupations",
    "esco-relations",
)
#: Formats of ``vetplan export`` and every table download.
EXPORT_FORMATS: Final = ("csv", "json", "xlsx")
#: Excel input templates ``vetplan template KIND`` writes.
TEMPLATE_KINDS: Final = ("survey", "courses", "supply")
