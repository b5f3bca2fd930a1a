"""Gaps: a company's own gaps, the region's picture (disclosure-controlled) and curriculum gaps for schools."""

import functools
from typing import Any

import streamlit as st

from pages import cached
from skills import charts, i18n, service
from skills.errors import VetplanError

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


words = _.words()
#: What the columns of the company's own tables are called on the page.
COMPANY_LABELS = {
    "skill": _("skill"),
    "role": _("role"),
    "people": _("people"),
    "current_level": _("current level"),
    "required_level": _("required level"),
    "needed_by": _("needed by"),
    "priority": _("priority"),
    "gap_units": _("gap units"),
    "course": _("course"),
    "title": _("course"),
    "provider": _("provider"),
    "mode": _("mode"),
    "region": _("region"),
    "hours": _("hours"),
    "cost_per_participant": _("cost per participant ({currency})").format(currency=currency),
    "why_no_course": _("why no course closes it"),
    "occupation": _("occupation"),
    "hires_available_per_year": _("hires available per year"),
    "cost_per_hire": _("cost per hire ({currency})").format(currency=currency),
    "lead_time_months": _("lead time (months)"),
    "market_balance": _("labour market"),
    "hire_closes_gaps_up_to_level": _("a hire closes gaps up to level"),
    "course_region": _("course region"),
    "level": _("level reached"),
    "cheapest": _("cheapest"),
}


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
        matrix = profile.matrix.reset_index()
        st.dataframe(_.table(matrix.assign(role=matrix["role"].replace(words)), {"role": _("role")}), hide_index=True, width="stretch")
        st.subheader(_("Your gaps and the cheapest course that closes each"))
        gap_table = profile.gaps.assign(
            **{column: profile.gaps[column].replace(words) for column in ("role", "priority", "mode", "why_no_course")}
        )
        if not profile.roles_stated:
            gap_table = gap_table.drop(columns="role")  # no answer names a role: the matrix above says so once
        st.dataframe(_.table(gap_table, COMPANY_LABELS, digits={"hours": 1, "cost_per_participant": 0}), hide_index=True, width="stretch")
        st.subheader(_("Recruitment in your region"))
        if len(profile.recruitment):
            recruitment = profile.recruitment.assign(market_balance=profile.recruitment["market_balance"].replace(words))
            if not profile.occupations_stated:
                recruitment = recruitment.drop(columns="occupation")  # the labour-market data names no occupation
            st.dataframe(_.table(recruitment, COMPANY_LABELS), hide_index=True, width="stretch")
        else:
            st.caption(_("The labour-market data has no hires for your gap skills in your region."))
        with st.expander(_("Every course that closes one of your gaps")):
            options = cached.coverage_options(key, who, company)
            skills = cached.skill_choices(key)
            skill_names = dict(zip(skills["skill_id"], skills["label_da" if cached.language() == "da" else "label"], strict=True))
            wanted = ["skill", "role", "needed_by", "gap_units", "title", "provider", "mode", "course_region", "level", "hours",
                      "cost_per_participant", "cheapest"]
            options = options[[column for column in wanted if column in options]].assign(
                skill=options["skill"].map(lambda sid: skill_names.get(str(sid), str(sid))),
                **{column: options[column].replace(words) for column in ("role", "mode") if column in options},
                **({"course_region": i18n.region_names(options["course_region"].astype("object"))} if "course_region" in options else {}),
            )
            st.dataframe(_.table(options, COMPANY_LABELS, digits={"hours": 1}), hide_index=True, width="stretch")
        st.download_button(
            _("Download your company's view (xlsx)"),
            functools.partial(service.company_workbook, company, store=cached.store(), principal=who),
            f"gaps-{company}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="company_download",
        )
        st.caption(_("Your staff on courses and your hires in stored plans are on the Scenarios page."))
        survey_upload(company, names[company])
        survey_form(company)


