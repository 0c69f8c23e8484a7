"""Moderators' stories: a server writes its own feedback templates and prep checklists."""

from __future__ import annotations

from typing import Any

import pytest

from bot.content import content
from bot.storage import coaching as coaching_store
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.storage import server_content as content_store
from bot.storage.mentorships import Mentorship
from sandbox.driver import Persona
from sandbox.views import Reply
from tests.e2e.answers import answer_to
from tests.e2e.conftest import World

CODE_REVIEW = """
# Our studio's review form.
[code_review]
title = "Code review"
description = "Read their code together: what is solid, what to change next."

[[code_review.fields]]
id = "solid"
label = "What is solid"
placeholder = "Parts of the code that are clear and tested"
style = "paragraph"
max_length = 800

[[code_review.fields]]
id = "change"
label = "Change next"
placeholder = "One change per line"
style = "paragraph"
max_length = 800
next_steps = true

[[code_review.fields]]
id = "for_me"
label = "For me only"
placeholder = "Never sent to the student"
style = "short"
max_length = 200
required = false
private = true
"""
LONG_LABEL = "What to change next, in the order we agreed on today"  # 52 characters

STUDIO_WEEK = """
[regular]
title = "Studio week"
summary = "Our studio's own weekly routine."

[[regular.guide]]
id = "open_board"
text = "Open their project board before the call"

[[regular.guide]]
id = "pick_blocker"
text = "Pick the one blocker to solve together"

[[regular.motivate]]
id = "celebrate"
text = "Name one thing they shipped this week"

[[regular.inspire]]
id = "studio_story"
text = "Bring a story from a real studio project"

[[regular.assess]]
id = "rubric"
text = "Hold the work up to the studio rubric"

[[regular.assess]]
id = "missed_last"
text = "They missed last time: ask what got in the way"
when = "last_no_show"
"""
PICK_ITEMS = "Tick what you have prepared"


def guild_id(world: World) -> int:
    assert world.sb.guild is not None
    return world.sb.guild.id


def field_values(reply: Reply) -> dict[str, Any]:
    assert reply.modal is not None, reply
    return {f["custom_id"]: f.get("value") for f in reply.modal["fields"]}


def field_labels(reply: Reply) -> list[str]:
    assert reply.modal is not None, reply
    return [f["label"] for f in reply.modal["fields"]]


async def template_choices(mentor: Persona) -> list[str]:
    return [c["value"] for c in await mentor.autocomplete("feedback", "template", "")]


async def write_in_form(moderator: Persona, command: str, text: str, **options: Any) -> Reply:
    """Open the TOML form of `/template create` (or another command) and submit `text`."""
    form = await moderator.slash(command, **options)
    assert form.modal is not None, form.content
    return await moderator.submit_modal(form, {"source": text})


async def mentor_with_student(world: World, mentor: Persona, student: Persona) -> Mentorship:
    """The mentor follows the student and plans a regular session tomorrow at 18:00."""
    await mentor.slash("timezone set", zone="Europe/Paris")
    added = await mentor.slash(
        "student add", member=student, project="P3 · Web app", session_length=30
    )
    assert "You now mentor" in added.content, added.content
    planned = await mentor.slash(
        "session schedule", student=student.name.title(), when="tomorrow 18:00"
    )
    assert "with **" in planned.content, planned.content
    [mentorship] = await mentorship_store.active_for_mentor(world.db, guild_id(world), mentor.id)
    return mentorship


async def morgan_adds_the_code_review(world: World) -> None:
    """Morgan saves CODE_REVIEW through `/template create`."""
    saved = await write_in_form(world.morgan, "template create", CODE_REVIEW)
    assert "(`code_review`)" in saved.content, saved.content


async def mara_writes_a_code_review(world: World) -> Reply:
    """Mara writes her feedback on Sam's code with the server's template."""
    feedback = await world.mara.slash("feedback", student="Sam", template="code_review")
    return await world.mara.submit_modal(
        feedback,
        {
            "solid": "Routing is clean and every view has a test",
            "change": "- Split the 300-line form component\n- Add error states",
            "for_me": "Ask about deadlines at work",
        },
    )


