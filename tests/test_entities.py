"""Entities, aliases and references (kg/entities.py, kg/aliases.py, kg/references.py).

Sentences are invented for these tests, in news style. Each test states the rule it covers.
"""
from __future__ import annotations

import pytest
from spacy.tokens import Doc


def entity(doc, key: str) -> dict:
    assert key in doc._.entities, f"{key!r} not among {sorted(doc._.entities)}"
    return doc._.entities[key]


def mention_on(doc, word: str, occurrence: int = 0) -> dict | None:
    """The mention covering the given occurrence of a word in the text."""
    tokens = [t for t in doc if t.text == word]
    token = tokens[occurrence]
    covering = [m for m in doc._.mentions if m["start"] <= token.i < m["end"]]
    return min(covering, key=lambda m: m["end"] - m["start"]) if covering else None


# ---------------------------------------------------------------- nominal actors

@pytest.mark.parametrize("text, key", [
    ("Russian-backed separatists shelled the outskirts of Donetsk.", "Russian-backed separatists"),
    ("The US-led coalition struck targets in Raqqa.", "US-led coalition"),
    ("The Saudi-led coalition bombed Saada.", "Saudi-led coalition"),
    ("Malian troops withdrew from Kidal on Tuesday.", "Malian troops"),
    ("The Burkinabe army recaptured Djibo.", "Burkinabe army"),
    ("Two days of fighting killed 45 Ukrainian soldiers.", "Ukrainian soldiers"),   # a count is not in the name
])
def test_nominal_actor_is_an_armed_group_named_without_determiner(nlp, text, key):
    doc = nlp(text)
    assert entity(doc, key)["type"] == "ArmedGroup"
    assert not any(k.lower().startswith(("the ", "a ", "45 ")) for k in doc._.entities)


def test_nominal_actor_with_a_gazetteer_modifier_is_that_group(nlp):
    # "Houthi rebels" are the Houthis; "Wagner fighters" are the Wagner Group
    doc = nlp("Houthi rebels fired a missile at a ship in the Red Sea.")
    houthis = entity(doc, "Houthis")
    assert houthis["type"] == "ArmedGroup" and "Houthi rebels" in houthis["aliases"]
    assert mention_on(doc, "rebels")["key"] == "Houthis"
    doc = nlp("Wagner fighters withdrew from Kidal.")
    assert "Wagner fighters" in entity(doc, "Wagner Group")["aliases"]


def test_government_of_a_country_is_the_country(nlp):
    doc = nlp("The Somali government condemned the attack.")
    somalia = entity(doc, "Somalia")
    assert somalia["type"] == "Country" and "Somali government" in somalia["aliases"]


def test_backing_participle_is_stripped_from_a_named_group(nlp):
    # "Iranian-funded" is a fact about Kataib Hezbollah, not part of its name; Iran becomes an entity
    doc = nlp("The Iranian-funded Kataib Hezbollah militia claimed the attack.")
    assert entity(doc, "Kataib Hezbollah")["type"] == "ArmedGroup"
    assert entity(doc, "Iran")["type"] == "Country"
    assert mention_on(doc, "Iranian")["source"] == "demonym"


def test_state_before_a_participle_is_not_a_backer(nlp):
    doc = nlp("State-backed militias attacked the camp in Darfur.")
    assert set(doc._.entities) == {"Darfur"}


@pytest.mark.parametrize("text", [
    "Rebels attacked a checkpoint overnight.",
    "The militants burned a market.",
    "Government forces shelled the area.",
    "Security forces killed three gunmen.",
    "The rebels said they had withdrawn.",
    "The group said it had seized the base.",
    "REBELS SEIZE TOWN",
])
def test_bare_generic_word_without_antecedent_mints_no_entity(nlp, text):
    doc = nlp(text)
    assert doc._.entities == {}
    assert doc._.mentions == []


def test_lowercase_phrase_is_not_the_gazetteer_name(nlp):
    # "an Islamic state" is not the Islamic State
    doc = nlp("Analysts warned that an Islamic state could emerge in the Sahel.")
    assert "Islamic State" not in doc._.entities


# ---------------------------------------------------------------- places

@pytest.mark.parametrize("text, name, noun", [
    ("Militants stormed the town of Hassan Yusuf on Friday.", "Hassan Yusuf", "town"),
    ("Rebels overran the town of Ahmed Bey.", "Ahmed Bey", "town"),
    ("Clashes were reported in the village of Ahmed Bey.", "Ahmed Bey", "village"),
])
def test_the_town_of_x_is_a_location_even_when_spacy_says_person(nlp, text, name, noun):
    doc = nlp(text)
    # precondition: the statistical model does label the name a person here
    assert [e.label_ for e in doc.ents if e.text == name] == ["PERSON"]
    assert entity(doc, name)["type"] == "Location"


