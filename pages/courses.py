"""Course planning for schools: expected participants, the plan's runs, curriculum gaps and competing courses."""

import functools

import streamlit as st

from pages import cached
from skills import service
from skills.errors import VetplanError

_ = cached.translator()
st.title(_("Course planning"))
who = cached.signed_in()
key = cached.data_key()
results = cached.results_key()
currency = cached.info(key, who).currency

providers = cached.provider_choices(key, who)
if not providers:
    st.info(_("The course catalogue is empty: import courses on the Data page."))
    st.stop()
provider = st.selectbox(
    _("Provider"), providers, key="courses_provider", disabled=len(providers) == 1,
    help=_("A school's users plan their own courses; policymakers and analysts may choose any provider."),
)
if provider is None:
    st.stop()
try:
    planning = cached.course_planning(key, results, who, provider, cached.language())
except VetplanError as error:
    st.error(str(error))  # a role course planning is not open to, or a provider the catalogue lost
    st.stop()
st.caption(_.disclosure(service.disclosure_terms()))

#: What each column is called on the page.
LABELS = {
    "course": _("course"),
    "your_course": _("your course"),
    "year": _("year"),
    "mode": _("mode"),
    "region": _("region"),
    "companies": _("companies"),
    "participants": _("participants"),
    "runs_needed": _("runs needed"),
    "band": _("range (too few companies)"),
    "runs": _("runs"),
    "seats": _("seats"),
    "participants_per_run": _("participants per run"),
    "skill": _("skill"),
    "required_level": _("required level"),
    "gap_units": _("gap units"),
    "sectors": _("sectors asking"),
    "why_uncovered": _("why no course covers it"),
    "provider": _("provider"),
    "levels": _("levels (entry → reached)"),
    "hours": _("hours"),
    "cost_per_participant": _("cost per participant ({currency})").format(currency=currency),
}


terms = service.disclosure_terms()
#: The figure of each table that shows its range when too few companies stand behind it.
BANDED = {"expected": "participants", "runs": "participants", "curriculum": "gap_units"}


def table(name: str, **digits: int) -> None:
    """The table ``name`` of the course planning as people read it: a withheld figure as its range, a withheld
    company count as "fewer than 3", codes in words, numbers in the language; ``digits`` decimals per column."""
    frame = getattr(planning, name).copy()
    figure = BANDED.get(name)
    if figure is not None and "band" in frame:
        value = frame[figure].astype("object")
        frame[figure] = value.where((value.notna() & (value.astype("string") != ":c")).fillna(False).astype(bool), frame["band"].astype("object"))
        frame = frame.drop(columns="band")
    if "companies" in frame:
        frame["companies"] = frame["companies"].astype("object").mask(
            (frame["companies"].astype("string") == ":c").fillna(False).astype(bool), _("fewer than {n}").format(n=terms["min_companies"])
        )
    for column in ("mode", "why_uncovered", "course", "skill", "region", "year", "required_level"):  # Total rows too
        if column in frame:
            frame[column] = _.in_words(frame[column])  # also each of several joined reasons
    st.dataframe(_.table(frame, LABELS, digits=digits), hide_index=True, width="stretch")


st.subheader(_("Expected participants per course and year"))
st.caption(_("If every gap a course can close went to its cheapest course. Totals per course are the rows marked Total."))
st.caption(
    _(
        "Where fewer than {n} companies stand behind a figure it shows only as a range (such as 5–9), so that no company's "
        "answers can be read from it; – marks the figures withheld with it."
    ).format(n=terms["min_companies"])
)
table("expected")

st.subheader(_("Runs the latest plan opens"))
if planning.plan is None:
    st.caption(_("No plan is stored yet: the runs show here once a scenario is solved."))
elif len(planning.runs):
    st.caption(_("From the stored plan {plan}; cohorts from too few companies show only a range.").format(plan=planning.plan))
    table("runs")
else:
    st.caption(_("The stored plan {plan} opens no run of this provider's courses.").format(plan=planning.plan))

st.subheader(_("Curriculum gaps: skills in demand that no course reaches"))
table("curriculum")

st.subheader(_("Other providers' courses competing for the same demand"))
st.caption(_("Courses teaching the same skill over overlapping levels to the same companies (online, or in the same area)."))
if len(planning.competitors):
    table("competitors", hours=1, cost_per_participant=0)
else:
    st.caption(_("No other provider's course teaches these skills to the same companies."))

st.download_button(
    _("Download the course planning (xlsx)"),
    functools.partial(service.course_planning_workbook, provider, language=cached.language(), store=cached.store(), principal=who),
    "course-planning.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    key="courses_download",
)
