"""Data: import surveys, catalogues and supply; download templates and exports."""

from __future__ import annotations

import functools

import streamlit as st

from pages import cached
from skills import service
from skills.errors import VetplanError
from skills.kinds import KINDS

_ = cached.translator()
#: What each kind of file holds, in words (the picker shows these; the kinds stay the values).
KIND_NAMES = {
    "survey": _("survey (companies and their skill needs)"),
    "courses": _("courses (catalogue and the skills each course gives)"),
    "supply": _("supply (hires the labour market offers)"),
}
#: What each table is called when an import would replace its rows.
TABLE_NAMES = {
    "demand": _("survey answers"),
    "companies": _("companies"),
    "courses": _("courses"),
    "course_skills": _("course skills"),
    "supply": _("supply rows"),
    "skills": _("skills"),
}
#: What each table is called in the export picker.
EXPORT_NAMES = {
    "skills": _("Skills (taxonomy)"),
    "companies": _("Companies"),
    "demand": _("Survey answers (skill needs)"),
    "courses": _("Courses"),
    "course_skills": _("Skills each course gives"),
    "supply": _("Labour-market supply (hires)"),
    "mapping_queue": _("Skill phrases waiting for review"),
    "learned_aliases": _("Skill names learned in review"),
}
st.title(_("Data"))
who = cached.signed_in()
st.caption(_("Files are checked whole: an import is stored completely or not at all, with a report of every problem."))
data_version, results_version = cached.data_key()[1], cached.results_key()[1]
st.caption(
    _("In use: data version {data}, plan results version {results}. Each import or review moves the data version on.").format(
        data=_.number(data_version), results=_.number(results_version)
    )
)

with st.container(border=True):
    st.subheader(_("Import a file"))
    left, right = st.columns([1, 2])
    kind = left.selectbox(
        _("What the file holds"), KINDS, format_func=lambda name: KIND_NAMES.get(name, name), key="import_kind",
        help=_("survey: company columns next to skill needs"),
    )
    sheet = left.text_input(_("Sheet (optional)"), key="import_sheet")
    upload = right.file_uploader(_("Excel (.xlsx, .xlsm) or CSV"), type=["xlsx", "xlsm", "csv"], key="import_file")
    mapping_upload = None
    if kind == "survey":
        mapping_upload = right.file_uploader(
            _("Column mapping for a wide survey-tool export (YAML, optional: a saved mapping is found automatically)"),
            type=["yaml", "yml"],
            key="import_mapping",
        )
    check, store_it = st.columns(2)
    action = None
    if check.button(_("Check only"), disabled=upload is None, width="stretch"):
        action = "check"
    if store_it.button(_("Import"), type="primary", disabled=upload is None, width="stretch"):
        action = "import"
    if action and upload is not None:
        # Uploads stay in memory: the name a browser sends is only shown, never used as a path.
        try:
            mapping = (
                service.read_survey_mapping(mapping_upload.getvalue(), name=mapping_upload.name)
                if mapping_upload is not None
                else None
            )
            st.session_state.pop("import_pending", None)
            request = {"kind": kind, "source": upload.getvalue(), "name": upload.name, "sheet": sheet or None, "mapping": mapping}
            outcome = service.import_data(**request, dry_run=True, store=cached.store(), principal=who)
            replaced = service.rows_replaced(outcome, store=cached.store(), principal=who) if outcome.ok else {}
            if action == "import" and outcome.ok and replaced:
                # stored rows would be replaced: the user confirms first (below), with the file as it was checked
                st.session_state["import_pending"] = {**request, "replaced": replaced}
            elif action == "import" and outcome.ok:
                outcome = service.import_data(**request, dry_run=False, store=cached.store(), principal=who)
            st.session_state["last_import"] = outcome
        except VetplanError as error:
            st.session_state.pop("last_import", None)
            st.error(str(error))

    pending = st.session_state.get("import_pending")
    if pending is not None:
        replaced = pending["replaced"]
        st.warning(
            _("Importing {file} replaces {count} stored row(s) ({tables}). A company's answers in the file replace all its "
              "earlier answers, and a course's skills all its earlier skills.").format(
                file=service.client_file_name(pending["name"]), count=_.number(sum(replaced.values())),
                tables=", ".join(f"{TABLE_NAMES.get(table, table)}: {_.number(rows)}" for table, rows in replaced.items()),
            )
        )
        confirm, cancel = st.columns(2)
        if confirm.button(_("Replace and import"), type="primary", key="import_confirm", width="stretch"):
            st.session_state.pop("import_pending", None)
            request = {name: pending[name] for name in ("kind", "source", "name", "sheet", "mapping")}
            try:
                st.session_state["last_import"] = service.import_data(**request, dry_run=False, store=cached.store(), principal=who)
            except VetplanError as error:
                st.session_state.pop("last_import", None)
                st.error(str(error))
            st.rerun()
        if cancel.button(_("Cancel the import"), key="import_cancel", width="stretch"):
            st.session_state.pop("import_pending", None)
            st.session_state.pop("last_import", None)
            st.rerun()