def survey_upload(company: str, company_name: str) -> None:
    """The company's filled survey template uploaded: checked whole, own company's rows only, replaced after a confirmation."""
    st.subheader(_("Upload your filled survey template"))
    st.caption(
        _(
            "Download the template, fill in one row per skill need of your company ({company}) in Excel and upload it. "
            "The file is checked whole: a row of another company, or any other problem, stores nothing."
        ).format(company=company_name)
    )
    imported = st.session_state.pop("own_survey_imported", None)
    if imported:
        st.success(imported)
    left, right = st.columns([1, 2])
    left.download_button(
        _("Survey template (xlsx)"),
        functools.partial(service.template, "survey", store=cached.store(), principal=who),
        "vetplan-survey-template.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="own_survey_template",
    )
    upload = right.file_uploader(_("Your filled survey (.xlsx, .xlsm or CSV)"), type=["xlsx", "xlsm", "csv"], key=f"own_survey_file_{company}")
    if left.button(_("Check and import"), key="own_survey_import", disabled=upload is None) and upload is not None:
        st.session_state.pop("own_survey_pending", None)
        st.session_state.pop("own_survey_rejected", None)
        request = {"source": upload.getvalue(), "name": upload.name, "company": company}
        try:
            outcome = service.import_data("survey", **request, dry_run=True, store=cached.store(), principal=who)
        except VetplanError as error:
            st.error(str(error))
            return
        stored = len(cached.survey_answers(key, who, company))
        if not outcome.ok:
            st.session_state["own_survey_rejected"] = (company, outcome)
        elif stored:
            st.session_state["own_survey_pending"] = (company, key[1], request, stored, int(outcome.summary["rows_accepted"]))
        else:
            store_own_survey(request)
    rejected = st.session_state.get("own_survey_rejected")
    if rejected is not None and rejected[0] == company:
        st.error(
            _("{file} was not imported; nothing was stored. Fix the rows and columns named below and upload it again.").format(
                file=rejected[1].summary["file"]
            )
        )
        st.dataframe(_.problems(service.problems_frame(rejected[1])), hide_index=True, width="stretch")
    pending = st.session_state.get("own_survey_pending")
    if pending is None or pending[0] != company or pending[1] != key[1]:
        return
    _company, _version, request, stored, rows = pending
    st.warning(
        _("{file} passed the check. Importing it replaces the {stored} answer(s) stored for your company with its {rows} row(s).").format(
            file=service.client_file_name(request["name"]), stored=_.number(stored), rows=_.number(rows)
        )
    )
    confirm, cancel = st.columns(2)
    if confirm.button(_("Replace and import"), type="primary", key="own_survey_confirm"):
        st.session_state.pop("own_survey_pending", None)
        store_own_survey(request)
    if cancel.button(_("Cancel the import"), key="own_survey_cancel"):
        st.session_state.pop("own_survey_pending", None)
        st.rerun()


def store_own_survey(request: dict[str, Any]) -> None:
    """Import the checked file; on success say so above the uploader and redraw the page with the new gaps."""
    try:
        outcome = service.import_data("survey", **request, store=cached.store(), principal=who)
    except VetplanError as error:
        st.error(str(error))
        return
    if outcome.ok and outcome.stored:
        st.session_state["own_survey_imported"] = _("{file} imported: {rows} row(s); the gaps above now use them.").format(
            file=outcome.summary["file"], rows=_.number(outcome.summary["rows_accepted"])
        )
    else:
        st.session_state["own_survey_rejected"] = (request["company"], outcome)
    st.rerun()


#: What each priority is called on the page (the values stay the survey's words).
PRIORITY_NAMES = {"high": _("high"), "medium": _("medium"), "low": _("low")}


