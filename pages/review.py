"""Mapping review: phrases the matcher was unsure of; the choice becomes an alias used from then on."""

import streamlit as st

from pages import cached
from skills import service
from skills.errors import VetplanError

_ = cached.translator()
st.title(_("Skill mapping review"))
st.caption(_("Rows waiting here are stored, not dropped, and count as unmapped in every view until reviewed."))

who = cached.signed_in()
key = cached.data_key()
queue = cached.review_queue(key, who)
done = st.session_state.pop("review_done", None)
if done:
    st.success(done)  # what the last choice stored, shown after the rerun that moved on to the next phrase
if queue.empty:
    st.success(_("Nothing waits for review."))
    st.stop()

st.dataframe(
    queue,
    hide_index=True,
    width="stretch",
    column_config={
        "score": st.column_config.NumberColumn(
            _("score"), format="%.0f", help=_("For a fuzzy suggestion: the estimated chance (%) that it is right.")
        )
    },
)
skills = cached.skill_choices(key)
options = skills["skill_id"].tolist()
# the reader's language where the service gives it (label_da, group_label_da), else the English label
in_language = {column: f"{column}_{cached.language()}" for column in ("label", "group_label")}
names_shown = {
    column: skills[translated].fillna(skills[column]) if translated in skills.columns else skills[column]
    for column, translated in in_language.items()
}
labels = dict(zip(skills["skill_id"], names_shown["label"] + " (" + names_shown["group_label"] + ")", strict=True))

item_id = st.selectbox(
    _("Phrase"),
    queue["queue_id"].tolist(),
    format_func=lambda qid: str(queue.loc[queue["queue_id"] == qid, "phrase"].iloc[0]),
    key="review_item",
)
item = queue[queue["queue_id"] == item_id].iloc[0]
likely = cached.review_suggestions(key, who, int(item_id))
if not likely.empty:
    st.caption(
        _("Likeliest skills: {skills}").format(
            skills=", ".join(
                f"{label} ({_.percent(score / 100)})" for label, score in zip(likely["label"], likely["score"], strict=True)
            )
        )
    )
suggestion = item["suggestion"] if isinstance(item["suggestion"], str) and item["suggestion"] in options else None
chosen = st.selectbox(
    _("Skill"),
    options,
    index=options.index(suggestion) if suggestion else None,
    format_func=lambda sid: labels.get(sid, sid),
    key=f"review_skill_{item_id}",  # each phrase starts from its own suggestion, never the previous choice
    placeholder=_("choose a skill"),
)
if st.button(_("Use this skill"), type="primary", disabled=chosen is None):
    try:
        result = service.resolve_review(int(item_id), chosen, store=cached.store(), principal=who)
        st.session_state["review_done"] = _("{phrase} → {skill}; {count} more row(s) with the same phrase resolved.").format(
            phrase=repr(result["phrase"]), skill=labels.get(result["skill_id"], result["skill_id"]),
            count=_.number(result["also_resolved"]),
        )
        st.rerun()
    except VetplanError as error:
        st.error(str(error))

with st.expander(_("None fits: add a new skill")), st.form("new_skill"):
    new_id = st.text_input(_("skill_id (lowercase, digits, underscore)"))
    label = st.text_input(_("English label"))
    label_da = st.text_input(_("Danish label"))
    groups = service.skill_groups()
    group = st.selectbox(_("Group"), list(groups), format_func=groups.__getitem__)
    if st.form_submit_button(_("Add skill and use it")):
        try:
            service.resolve_review(
                int(item_id), new_skill={"skill_id": new_id, "label": label, "group": group, "label_da": label_da},
                store=cached.store(), principal=who,
            )
            st.rerun()
        except VetplanError as error:
            st.error(str(error))

with st.container(border=True):
    st.subheader(_("Accept many suggestions at once"))
    chance = st.slider(
        _("Chance of the suggestion being right, at least (%)"), min_value=0, max_value=100, value=90, step=1, key="bulk_chance",
        help=_("Every phrase whose suggested skill has at least this chance is accepted, as if one by one."),
    )
    candidates = cached.suggestions_at_least(key, who, float(chance))
    count = len(candidates)
    st.caption(
        _("{count} phrase(s) have a suggestion with a chance of at least {chance}.").format(
            count=_.number(count), chance=_.percent(chance / 100)
        )
    )
    if st.button(_("Accept these suggestions…"), disabled=count == 0, key="bulk_accept"):
        st.session_state["bulk_confirm"] = chance
    if count and st.session_state.get("bulk_confirm") == chance:
        st.warning(
            _("Accept the suggested skill of these {count} phrase(s)? Each becomes an alias that later imports use.").format(
                count=_.number(count)
            )
        )
        st.dataframe(
            candidates.assign(suggestion=candidates["suggestion"].map(lambda sid: labels.get(sid, sid)))[["phrase", "suggestion", "score"]],
            hide_index=True, width="stretch",
            column_config={
                "phrase": _("phrase"), "suggestion": _("suggested skill"),
                "score": st.column_config.NumberColumn(_("chance (%)"), format="%.0f"),
            },
        )
        yes, no = st.columns(2)
        if yes.button(_("Accept {count} suggestion(s)").format(count=_.number(count)), type="primary", key="bulk_confirm_yes"):
            st.session_state.pop("bulk_confirm", None)
            done_bulk = service.accept_suggestions_at_least(float(chance), store=cached.store(), principal=who)
            st.session_state["review_done"] = _("Accepted {accepted} suggestion(s); {count} more row(s) with the same phrases resolved.").format(
                accepted=_.number(done_bulk["accepted"]), count=_.number(done_bulk["also_resolved"])
            )
            st.rerun()
        if no.button(_("Cancel"), key="bulk_confirm_no"):
            st.session_state.pop("bulk_confirm", None)
            st.rerun()