last_import: service.ImportOutcome | None = st.session_state.get("last_import")
if last_import is not None:
    outcome = last_import
    summary = outcome.summary
    a, b, c = st.columns(3)
    a.metric(_("Rows read"), _.number(summary["rows_read"]))
    b.metric(_("Rows accepted"), _.number(summary["rows_accepted"]))
    c.metric(_("Waiting for review"), _.number(summary.get("pending", 0)))
    if not outcome.ok:
        st.error(_("{file} was rejected; nothing was stored. Fix the rows below and import again.").format(file=summary["file"]))
    elif outcome.stored:
        st.success(_("{file} imported.").format(file=summary["file"]))
    else:
        st.info(_("{file} passed the check; nothing was stored yet.").format(file=summary["file"]))
    problems = service.problems_frame(outcome)
    if len(problems):
        st.dataframe(_.problems(problems), hide_index=True, width="stretch")
        d1, d2 = st.columns(2)
        d1.download_button(_("Report as CSV"), service.report_file(outcome, "csv"), "import-report.csv", "text/csv")
        d2.download_button(
            _("Report as Excel"),
            service.report_file(outcome, "xlsx"),
            "import-report.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

st.subheader(_("Templates"))
st.caption(_("Excel templates with dropdowns for skills, levels, sectors and priorities; a filled template imports without loss."))
TEMPLATE_NAMES = {"survey": _("Survey template"), "courses": _("Courses template"), "supply": _("Supply template")}
columns = st.columns(3)
for column, kind_name in zip(columns, ["survey", "courses", "supply"], strict=True):
    column.download_button(
        TEMPLATE_NAMES[kind_name],
        functools.partial(service.template, kind_name, store=cached.store(), principal=who),
        f"vetplan-{kind_name}-template.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"template_{kind_name}",
        on_click="ignore",
    )

st.subheader(_("Export"))
left, middle, right = st.columns(3)
table = left.selectbox(
    _("Table"), service.data_tables(), format_func=lambda name: EXPORT_NAMES.get(name, name.replace("_", " ")), key="export_table"
)
fmt = middle.selectbox(_("Format"), ["xlsx", "csv", "json"], key="export_format")
right.download_button(
    _("Download"),
    functools.partial(service.export_table, table, fmt=fmt, store=cached.store(), principal=who),
    f"{table}.{fmt}",
    key="export_download",
    on_click="ignore",
)

st.subheader(_("Survey column mappings"))
st.caption(
    _(
        "A mapping tells vetplan which column of a survey-tool export asks about which skill and what each answer means. "
        "A saved mapping is found again by the export's header and reused for the next export of the same survey."
    )
)
mapping_names = service.survey_mappings()
left, right = st.columns([1, 2])
chosen_mapping = left.selectbox(_("Mapping"), mapping_names, key="mapping_name")
new_name = left.text_input(_("Save as"), value=chosen_mapping or "", key="mapping_save_as")
text = right.text_area(
    _("YAML"), value=service.survey_mapping_text(chosen_mapping) if chosen_mapping else "", height=320, key=f"mapping_text_{chosen_mapping}"
)
if left.button(_("Check and save"), key="mapping_save"):
    try:
        saved = service.save_survey_mapping_text(new_name, text, principal=who)
        st.success(_("Saved {name}.").format(name=saved))
    except VetplanError as error:
        st.error(str(error))
