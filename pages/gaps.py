"""Gaps: a company's own gaps, the region's picture (disclosure-controlled) and curriculum gaps for schools."""

import functools

import streamlit as st

from pages import cached
from skills import charts, service

DIMENSIONS = ["skill", "group", "sector", "region", "size", "year", "role"]

_ = cached.translator()
#: What each dimension is called on the page.
DIMENSION_NAMES = {
    "skill": _("skill"),
    "group": _("skill group"),
    "sector": _("sector"),
    "region": _("region"),
    "size": _("company size"),
    "year": _("year"),
    "role": _("role"),
}
st.title(_("Skills gaps"))
who = cached.signed_in()
key = cached.data_key()
summary = cached.info(key, who)
counts, currency = summary.counts, summary.currency
if not counts["demand_rows"]:
    st.warning(_("No survey answers yet: import a survey on the Data page."))
    st.stop()

waiting = cached.unmapped(key, who)
if waiting["rows"]:
    st.warning(
        _(
            "{rows} survey row(s) ({people} people) wait for skill review on the Mapping review page "
            "and are not counted in these figures yet."
        ).format(rows=_.number(waiting["rows"]), people=_.number(waiting["headcount"]))
    )

#: The tabs each role sees: a company its own gaps and the region; a school the region and its courses.
TABS = {
    "company": ["company", "region"],
    "provider": ["region", "schools"],
    "policymaker": ["region", "schools"],
}
TAB_NAMES = {"company": _("My company"), "region": _("Region"), "schools": _("Schools: curriculum and course demand")}
tab_ids = TABS.get(str(who.role), ["company", "region", "schools"])
tabs = dict(zip(tab_ids, st.tabs([TAB_NAMES[tab] for tab in tab_ids]), strict=True))


@st.fragment
def company_view() -> None:
    """One company's own gaps and the courses that close them: a new choice reruns only this part."""
    companies = cached.company_choices(key, who)
    twins = companies["name"].duplicated(keep=False)  # two companies of one name are told apart by their id
    shown = companies["name"].where(~twins, companies["name"] + " (" + companies["company_id"] + ")")
    names = dict(zip(companies["company_id"], shown, strict=True))
    company = st.selectbox(_("Company"), companies["company_id"].tolist(), format_func=lambda cid: names[cid], key="gaps_company")
    if company:
        profile = cached.company_profile(key, who, company)
        st.caption(_("Your own data: nothing is suppressed in this view."))
        a, b, c = st.columns(3)
        a.metric(
            _("Skill requirements already met"), _.percent(profile.compliance),
            help=_("Share of the people your survey names who already have the required level."),
        )
        b.metric(_("Gap units"), _.number(int(profile.gaps["gap_units"].sum())))
        c.metric(_("Gaps no course closes"), _.number(int((profile.gaps["why_no_course"] != "").sum())))
        st.subheader(_("Roles × skills: current → required level (people)"))
        st.dataframe(profile.matrix, width="stretch")
        st.subheader(_("Your gaps and the cheapest course that closes each"))
        st.dataframe(
            profile.gaps, hide_index=True, width="stretch",
            column_config={
                "cost_per_participant": st.column_config.NumberColumn(
                    _("cost per participant ({currency})").format(currency=currency), format="%,.0f"
                ),
                "why_no_course": st.column_config.TextColumn(_("why no course closes it")),
            },
        )
        st.subheader(_("Recruitment in your region"))
        if len(profile.recruitment):
            st.dataframe(
                profile.recruitment, hide_index=True, width="stretch",
                column_config={
                    "cost_per_hire": st.column_config.NumberColumn(
                        _("cost per hire ({currency})").format(currency=currency), format="%,.0f"
                    )
                },
            )
        else:
            st.caption(_("The labour-market data has no hires for your gap skills in your region."))
        with st.expander(_("Every course that closes one of your gaps")):
            st.dataframe(cached.coverage_options(key, who, company), hide_index=True, width="stretch")
        st.download_button(
            _("Download your company's view (xlsx)"),
            functools.partial(service.company_workbook, company, store=cached.store(), principal=who),
            f"gaps-{company}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="company_download",
        )
        st.caption(_("Your staff on courses and your hires in stored plans are on the Scenarios page."))


@st.fragment
def region_table() -> None:
    """The region's gaps by one dimension: a new dimension reruns only this part."""
    dimension = st.selectbox(_("By"), DIMENSIONS, format_func=DIMENSION_NAMES.__getitem__, key="gaps_by")
    if dimension == "skill":
        st.altair_chart(charts.top_gaps_chart(cached.gaps(key, who, "gaps", "skill")), width="stretch")
    st.dataframe(cached.gaps_shown(key, who, "gaps", dimension), hide_index=True, width="stretch")
    st.download_button(
        _("Download (xlsx)"),
        lambda: cached.gaps_workbook(key, who, "gaps", dimension),
        f"gaps-by-{dimension}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )


if "company" in tabs:
    with tabs["company"]:
        company_view()

with tabs["region"]:
    st.caption(service.disclosure_sentence())
    region_table()
    st.subheader(_("Skill group × sector"))
    st.altair_chart(charts.gap_heatmap(cached.gaps(key, who, "gaps", ("group", "sector"))), width="stretch")
    st.subheader(_("Coverage by the course catalogue"))
    st.altair_chart(charts.coverage_chart(cached.gaps(key, who, "coverage", "skill")), width="stretch")

if "schools" in tabs:
    with tabs["schools"]:
        st.subheader(_("Curriculum gaps: skills in demand that no course covers"))
        st.caption(service.disclosure_sentence())
        st.altair_chart(charts.curriculum_gaps_chart(cached.gaps(key, who, "curriculum")), width="stretch")
        st.dataframe(cached.gaps_shown(key, who, "curriculum"), hide_index=True, width="stretch")
        st.subheader(_("Expected course demand"))
        providers = cached.provider_choices(key, who)
        chosen_provider = st.selectbox(
            _("Provider"), providers, index=0 if who.provider else None, key="gaps_provider",
            placeholder=_("every provider"), disabled=bool(who.provider),
        )
        st.caption(_("Participants per course and year if every coverable gap went to its cheapest covering course."))
        st.dataframe(cached.gaps_shown(key, who, "gaps", "course", None, chosen_provider), hide_index=True, width="stretch")