async def test_a_moderator_adds_a_template_from_the_form_and_mentors_can_pick_it(
    world: World,
) -> None:
    morgan, mara = world.morgan, world.mara
    await mentor_with_student(world, mara, world.sam)
    assert "code_review" not in await template_choices(mara)

    # The form opens with a commented example that is itself a valid template.
    form = await morgan.slash("template create")
    assert form.modal is not None
    assert form.modal["title"] == "New feedback template"
    example = field_values(form)["source"]
    assert example.startswith("# A feedback template")
    assert "[weekly_checkin]" in example
    saved = await morgan.submit_modal(form, {"source": CODE_REVIEW})
    assert saved.ephemeral
    assert saved.content == (
        "Saved **Code review** (`code_review`). Mentors can pick it in `/feedback` now."
    )
    [stored] = await content_store.entries_of(world.db, guild_id(world), "template")
    assert (stored.key, stored.title, stored.updated_by) == (
        "code_review",
        "Code review",
        morgan.id,
    )
    assert stored.source == CODE_REVIEW.strip()

    # Mara finds it beside the built-ins, and its modal shows its own fields.
    choices = await template_choices(mara)
    assert choices == [*content().templates, "code_review"]
    typed = await mara.autocomplete("feedback", "template", "code")
    assert [(c["name"], c["value"]) for c in typed] == [("Code review", "code_review")]
    feedback = await mara.slash("feedback", student="Sam", template="code_review")
    assert feedback.modal is not None
    assert feedback.modal["title"] == "Code review"
    assert field_labels(feedback) == ["What is solid", "Change next", "For me only"]
    world.sb.assert_no_unexpected_errors()


async def test_a_mentor_writes_feedback_with_a_server_template_and_its_next_steps_are_kept(
    world: World,
) -> None:
    mara = world.mara
    mentorship = await mentor_with_student(world, mara, world.sam)
    await morgan_adds_the_code_review(world)
    written = await mara_writes_a_code_review(world)
    assert "Feedback saved" in written.content
    assert "2 next steps" in written.content
    [note] = await note_store.notes_of(world.db, mentorship.id, mara.id)
    assert note.template == "code_review"
    assert note.title.startswith("Code review · ")
    assert note.fields == {
        "solid": "Routing is clean and every view has a test",
        "change": "- Split the 300-line form component\n- Add error states",
        "for_me": "Ask about deadlines at work",
    }
    steps = await coaching_store.steps_of_note(world.db, note.id)
    assert [s.text for s in steps] == ["Split the 300-line form component", "Add error states"]
    world.sb.assert_no_unexpected_errors()


async def test_feedback_with_a_server_template_reaches_the_student_without_its_private_field(
    world: World,
) -> None:
    mara, sam = world.mara, world.sam
    await mentor_with_student(world, mara, sam)
    await morgan_adds_the_code_review(world)
    written = await mara_writes_a_code_review(world)
    # The saved feedback opens again and reaches the student without the private field.
    again = await mara.click(written, "Edit")
    assert field_values(again)["for_me"] == "Ask about deadlines at work"
    sent = await answer_to(world.sb, await mara.click(written, "Send to student"))
    assert "Sent to **Sam**" in sent.content
    [dm] = sam.dms
    assert [f["name"] for f in dm.embeds[0]["fields"]] == ["What is solid", "Change next"]
    # A server's own private field stays out of what Sam keeps seeing, too.
    listed = await sam.slash("note list")
    assert "Routing is clean" in listed.embeds[0]["description"]
    assert "deadlines" not in str(listed.embeds) + (await sam.slash("privacy export")).content
    exported = (await sam.slash("privacy export")).attachments[0].data.decode()
    assert "Routing is clean" in exported
    assert "deadlines" not in exported
    assert "For me only" not in exported
    world.sb.assert_no_unexpected_errors()


async def test_an_uploaded_toml_file_adds_a_template_at_once(world: World) -> None:
    await morgan_adds_the_code_review(world)
    uploaded = await world.morgan.slash(
        "template create",
        file=("pairing.toml", CODE_REVIEW.replace("code_review", "pairing").encode()),
    )
    assert uploaded.ephemeral
    assert "Saved **Code review** (`pairing`)" in uploaded.content
    assert (await template_choices(world.mara))[-2:] == ["code_review", "pairing"]
    world.sb.assert_no_unexpected_errors()


async def test_editing_a_template_opens_its_text_and_mentors_see_the_new_title(
    world: World,
) -> None:
    morgan = world.morgan
    await morgan_adds_the_code_review(world)
    edit = await morgan.slash("template edit", template="code_review")
    assert field_values(edit)["source"] == CODE_REVIEW.strip()
    edited = await morgan.submit_modal(
        edit, {"source": CODE_REVIEW.replace('"Code review"', '"Studio code review"')}
    )
    assert edited.content == "Updated **Studio code review** (`code_review`)."
    renamed = await world.mara.autocomplete("feedback", "template", "studio")
    assert [c["value"] for c in renamed] == ["code_review"]
    world.sb.assert_no_unexpected_errors()