def test_name_described_as_a_village_is_a_location(nlp):
    doc = nlp("Heavy fighting hit Karim Omar, a village near Aleppo.")
    assert [e.label_ for e in doc.ents if e.text == "Karim Omar"] == ["PERSON"]
    assert entity(doc, "Karim Omar")["type"] == "Location"


def test_border_named_by_a_country_is_a_location(nlp):
    doc = nlp("Troops from Ethiopia crossed the Ethiopian border into Somalia.")
    assert entity(doc, "Ethiopian border")["type"] == "Location"
    doc = nlp("Troops massed along the border with Sudan.")
    assert entity(doc, "border with Sudan")["type"] == "Location"
    assert entity(doc, "Sudan")["type"] == "Country"


def test_province_name_is_a_location(nlp):
    doc = nlp("Shelling hit Luhansk province and Kharkiv region overnight.")
    assert entity(doc, "Luhansk Oblast")["type"] == "Location"
    assert "Luhansk province" in entity(doc, "Luhansk Oblast")["aliases"]
    assert entity(doc, "Kharkiv")["type"] == "Location"


# ---------------------------------------------------------------- persons and surnames

@pytest.mark.parametrize("text, full, surname", [
    ("General Abdel Fattah al-Burhan visited Port Sudan on Monday. Burhan said the war would end soon.",
     "Abdel Fattah al-Burhan", "Burhan"),
    ("Mohamed Hamdan Dagalo addressed his fighters in Darfur. Dagalo promised to take El Fasher.",
     "Mohamed Hamdan Dagalo", "Dagalo"),
    ("Ivan Marquez, a former FARC commander, was wounded. Marquez later appeared in a video.",
     "Ivan Marquez", "Marquez"),
])
def test_surname_after_full_name_is_the_same_person(nlp, text, full, surname):
    doc = nlp(text)
    person = entity(doc, full)
    assert person["type"] == "Person"
    assert surname not in doc._.entities
    assert surname in person["aliases"]
    assert mention_on(doc, surname, occurrence=-1)["key"] == full


def test_title_is_not_part_of_a_person_name(nlp):
    doc = nlp("Major General Kyaw Zaw Oo said the convoy was attacked.")
    assert entity(doc, "Kyaw Zaw Oo")["type"] == "Person"
    assert not any("General" in k for k in doc._.entities)


# ---------------------------------------------------------------- aliases

@pytest.mark.parametrize("text, key, acronym", [
    ("The Arakan Army (AA) seized Paletwa.", "Arakan Army", "AA"),
    ("The Oromo Liberation Army (OLA) ambushed a convoy.", "Oromo Liberation Army", "OLA"),
    ("The Kenya Defence Forces (KDF) pushed into Gedo.", "Kenya Defence Forces", "KDF"),
    ("Jama'at Nusrat al-Islam wal-Muslimin (JNIM) claimed the attack near Djibo.",
     "Jama'at Nusrat al-Islam wal-Muslimin", "JNIM"),
])
def test_acronym_in_parentheses_is_an_alias(nlp, text, key, acronym):
    doc = nlp(text)
    assert acronym in entity(doc, key)["aliases"]
    assert acronym not in doc._.entities
    assert {"key": key, "alias": acronym, "pattern": "alias/acronym-in-parentheses"} in \
        [{k: a[k] for k in ("key", "alias", "pattern")} for a in doc._.aliases]
    assert mention_on(doc, acronym)["key"] == key


@pytest.mark.parametrize("text, described, name", [
    ("An umbrella group of Tuareg militias, known as the Coordination of Azawad Movements, seized Kidal.",
     "umbrella group", "Coordination of Azawad Movements"),
    ("A coalition of jihadist factions, known as Hayat Tahrir al-Sham, took control of Idlib.",
     "coalition", "Hayat Tahrir al-Sham"),
    ("A militia called the Popular Defence Forces attacked the camp.", "militia", "Popular Defence Forces"),
])
def test_known_as_apposition_names_the_described_group(nlp, text, described, name):
    doc = nlp(text)
    assert described in entity(doc, name)["aliases"]
    assert any(a["key"] == name and a["alias"] == described and a["pattern"] == "alias/known-as"
               for a in doc._.aliases)
    assert described not in doc._.entities


def test_known_as_describes_the_umbrella_not_its_members(nlp):
    doc = nlp("An umbrella group of Tuareg militias, known as the Coordination of Azawad Movements, seized Kidal.")
    assert mention_on(doc, "group")["key"] == "Coordination of Azawad Movements"
    assert mention_on(doc, "militias")["key"] == "Tuareg militias"


