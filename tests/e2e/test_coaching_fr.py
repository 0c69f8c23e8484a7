"""Coaching stories in French: a French mentor and a French student read no English anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from bot.content import content
from bot.storage import mentorships as mentorship_store
from bot.storage import notes as note_store
from bot.texts import FALLBACK, catalogue, plural_forms, tr
from sandbox.driver import Persona
from sandbox.views import MessageView, Reply
from tests.e2e.conftest import World

FR = "fr"
ENGLISH_WORDS = frozenset(
    (
        *("the", "and", "your", "you", "with", "this", "that", "what", "when", "next"),
        *("step", "steps", "ask", "avoid", "try", "week", "held", "review", "student"),
        *("students", "prepare", "checklist", "progress", "ahead", "behind"),
    )
)
"""Words that give English away (a French text has none of them, outside commands)."""
COMMANDS = re.compile(r"`[^`]*`|/[a-z][a-z _-]*|<[^>]*>|https?://\S+")


def english_texts() -> set[str]:
    """Every English text of the catalogue and the content that French writes differently."""
    texts = catalogue()
    found: set[str] = set()
    for key in texts.keys(FALLBACK):
        original, translated = texts.raw(key, FALLBACK) or "", texts.raw(key, FR) or ""
        forms = plural_forms(original) or {"other": original}
        for form in forms.values():
            for part in re.split(r"\{[^}]*\}", form):
                part = part.strip(" .:·*•\n")
                if len(part) >= 12 and part not in translated:
                    found.add(part)
    english, french = content("en"), content(FR)
    for checklist in english.checklists.values():
        found.update(item.text for item in checklist.items)
        found.add(checklist.title)
        found.add(checklist.summary)
    for template in english.templates.values():
        found.update([template.title, template.description, *(f.label for f in template.fields)])
    for answer in english.topics.values():
        found.update([answer.title, *answer.moves, answer.question, answer.pitfall])
        found.update(answer.for_start.values())
    for prompt in english.skills.values():
        found.update([prompt.prompt, prompt.try_this, *prompt.for_start.values()])
    found.update(job.hint for job in english.jobs.values())
    found.add(english.progress.advice)
    french_titles = {skill.title for skill in french.skills.values()}
    return {text for text in found if text not in french_titles}


ENGLISH = english_texts()


def strings(value: Any) -> Iterator[str]:
    """Every text a person reads in a message payload, modal or embed."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key in {"custom_id", "value", "url", "type", "id", "_interaction_id", "timestamp"}:
                continue
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def shown(reply: Reply | MessageView) -> list[str]:
    """The texts of a reply: its message (content, embeds, buttons, selects) or its modal."""
    if isinstance(reply, Reply) and reply.modal is not None:
        return list(strings(reply.modal))
    message = reply.message if isinstance(reply, Reply) else reply
    assert message is not None, reply
    return [message.content, *strings(message.embeds), *strings(message.components)]


def assert_french(reply: Reply | MessageView, *, allowed: tuple[str, ...] = ()) -> None:
    """Fail on any English text or English word in what the reader sees."""
    for text in shown(reply):
        for english in ENGLISH:
            assert english not in text, f"English text {english!r} in {text!r}"
        plain = COMMANDS.sub(" ", text)
        for word in allowed:
            plain = plain.replace(word, " ")
        words = {w.casefold() for w in re.findall(r"[A-Za-z']+", plain)}
        leaked = words & ENGLISH_WORDS
        assert not leaked, f"English words {sorted(leaked)} in {text!r}"


async def french_mentor_with_student(world: World) -> tuple[Persona, Persona]:
    mehdi, sofia = world.mehdi, world.sofia
    assert_french(await mehdi.slash("timezone set", zone="Europe/Paris"))
    added = await mehdi.slash(  # Sofia never used a command: Mehdi says she reads French
        "student add",
        member=sofia,
        project="P2 · Portfolio",
        session_length=30,
        starting_point="career_change",
        language=FR,
    )
    assert_french(added)
    planned = await mehdi.slash("session schedule", student="Sofia", when="demain 18:00")
    assert_french(planned, allowed=("Sofia",))
    return mehdi, sofia