async def test_an_invalid_entry_is_refused_naming_the_bad_field_and_nothing_is_stored(
    world: World,
) -> None:
    morgan = world.morgan
    bad = CODE_REVIEW.replace('label = "Change next"', f'label = "{LONG_LABEL}"')
    refused = await write_in_form(morgan, "template create", bad)
    assert refused.ephemeral
    assert "Nothing was saved" in refused.content
    assert (
        "feedback template: code_review.fields[1].label is 52 characters, at most 45"
        in refused.content
    )
    assert await content_store.entries_of(world.db, guild_id(world), "template") == []

    # "Fix it" opens the form again with the refused text, ready to correct.
    fix = await morgan.click(refused, "Fix it")
    assert field_values(fix)["source"] == bad
    fixed = await morgan.submit_modal(fix, {"source": CODE_REVIEW})
    assert "Saved **Code review**" in fixed.content

    cases = [
        ("broken.toml", b"[oops\ntitle = 1", "checklist: not valid TOML"),
        ("two.toml", b"[regular]\n[discovery]\n", "holds 'regular', 'discovery'"),
        (
            "weekly.toml",
            STUDIO_WEEK.replace("[regular]", "[weekly]").replace("regular.", "weekly.").encode(),
            "checklist: the table name is 'weekly', expected one of: discovery, regular",
        ),
        (
            "short.toml",
            STUDIO_WEEK.split("[[regular.inspire]]")[0].encode(),
            "checklist: regular has 3 items, expected 6 to 14",
        ),
        ("notes.txt", STUDIO_WEEK.encode(), "Attach a `.toml` text file"),
    ]
    for filename, data, message in cases:
        reply = await morgan.slash("checklist create", file=(filename, data))
        assert reply.ephemeral
        assert message in reply.content, (filename, reply.content)
    assert await content_store.entries_of(world.db, guild_id(world), "checklist") == []

    # A server template can't take a built-in's id, and an edit can't rename the table.
    clash = CODE_REVIEW.replace("code_review", "session_report")
    taken = await write_in_form(morgan, "template create", clash)
    assert "`session_report` is the id of a built-in template" in taken.content
    twice = await write_in_form(morgan, "template create", CODE_REVIEW)
    assert "This server already has `code_review`" in twice.content
    renamed = await write_in_form(
        morgan,
        "template edit",
        CODE_REVIEW.replace("code_review", "review"),
        template="code_review",
    )
    assert "The table name can't change" in renamed.content
    [kept] = await content_store.entries_of(world.db, guild_id(world), "template")
    assert kept.source == CODE_REVIEW.strip()
    world.sb.assert_no_unexpected_errors()


async def test_built_ins_cannot_be_deleted_but_can_be_hidden_from_feedback(
    world: World,
) -> None:
    morgan, mara = world.morgan, world.mara
    await mentor_with_student(world, mara, world.sam)
    refused = await morgan.slash("template delete", template="deliverable_review")
    assert refused.ephemeral
    assert "`deliverable_review` is built in, so it can't be changed or deleted" in refused.content
    assert "deliverable_review" in await template_choices(mara)

    hidden = await morgan.slash("template hide", template="deliverable_review")
    assert hidden.content.startswith("**Deliverable review** is hidden")
    assert await template_choices(mara) == [
        key for key in content().templates if key != "deliverable_review"
    ]
    gone = await mara.slash("feedback", student="Sam", template="deliverable_review")
    assert gone.modal is None
    assert "I don't know this feedback form" in gone.content
    listing = await morgan.slash("template list")
    built_in_field = listing.embeds[0]["fields"][0]
    assert "`deliverable_review` · Deliverable review · **hidden**" in built_in_field["value"]
    assert "`session_report` · Session report\n" in built_in_field["value"] + "\n"
    again = await morgan.slash("template hide", template="deliverable_review")
    assert again.content.startswith("Nothing changed")

    shown = await morgan.slash("template show", template="deliverable_review")
    assert "offered in `/feedback` again" in shown.content
    assert "deliverable_review" in await template_choices(mara)

    # The server's own template is deleted after a confirmation, and leaves the choices.
    await write_in_form(morgan, "template create", CODE_REVIEW)
    assert "code_review" in await template_choices(mara)
    question = await morgan.slash("template delete", template="code_review")
    assert question.buttons == ["Delete", "Keep it"]
    assert "Delete the template **Code review**" in question.content
    kept = await morgan.click(question, "Keep it")
    assert "Nothing was changed" in kept.content
    assert "code_review" in await template_choices(mara)
    question = await morgan.slash("template delete", template="code_review")
    done = await morgan.click(question, "Delete")
    assert done.content == "Deleted **Code review**."
    assert "code_review" not in await template_choices(mara)
    world.sb.assert_no_unexpected_errors()


