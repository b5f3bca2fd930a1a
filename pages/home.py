"""Overview: the loaded region's headline figures, or what is missing."""

import streamlit as st

from pages import cached
from skills import charts, service

_ = cached.translator()
st.title(_("vetplan"))
st.write(
    _(
        "Which courses to run, for whom, and where recruiting is the better answer: "
        "skills gaps of manufacturing SMEs, the vocational course offer and the labour market in one plan."
    )
)

who = cached.signed_in()
summary = cached.info(cached.data_key(), who)
counts = summary.counts
if not counts["companies"] and not counts["courses"]:
    st.warning(
        _("The database holds no region yet. Run `vetplan init --sample` or import a survey and a course catalogue.")
    )

columns = [*st.columns(3), *st.columns(3)]  # two rows of three: labels and figures show whole in either language
figures = [
    (_("Companies"), counts["companies"]),
    (_("Employees"), counts["employees"]),
    (_("Courses"), counts["courses"]),
    (_("Providers"), counts["providers"]),
    (_("Skills"), counts["skills"]),
    (_("Gap units"), counts["gap_units"]),
]
for column, (label, value) in zip(columns, figures, strict=True):
    column.metric(label, _.number(value))

if counts["gap_units"]:  # the region at a glance: its largest gaps, where they are, and what the catalogue covers
    key = cached.data_key()
    st.caption(_.disclosure(service.disclosure_terms()))
    left, right = st.columns(2)
    cached.draw(left, charts.top_gaps_chart(cached.gaps(key, who, "gaps", "skill"), n=10))
    cached.draw(right, charts.coverage_chart(cached.gaps(key, who, "coverage", "skill"), n=10))
    cached.draw(st, charts.gap_heatmap(cached.gaps(key, who, "gaps", ("group", "sector"))))
    st.caption(_("Every skill, sector and the courses that close each gap are on the Gaps page."))
    st.caption(
        _(
            "Gap units count the people the surveys name, one per person below the level needed. A plan's closed and "
            "unmet units add to a different total when its scenario lets demand grow or shrink before a gap's deadline; "
            "the Plan page says by how much."
        )
    )

if summary.missing:
    st.subheader(_("Missing"))
    for item in summary.missing:
        st.markdown(f"- {item}")
if summary.pending_review:
    st.info(
        _("{count} skill phrase(s) wait for review; they count as unmapped until then.").format(
            count=_.number(summary.pending_review)
        )
    )
if who.sees_everything:  # where the database lives is for the people who run it
    st.caption(
        _("Database: {database} · data version {version} · money in {currency}").format(
            database=summary.database, version=summary.data_version, currency=summary.currency
        )
    )
else:
    st.caption(_("Data version {version} · money in {currency}").format(version=summary.data_version, currency=summary.currency))