async def test_a_french_mentor_prepares_and_writes_feedback_all_in_french(world: World) -> None:
    mehdi, sofia = await french_mentor_with_student(world)
    assert world.sb.guild is not None
    [mentorship] = await mentorship_store.active_for_mentor(world.db, world.sb.guild.id, mehdi.id)

    prep = await mehdi.slash("prep", student="Sofia")
    assert_french(prep, allowed=("Sofia", "Portfolio"))
    french = content(FR)
    assert prep.embeds[0]["title"] == tr(
        "coaching.prep_title", FR, name="Sofia", kind=tr("kind.regular", FR)
    )
    names = [field["name"] for field in prep.embeds[0]["fields"]]
    assert names[-4:] == [job.title for job in french.jobs.values()]
    pick = tr("coaching.prep_pick_items", FR)
    [select] = [s for s in prep.message.selects if s.get("placeholder") == pick]  # type: ignore[union-attr]
    options = [option["value"] for option in select["options"]]
    assert "transferable" in options  # Sofia changes career: the item for her shows
    assert "explain_codes" not in options  # and the first-job one does not
    assert french.checklist("regular").item(options[0]).text in str(select["options"])
    ticked = await mehdi.select(prep, pick, options[:2])
    assert_french(ticked, allowed=("Sofia", "Portfolio"))

    world.clock.advance(timedelta(days=2))  # the session took place
    form = await mehdi.slash("feedback", student="Sofia", template="deliverable_review")
    assert form.modal is not None
    assert form.modal["title"] == french.template("deliverable_review").title
    assert_french(form)
    saved = await mehdi.submit_modal(
        form,
        {
            "expected": "Une maquette et un dépôt, pour vendredi",
            "handed_in": "La maquette est arrivée ; le dépôt n'a pas de README",
            "skills": "Mise en page responsive bien montrée",
            "next_steps": "- Ajouter le rapport de tests\n- Écrire le README",
        },
    )
    assert_french(saved, allowed=("Sofia", "Portfolio", "README"))
    assert tr("coaching.feedback_steps_opened", FR, count=2) in saved.content
    [note] = await note_store.notes_of(world.db, mentorship.id, mehdi.id)
    assert note.title.startswith(f"{french.template('deliverable_review').title} · ")
    assert re.search(r"\b(janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.?$", note.title)

    world.sb.open_dms(sofia)
    sent = await mehdi.click(saved, tr("coaching.feedback_send", FR))
    assert_french(sent, allowed=("Sofia",))
    for told in sofia.dms:  # the session news she got, and the feedback
        assert_french(told, allowed=("Mehdi", "Portfolio", "README"))
    label = french.template("deliverable_review").fields[0].label
    [dm] = [told for told in sofia.dms if label in str(told.embeds)]
    assert french.template("deliverable_review").fields[0].label in str(dm.embeds)

    await mehdi.slash("session schedule", student="Sofia", when="demain 18:00")
    again = await mehdi.slash("prep", student="Sofia")
    assert_french(again, allowed=("Sofia", "Portfolio", "README"))
    assert "Ajouter le rapport de tests" in str(again.message.selects)  # type: ignore[union-attr]


async def test_coach_answers_every_topic_and_skill_in_french(world: World) -> None:
    mehdi = world.mehdi
    french = content(FR)
    for topic in french.topics.values():
        reply = await mehdi.slash("coach topic", topic=topic.id)
        assert reply.embeds[0]["title"] == topic.title
        assert_french(reply)
        for start in ("first_job", "career_change"):
            fitted = await mehdi.slash("coach topic", topic=topic.id, starting_point=start)
            assert_french(fitted)
    for skill in french.skills.values():
        reply = await mehdi.slash("coach skill", skill=skill.id)
        assert reply.embeds[0]["title"] == skill.title
        assert_french(reply)


async def test_progress_and_presentation_plan_read_in_french(world: World) -> None:
    mehdi, _ = await french_mentor_with_student(world)
    done = await mehdi.slash(
        "progress", student="Sofia", status="on_track", ready_for_assessment=True
    )
    assert_french(done, allowed=("Sofia",))
    assert done.embeds[0]["footer"]["text"] == content(FR).progress.advice


async def test_the_french_command_tree_names_topics_and_options_in_french(world: World) -> None:
    synced = world.sb.commands(world.sb.guild) or world.sb.commands()
    commands = {c["name"]: c for c in synced}
    coach = commands["coach"]
    topic = next(o for o in coach["options"] if o["name"] == "topic")
    [option] = [o for o in topic["options"] if o["name"] == "topic"]
    names = {c["value"]: c.get("name_localizations", {}).get("fr") for c in option["choices"]}
    assert names == {t.id: t.title for t in content(FR).topics.values()}