async def test_only_moderators_manage_templates_and_checklists(world: World) -> None:
    # Discord's client hides both groups from members without Manage Server.
    for persona in (world.mara, world.olga):
        for command, options in (
            ("template list", {}),
            ("template create", {}),
            ("checklist hide", {"kind": "regular"}),
        ):
            with pytest.raises(AssertionError, match="cannot see /"):
                await persona.slash(command, **options)

    # The bot checks again when the form comes back: a moderator who lost the role is refused.
    max_ = world.sb.add_user("max", roles=("Moderator",))
    form = await max_.slash("template create")
    assert form.modal is not None
    assert world.sb.guild is not None
    world.sb.guild.members[max_.id].roles = []
    refused = await max_.submit_modal(form, {"source": CODE_REVIEW})
    assert refused.ephemeral
    assert "Only members with the **Manage Server** permission" in refused.content
    assert await content_store.entries_of(world.db, guild_id(world), "template") == []
    world.sb.assert_no_unexpected_errors()


async def test_a_server_checklist_replaces_the_built_in_one_in_prep(world: World) -> None:
    morgan, mara = world.morgan, world.mara
    await mentor_with_student(world, mara, world.sam)
    built_in = await mara.slash("prep", student="Sam")
    built_in_ids = [o["value"] for o in _select(built_in)["options"]]
    assert built_in_ids
    assert "open_board" not in built_in_ids

    saved = await morgan.slash("checklist create", file=("regular.toml", STUDIO_WEEK.encode()))
    assert saved.content.startswith("Saved **Studio week**: in this server, `/prep` uses it")
    prep = await mara.slash("prep", student="Sam")
    embed = prep.embeds[0]
    assert "Our studio's own weekly routine." in embed["description"]
    assert "Progress: 0/5" in embed["description"]  # missed_last shows only after a no-show
    options = [o["value"] for o in _select(prep)["options"]]
    assert options == ["open_board", "pick_blocker", "celebrate", "studio_story", "rubric"]
    assert "Open their project board before the call" in str(embed["fields"])
    ticked = await mara.select(prep, PICK_ITEMS, ["open_board", "rubric"])
    assert "Progress: 2/5" in ticked.embeds[0]["description"]

    # Hiding the built-in changes nothing while the server has its own.
    await morgan.slash("checklist hide", kind="regular")
    assert "Progress: 2/5" in (await mara.slash("prep", student="Sam")).embeds[0]["description"]
    listing = await morgan.slash("checklist list")
    fields = {f["name"]: f["value"] for f in listing.embeds[0]["fields"]}
    assert "`regular` · Weekly session · **hidden**" in fields["Built in"]
    assert "`regular` · Studio week · replaces the built-in one" in fields["This server's own"]

    # Edit in the form: it opens with the stored text.
    edit = await morgan.slash("checklist edit", kind="regular")
    assert field_values(edit)["source"] == STUDIO_WEEK.strip()
    edited = await morgan.submit_modal(
        edit, {"source": STUDIO_WEEK.replace('"Studio week"', '"Studio week (v2)"')}
    )
    assert edited.content == "Updated **Studio week (v2)** (`regular`)."

    # Deleted, with the built-in hidden: no checklist at all; shown again: the built-in.
    question = await morgan.slash("checklist delete", kind="regular")
    assert "Delete this server's checklist **Studio week (v2)**" in question.content
    await morgan.click(question, "Delete")
    bare = await mara.slash("prep", student="Sam")
    assert "Progress: 0/0" in bare.embeds[0]["description"]
    assert bare.message is not None
    assert PICK_ITEMS not in [s.get("placeholder") for s in bare.message.selects]
    await morgan.slash("checklist show", kind="regular")
    back = await mara.slash("prep", student="Sam")
    assert [o["value"] for o in _select(back)["options"]] == built_in_ids
    refused = await morgan.slash("checklist delete", kind="regular")
    assert "`regular` is built in" in refused.content
    world.sb.assert_no_unexpected_errors()


def _select(reply: Reply) -> dict[str, Any]:
    assert reply.message is not None, reply
    [select] = [s for s in reply.message.selects if s.get("placeholder") == PICK_ITEMS]
    return select