def test_known_as_merges_two_names(nlp):
    doc = nlp("The Wagner Group, now known as the Africa Corps, has expanded in Mali.")
    assert "Wagner Group" in entity(doc, "Africa Corps")["aliases"]
    assert "Wagner Group" not in doc._.entities


def test_or_apposition_is_an_alias(nlp):
    doc = nlp("The Islamic State Sahel Province, or ISSP, claimed the attack.")
    assert "ISSP" in entity(doc, "Islamic State Sahel Province")["aliases"]
    assert "ISSP" not in doc._.entities
    assert [a["pattern"] for a in doc._.aliases] == ["alias/or-apposition"]


def test_alias_record_points_at_its_sentence(nlp):
    text = "Fighting resumed in Rakhine. The Arakan Army (AA) seized Paletwa."
    doc = nlp(text)
    [record] = doc._.aliases
    assert text[record["start_char"]:record["end_char"]] == "The Arakan Army (AA) seized Paletwa."


# ---------------------------------------------------------------- references

def test_the_group_is_the_nearest_group_named_with_the_same_noun(nlp):
    # "Malian troops" is nearer, but only the Wagner Group is a "group"
    doc = nlp("The Wagner Group sent instructors to Mali, where Malian troops trained with them. "
              "The group said it had lost ten men.")
    ref = mention_on(doc, "group")
    assert (ref["key"], ref["source"]) == ("Wagner Group", "reference")


def test_the_militias_is_the_group_named_militias(nlp):
    doc = nlp("Tuareg militias and Malian troops clashed near Kidal. The militias said they had retaken two bases.")
    assert mention_on(doc, "militias", occurrence=1)["key"] == "Tuareg militias"


def test_synonym_head_resolves(nlp):
    # "the soldiers" continues "Malian troops" (troops ~ soldiers)
    doc = nlp("Malian troops withdrew from Kidal. The soldiers said they had been ambushed.")
    assert mention_on(doc, "soldiers")["key"] == "Malian troops"


def test_bare_plural_continues_only_the_same_noun(nlp):
    doc = nlp("Russian-backed separatists shelled Kharkiv. Separatists later fired on Izium.")
    assert mention_on(doc, "Separatists")["key"] == "Russian-backed separatists"
    doc = nlp("The Houthis fired a drone at Israel. Rebels later fired two more.")
    assert mention_on(doc, "Rebels") is None
    assert set(doc._.entities) == {"Houthis", "Israel"}


@pytest.mark.parametrize("text, town", [
    ("The Arakan Army seized the town of Paletwa last week. Residents said the town was without power.", "Paletwa"),
    ("Troops retook the village of Kamal Hassan on Monday. Fighting then moved to the town of Tayyib Ali. "
     "The town was shelled overnight.", "Tayyib Ali"),
])
def test_the_town_is_the_nearest_town(nlp, text, town):
    doc = nlp(text)
    ref = mention_on(doc, "town", occurrence=-1)
    assert (ref["key"], ref["source"], ref["type"]) == (town, "reference", "Location")


def test_the_state_is_the_country_in_focus(nlp):
    doc = nlp("Nigeria and Niger sent troops. Nigeria said the state would not negotiate. Nigeria deployed jets.")
    assert mention_on(doc, "state")["key"] == "Nigeria"


def test_reference_within_five_sentences_resolves(nlp):
    doc = nlp("Boko Haram attacked a village in Borno on Sunday. Troops arrived the next day. "
              "A curfew was declared on Monday. Aid convoys reached the area on Tuesday. "
              "Schools were closed for a week. The group said it would strike again.")
    assert mention_on(doc, "group")["key"] == "Boko Haram"


# Known limitations of the reference heuristic (documented in kg/references.py). These tests pin
# the CURRENT, wrong behaviour so that a change to it is noticed; fix the rule, then flip them.

def test_known_limitation_antecedent_more_than_five_sentences_back(nlp):
    # KNOWN LIMITATION: "the group" is Boko Haram, but Boko Haram was named six sentences back,
    # outside the five-sentence window, so the reference stays unresolved.
    doc = nlp("Boko Haram attacked a village in Borno on Sunday. Troops arrived the next day. "
              "A curfew was declared on Monday. Aid convoys reached the area on Tuesday. "
              "Schools were closed for a week. Markets reopened on Friday. The group said it would strike again.")
    assert mention_on(doc, "group") is None
    # (the pronoun "it" does reach Boko Haram: pronouns look for the subject in focus in the paragraph)
    assert [m["source"] for m in doc._.mentions
            if m["key"] == "Boko Haram" and doc[m["start"]].lower_ != "it"] == ["gazetteer"]