def options_of(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for option in node.get("options") or []:
        yield option
        yield from options_of(option)


async def test_every_command_option_has_a_french_name(world: World) -> None:
    synced = world.sb.commands(world.sb.guild) or world.sb.commands()
    assert synced
    for command in synced:
        for option in options_of(command):
            if option["type"] in (1, 2):  # subcommands keep their names
                continue
            french = (option.get("name_localizations") or {}).get(FR)
            assert french, (command["name"], option["name"])
            assert french == tr(f"option_names.{option['name']}", FR)
    [prep] = [c for c in synced if c["name"] == "prep"]
    assert prep["options"][0]["name_localizations"]["fr"] == "étudiant"


FRENCH_TEMPLATE = """[point_hebdo]
title = "Point hebdomadaire"
description = "Un point rapide sur la semaine écoulée et la suivante."

[[point_hebdo.fields]]
id = "humeur"
label = "Comment s'est passée la semaine pour l'étudiant, en quelques mots"
placeholder = "Son moral, son énergie"
style = "short"
max_length = 200

[[point_hebdo.fields]]
id = "etapes"
label = "Prochaines étapes"
placeholder = "Une étape par ligne"
style = "paragraphe"
max_length = 800
next_steps = true
"""


async def test_an_uploaded_french_template_with_a_bad_field_is_refused_naming_it(
    world: World,
) -> None:
    morgan = world.morgan
    label = "Comment s'est passée la semaine pour l'étudiant, en quelques mots"
    refused = await morgan.slash(
        "template create", file=("point.toml", FRENCH_TEMPLATE.encode("utf-8"))
    )
    assert refused.ephemeral
    assert f"point_hebdo.fields[0].label is {len(label)} characters, at most 45" in (
        refused.content
    )
    shorter = FRENCH_TEMPLATE.replace(label, "La semaine en quelques mots")
    refused = await morgan.slash("template create", file=("point.toml", shorter.encode("utf-8")))
    assert "point_hebdo.fields[1].style is 'paragraphe', expected one of: short, paragraph" in (
        refused.content
    )
    fixed = shorter.replace('"paragraphe"', '"paragraph"')
    saved = await morgan.slash("template create", file=("point.toml", fixed.encode("utf-8")))
    assert "Point hebdomadaire" in saved.content
    # A French mentor then sees it, as written, beside the French built-ins.
    offered = await world.mehdi.autocomplete("feedback", "template", "", student="Sofia")
    names = [choice["name"] for choice in offered]
    assert "Point hebdomadaire" in names
    assert content(FR).template("session_report").title in names


async def test_a_french_moderator_reads_every_schema_fault_in_french_naming_the_field(
    world: World,
) -> None:
    camille = world.sb.add_user("camille", locale=FR, roles=("Moderator",))
    label = "Comment s'est passée la semaine pour l'étudiant, en quelques mots"
    valid = FRENCH_TEMPLATE.replace(label, "La semaine").replace('"paragraphe"', '"paragraph"')
    faults = {
        FRENCH_TEMPLATE: f"point_hebdo.fields[0].label fait {len(label)} caractères, 45 au maximum",
        FRENCH_TEMPLATE.replace(label, "La semaine"): (
            "point_hebdo.fields[1].style vaut 'paragraphe' ; valeurs possibles : short, paragraph"
        ),
        valid.replace("next_steps = true", "couleur = 1"): (
            "point_hebdo.fields[1] contient une clé inconnue, 'couleur'"
        ),
        valid.replace("next_steps = true", 'next_steps = "oui"'): (
            "point_hebdo.fields[1].next_steps doit valoir true ou false, et non un texte"
        ),
        "[a\n": "modèle de retour : ce n'est pas du TOML valide",
        "# rien\n": "modèle de retour : le texte est vide ; il faut exactement une table",
    }
    for text, fault in faults.items():
        refused = await camille.slash("template create", file=("point.toml", text.encode()))
        assert refused.ephemeral
        assert "Rien n'a été enregistré" in refused.content
        assert fault in refused.content, refused.content
        assert_french(refused, allowed=("true", "false", "short", "paragraph", "TOML"))
    # The same fault reads in English for an English moderator: it is worded when shown.
    english = await world.morgan.slash(
        "template create", file=("point.toml", FRENCH_TEMPLATE.encode())
    )
    assert f"point_hebdo.fields[0].label is {len(label)} characters, at most 45" in english.content
    world.sb.assert_no_unexpected_errors()


async def test_help_reads_in_french_for_a_french_mentor(world: World) -> None:
    card = await world.mehdi.slash("help")
    assert card.ephemeral
    assert_french(card, allowed=("Mentor Coach",))
    assert "/coach handover" in str(card.embeds)
