"""Data: import surveys, catalogues and supply; download templates and exports."""

from __future__ import annotations

import functools

import streamlit as st

from pages import cached
from skills import service
from skills.errors import VetplanError
from skills.kinds import KINDS

st.title("Data")
who = cached.signed_in()
st.caption("Files are checked whole: an import is stored completely or not at all, with a report of every problem.")

with st.container(border=True):
    st.subheader("Import a file")
    left, right = st.columns([1, 2])
    kind = left.selectbox("What the file holds", KINDS, key="import_kind", help="survey: company columns next to skill needs")
    sheet = left.text_input("Sheet (optional)", key="import_sheet")
    upload = right.file_uploader("Excel (.xlsx, .xlsm) or CSV", type=["xlsx", "xlsm", "csv"], key="import_file")
    mapping_upload = None
    if kind == "survey":
        mapping_upload = right.file_uploader(
            "Column mapping for a wide survey-tool export (YAML, optional: a saved mapping is found automatically)",
            type=["yaml", "yml"],
            key="import_mapping",
        )
    check, store_it = st.columns(2)
    action = None
    if check.button("Check only", disabled=upload is None, width="stretch"):
        action = "check"
    if store_it.button("Import", type="primary", disabled=upload is None, width="stretch"):
        action = "import"
    if action and upload is not None:
        # Uploads stay in memory: the name a browser sends is only shown, never used as a path.
        try:
            mapping = (
                service.read_survey_mapping(mapping_upload.getvalue(), name=mapping_upload.name)
                if mapping_upload is not None
                else None
            )
            outcome = service.import_data(
                kind,
                upload.getvalue(),
                name=upload.name,
                sheet=sheet or None,
                mapping=mapping,
                dry_run=action == "check",
                store=cached.store(),
                principal=who,
            )
            st.session_state["last_import"] = outcome
        except VetplanError as error:
            st.session_state.pop("last_import", None)
            st.error(str(error))

last_import: service.ImportOutcome | None = st.session_state.get("last_import")
if last_import is not None:
    outcome = last_import
    summary = outcome.summary
    a, b, c = st.columns(3)
    a.metric("Rows read", summary["rows_read"])
    b.metric("Rows accepted", summary["rows_accepted"])
    c.metric("Waiting for review", summary.get("pending", 0))
    if not outcome.ok:
        st.error(f"{summary['file']} was rejected; nothing was stored. Fix the rows below and import again.")
    elif outcome.stored:
        st.success(f"{summary['file']} imported.")
    else:
        st.info(f"{summary['file']} passed the check; nothing was stored yet.")
    problems = service.problems_frame(outcome)
    if len(problems):
        st.dataframe(problems, hide_index=True, width="stretch")
        d1, d2 = st.columns(2)
        d1.download_button("Report as CSV", service.report_file(outcome, "csv"), "import-report.csv", "text/csv")
        d2.download_button(
            "Report as Excel",
            service.report_file(outcome, "xlsx"),
            "import-report.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

st.subheader("Templates")
st.caption("Excel templates with dropdowns for skills, levels, sectors and priorities; a filled template imports without loss.")
columns = st.columns(3)
for column, kind_name in zip(columns, ["survey", "courses", "supply"], strict=True):
    column.download_button(
        f"{kind_name.capitalize()} template",
        functools.partial(service.template, kind_name, store=cached.store(), principal=who),
        f"vetplan-{kind_name}-template.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"template_{kind_name}",
        on_click="ignore",
    )

st.subheader("Export")
left, middle, right = st.columns(3)
table = left.selectbox("Table", service.data_tables(), key="export_table")
fmt = middle.selectbox("Format", ["xlsx", "csv", "json"], key="export_format")
right.download_button(
    "Download",
    functools.partial(service.export_table, table, fmt=fmt, store=cached.store(), principal=who),
    f"{table}.{fmt}",
    key="export_download",
    on_click="ignore",
)

st.subheader("Survey column mappings")
st.caption(
    "A mapping tells vetplan which column of a survey-tool export asks about which skill and what each answer means. "
    "A saved mapping is found again by the export's header and reused for the next export of the same survey."
)
mapping_names = service.survey_mappings()
left, right = st.columns([1, 2])
chosen_mapping = left.selectbox("Mapping", mapping_names, key="mapping_name")
new_name = left.text_input("Save as", value=chosen_mapping or "", key="mapping_save_as")
text = right.text_area(
    "YAML", value=service.survey_mapping_text(chosen_mapping) if chosen_mapping else "", height=320, key=f"mapping_text_{chosen_mapping}"
)
if left.button("Check and save", key="mapping_save"):
    try:
        saved = service.save_survey_mapping_text(new_name, text, principal=who)
        st.success(f"Saved {saved}.")
    except VetplanError as error:
        st.error(str(error))