def test_known_limitation_cataphora(nlp):
    # KNOWN LIMITATION: "the group" refers forward to Boko Haram; only earlier mentions are
    # searched, so the reference is left unresolved.
    doc = nlp("In a video released on Sunday, the group threatened new attacks on Maiduguri. "
              "Boko Haram has killed thousands in Borno.")
    assert mention_on(doc, "group") is None
    assert set(doc._.entities) == {"Maiduguri", "Boko Haram", "Borno"}


def test_acronym_names_the_entity_wherever_it_recurs(nlp):
    doc = nlp("The Arakan Army (AA) seized Paletwa. The AA said its fighters took the town.")
    assert [m["key"] for m in doc._.mentions if doc[m["start"]].text == "AA"] == ["Arakan Army", "Arakan Army"]
    assert "AA" not in doc._.entities


@pytest.mark.parametrize("text,person,surname", [
    ("Colonel Mamadou Diallo said the convoy was attacked. Diallo said three soldiers died.", "Mamadou Diallo", "Diallo"),
    ("Gustavo Petro met rebel negotiators in Caracas. Petro said the ceasefire would hold.", "Gustavo Petro", "Petro"),
])
def test_surname_reaches_a_full_name_spacy_called_an_organisation(nlp, text, person, surname):
    doc = nlp(text)
    assert doc._.entities[person]["type"] == "Person"
    assert surname not in doc._.entities



def test_mention_lookup_answers_for_the_doc_it_is_given_when_an_earlier_docs_memory_is_reused(nlp):
    """CPython hands a freed Doc's id to the next Doc at once; a lookup cached by ids and counts gave
    the next doc the last doc's index (an IndexError in CI, or silently another article's entity).
    One mentions list carried from doc to doc makes the ids and the count coincide on purpose."""
    import gc
    from kg.entities import mention_at

    mentions: list = []
    for n in range(5):
        first = Doc(nlp.vocab, words=["Hamas", "fought", "."])
        mentions[:] = [{"start": 0, "end": 1, "key": f"A{n}", "type": "ArmedGroup", "text": "Hamas", "source": "test"}]
        first._.mentions = mentions
        assert mention_at(first, 0)["key"] == f"A{n}"
        del first
        gc.collect()
        second = Doc(nlp.vocab, words=["They", "said", "Hezbollah", "fought", "Israel", "."])
        mentions[:] = [{"start": 2, "end": 3, "key": f"B{n}", "type": "ArmedGroup", "text": "Hezbollah", "source": "test"}]
        second._.mentions = mentions
        assert mention_at(second, 0) is None
        assert mention_at(second, 2)["key"] == f"B{n}"
        del second
        gc.collect()


def test_mention_lookup_sees_mentions_appended_after_it_was_first_asked(nlp):
    """The components add mentions as they go (references after actors) and ask between additions."""
    from kg.entities import mention_at

    doc = Doc(nlp.vocab, words=["Islamic", "State", "fighters", "attacked", "Mosul", "."])
    doc._.mentions = [{"start": 4, "end": 5, "key": "Mosul", "type": "Location", "text": "Mosul", "source": "test"}]
    assert mention_at(doc, 0) is None and mention_at(doc, 4)["key"] == "Mosul"
    doc._.mentions.append({"start": 0, "end": 3, "key": "IS fighters", "type": "ArmedGroup", "text": "x", "source": "t"})
    assert mention_at(doc, 1)["key"] == "IS fighters"
    doc._.mentions.append({"start": 0, "end": 2, "key": "Islamic State", "type": "ArmedGroup", "text": "x", "source": "t"})
    assert mention_at(doc, 1)["key"] == "Islamic State"      # the innermost mention wins
    assert mention_at(doc, 2)["key"] == "IS fighters"


def test_mention_lookup_is_rebuilt_when_the_list_lost_a_mention_before_growing(nlp):
    from kg.entities import mention_at

    doc = Doc(nlp.vocab, words=["Hamas", "fought", "Israel", "."])
    doc._.mentions = [{"start": 0, "end": 1, "key": "Hamas", "type": "ArmedGroup", "text": "Hamas", "source": "t"}]
    assert mention_at(doc, 0)["key"] == "Hamas"
    doc._.mentions[0] = {"start": 2, "end": 3, "key": "Israel", "type": "Country", "text": "Israel", "source": "t"}
    doc._.mentions.append({"start": 1, "end": 2, "key": "fought", "type": "Location", "text": "x", "source": "t"})
    assert mention_at(doc, 0) is None
    assert mention_at(doc, 2)["key"] == "Israel"