def survey_form(company: str) -> None:
    """The company's survey answers as a form: checked as an import is, stored only after a confirmation."""
    st.subheader(_("Your survey answers"))
    st.caption(
        _(
            "Change, add or delete rows, then check them: the answers are checked as an imported survey is, "
            "and they replace the answers stored for the company only when you confirm."
        )
    )
    saved = st.session_state.pop("survey_saved", None)
    if saved:
        st.success(saved)
    skills = cached.skill_choices(key)
    shown_label = skills["label_da"] if cached.language() == "da" else skills["label"]
    skill_names = dict(zip(skills["skill_id"], shown_label, strict=True))
    answers = cached.survey_answers(key, who, company)
    # a new data version (a save) starts the form again from the stored answers
    edited = st.data_editor(
        answers.assign(role=answers["role"].fillna("")),  # an empty role shows empty, not "None"
        key=f"survey_editor_{company}_{key[1]}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "skill": st.column_config.SelectboxColumn(
                _("skill"), options=skills["skill_id"].tolist(), format_func=lambda sid: skill_names.get(str(sid), str(sid)), required=True
            ),
            "role": st.column_config.TextColumn(_("role"), help=_("Role or occupation (ISCO code or free text); may be empty.")),
            "headcount": st.column_config.NumberColumn(_("people"), min_value=0, step=1, required=True),
            "current_level": st.column_config.NumberColumn(_("current level (0–4)"), min_value=0, max_value=4, step=1, required=True),
            "required_level": st.column_config.NumberColumn(_("required level (0–4)"), min_value=0, max_value=4, step=1, required=True),
            "needed_by": st.column_config.NumberColumn(_("needed by (year)"), min_value=2000, max_value=2100, step=1, format="%d"),
            "priority": st.column_config.SelectboxColumn(
                _("priority"), options=list(PRIORITY_NAMES), format_func=lambda word: PRIORITY_NAMES.get(str(word), str(word))
            ),
        },
    )
    if st.button(_("Check the answers"), key="survey_check"):
        outcome = service.save_survey_answers(company, edited, dry_run=True, store=cached.store(), principal=who)
        st.session_state.pop("survey_pending", None)
        st.session_state.pop("survey_rejected", None)
        if outcome.ok:
            st.session_state["survey_pending"] = (company, key[1], edited.copy(), int(outcome.summary["rows_accepted"]))
        else:
            st.session_state["survey_rejected"] = (company, outcome)
    rejected = st.session_state.get("survey_rejected")
    if rejected is not None and rejected[0] == company:
        st.error(_("The answers were not saved: fix the rows and columns named below and check them again."))
        st.dataframe(_.problems(service.problems_frame(rejected[1])), hide_index=True, width="stretch")
    pending = st.session_state.get("survey_pending")
    if pending is None or pending[0] != company or pending[1] != key[1]:
        return
    _company, _version, checked, rows = pending
    stored = len(answers)
    if stored:
        st.warning(
            _("The answers passed the check. Saving replaces the {stored} answer(s) stored for this company with these {rows}.").format(
                stored=_.number(stored), rows=_.number(rows)
            )
        )
    else:
        st.info(_("The answers passed the check: {rows} answer(s) to save.").format(rows=_.number(rows)))
    confirm, cancel = st.columns(2)
    if confirm.button(_("Replace the stored answers") if stored else _("Save the answers"), type="primary", key="survey_confirm"):
        st.session_state.pop("survey_pending", None)
        outcome = service.save_survey_answers(company, checked, replace=True, store=cached.store(), principal=who)
        if outcome.ok and outcome.stored:
            st.session_state["survey_saved"] = _("Saved {rows} answer(s); the gaps above now use them.").format(rows=_.number(rows))
            st.rerun()
        st.session_state["survey_rejected"] = (company, outcome)
        st.rerun()
    if cancel.button(_("Cancel"), key="survey_cancel"):
        st.session_state.pop("survey_pending", None)
        st.rerun()


@st.fragment
def region_table() -> None:
    """The region's gaps by one dimension: a new dimension reruns only this part."""
    dimension = st.selectbox(_("By"), DIMENSIONS, format_func=DIMENSION_NAMES.__getitem__, key="gaps_by")
    if dimension == "skill":
        cached.draw(st, charts.top_gaps_chart(cached.gaps(key, who, "gaps", "skill")))
    st.dataframe(cached.gap_table(cached.gaps_shown(key, who, "gaps", dimension), currency), hide_index=True, width="stretch")
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
    st.caption(_.disclosure(service.disclosure_terms()))
    region_table()
    st.subheader(_("Skill group × sector"))
    cached.draw(st, charts.gap_heatmap(cached.gaps(key, who, "gaps", ("group", "sector"))))
    st.subheader(_("Coverage by the course catalogue"))
    cached.draw(st, charts.coverage_chart(cached.gaps(key, who, "coverage", "skill")))

if "schools" in tabs:
    with tabs["schools"]:
        st.subheader(_("Curriculum gaps: skills in demand that no course covers"))
        st.caption(_.disclosure(service.disclosure_terms()))
        cached.draw(st, charts.curriculum_gaps_chart(cached.gaps(key, who, "curriculum")))
        st.dataframe(cached.gap_table(cached.gaps_shown(key, who, "curriculum"), currency), hide_index=True, width="stretch")
        st.subheader(_("Expected course demand"))
        providers = cached.provider_choices(key, who)
        chosen_provider = st.selectbox(
            _("Provider"), providers, index=0 if who.provider else None, key="gaps_provider",
            placeholder=_("every provider"), disabled=bool(who.provider),
        )
        st.caption(_("Participants per course and year if every coverable gap went to its cheapest covering course."))
        st.dataframe(
            cached.gap_table(cached.gaps_shown(key, who, "gaps", "course", None, chosen_provider), currency), hide_index=True, width="stretch"
        )
