"""Every relation pattern in kg/patterns/*.json, tested on sentences written for these tests.

Each pattern id has at least one positive sentence (the exact subject, predicate, object and
pattern id must come out) and at least one near miss (the relation must NOT come out). The
meta-tests at the bottom fail when a pattern is added to a JSON file without a case here.
Modality and polarity (negation, denial, allegation, report, hypothesis) and coordination
(one relation per conjunct) are tested separately.

The sentences are invented, in news style, about conflicts other than the shared corpus's.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

PATTERNS_DIR = Path(__file__).resolve().parents[1] / "kg" / "patterns"
SYMMETRIC = {"fighting", "locatedNear"}


class Case(NamedTuple):
    pattern: str   # "<relation>/<id>"
    text: str
    subject: str   # canonical entity names (keys of doc._.entities)
    object: str

    @property
    def predicate(self) -> str:
        return self.pattern.split("/", 1)[0]

    def __str__(self) -> str:   # readable test ids
        return f"{self.pattern}: {self.text[:60]}"


def all_pattern_ids() -> list[str]:
    ids = []
    for path in sorted(PATTERNS_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        ids += [f"{spec['relation']}/{p['id']}" for p in spec["patterns"]]
    return ids


def triples(doc) -> set[tuple[str, str, str]]:
    return {(r["subject"], r["predicate"], r["object"]) for r in doc._.relations}


def related(doc, a: str, predicate: str, b: str) -> list[dict]:
    """Relations of ``predicate`` between a and b (either direction for symmetric relations)."""
    pairs = {(a, b), (b, a)} if predicate in SYMMETRIC else {(a, b)}
    return [r for r in doc._.relations if r["predicate"] == predicate and (r["subject"], r["object"]) in pairs]


# ---------------------------------------------------------------- positives: the relation must come out

POSITIVE = [
    Case("fighting/x-joined-offensive-verb-against-y", "Kurdish fighters have joined the offensive against Islamic State.",
         "Kurdish fighters", "Islamic State"),
    Case("locatedNear/x-located-between-y-and-z", "Kramatorsk lies halfway between Sloviansk and Donetsk.",
         "Kramatorsk", "Sloviansk"),
    Case("spokesmanOf/x-served-as-spokesman-for-y", "Khine Thu Kha has served as spokesman for the Arakan Army since 2019.",
         "Khine Thu Kha", "Arakan Army"),
    Case("spokesmanOf/x-is-spokesman-for-y", "Zabihullah Mujahid, who is the spokesman for the Taliban, said the talks had failed.",
         "Zabihullah Mujahid", "Taliban"),
    Case("backedBy/y-is-backed-by-x", "Russia was supplied with drones by Iran.", "Russia", "Iran"),
    Case("fighting/x-fought-y", "Officials said the Arakan Army was attacking Tatmadaw positions.", "Arakan Army", "Tatmadaw"),
    Case("backedBy/accused-x-of-backing-y", "Sudan accused the United Arab Emirates of arming the Rapid Support Forces.",
         "Rapid Support Forces", "United Arab Emirates"),
    Case("backedBy/x-denied-backing-y", "Russia denied supporting the Tatmadaw.", "Tatmadaw", "Russia"),
    Case("fighting/x-recaptured-p-from-y-object", "Somali troops have recaptured a number of towns from al-Shabab.",
         "Somali troops", "al-Shabab"),
    # backedBy: the subject is backed by the object
    Case("backedBy/x-backed-y", "The Russian-backed Wagner Group fighters entered the town.",
         "Wagner Group", "Russia"),
    Case("backedBy/x-backed-y", "The Iranian-funded Kataib Hezbollah militia claimed the attack.",
         "Kataib Hezbollah", "Iran"),
    Case("backedBy/x-backed-y", "Russian-backed separatists shelled the outskirts of Donetsk.",
         "Russian-backed separatists", "Russia"),
    Case("backedBy/y-backed-by-x", "The Tatmadaw, backed by Russia, launched airstrikes on the village.",
         "Tatmadaw", "Russia"),
    Case("backedBy/y-backed-by-x", "Sudanese troops, backed by Eritrean fighters, gained ground in the battle to retake Wad Madani.",
         "Sudanese troops", "Eritrean fighters"),
    Case("backedBy/y-is-backed-by-x", "The Arakan Army is backed by China, analysts said.",
         "Arakan Army", "China"),
    Case("backedBy/x-backs-y", "Iran arms the Houthis.", "Houthis", "Iran"),
    Case("backedBy/x-backs-y", "Turkey does not support the Syrian National Army.", "Syrian National Army", "Turkey"),
    Case("backedBy/x-supplies-y-with-weapons", "Russia supplies the Tatmadaw with fighter jets.",
         "Tatmadaw", "Russia"),
    Case("backedBy/x-supplies-y-with-weapons", "Turkey has supplied the Syrian National Army with armoured vehicles.",
         "Syrian National Army", "Turkey"),
    Case("backedBy/with-the-support-of-x",
         "The Rapid Support Forces advanced on El Fasher with the support of the United Arab Emirates.",
         "Rapid Support Forces", "United Arab Emirates"),
    Case("backedBy/with-the-support-of-x", "The Rapid Support Forces seized Nyala with the backing of Wagner fighters.",
         "Rapid Support Forces", "Wagner Group"),
    Case("backedBy/assistance-provided-by-x",
         "The Arakan Army has made big gains in Rakhine. However, assistance is being provided by Chinese advisers.",
         "Arakan Army", "Chinese advisers"),

    # fighting (symmetric; the direction asserted is the one the pattern emits)
    Case("fighting/x-offensive-against-y", "Russia's offensive against Ukraine entered its third year.", "Russia", "Ukraine"),
    Case("fighting/x-offensive-against-y", "The Tatmadaw's assault on the Arakan Army stalled near Sittwe.",
         "Tatmadaw", "Arakan Army"),
    Case("fighting/x-joined-offensive-against-y",
         "The Syrian Democratic Forces launched an operation against Islamic State in Deir ez-Zor.",
         "Syrian Democratic Forces", "Islamic State"),
    Case("fighting/x-fought-y", "The Tatmadaw attacked the Kachin Independence Army.", "Tatmadaw", "Kachin Independence Army"),
    Case("fighting/x-fought-y", "Malian troops ambushed Ansar Dine fighters near Gao.", "Malian troops", "Ansar Dine"),
    Case("fighting/x-fought-with-y", "The Rapid Support Forces clashed with the Sudanese Armed Forces in Omdurman.",
         "Rapid Support Forces", "Sudanese Armed Forces"),
    Case("fighting/x-fought-with-y", "The ELN fought against the FARC in Arauca.", "ELN", "FARC"),
    Case("fighting/x-drove-y-from-p", "Nigerian troops have driven Boko Haram from the Sambisa Forest.",
         "Nigerian troops", "Boko Haram"),
    Case("fighting/y-was-driven-from-p-by-x", "Boko Haram was pushed out of Chibok by Nigerian troops.",
         "Nigerian troops", "Boko Haram"),
    Case("fighting/y-did-and-was-driven-by-x", "Boko Haram held the town for months, but was driven out by Nigerian troops.",
         "Nigerian troops", "Boko Haram"),
    Case("fighting/x-recaptured-p-from-y", "Somali troops have recaptured Jilib from al-Shabab.", "Somali troops", "al-Shabab"),
    Case("fighting/y-holding-out-against-x", "The Arakan Army is holding out against the Tatmadaw in Sittwe.",
         "Arakan Army", "Tatmadaw"),
    Case("fighting/x-formed-to-battle-y", "The Kachin Independence Army was formed to fight the Tatmadaw.",
         "Kachin Independence Army", "Tatmadaw"),
    Case("fighting/fighting-between-x-and-y",
         "Fighting between the Rapid Support Forces and the Sudanese Armed Forces has intensified.",
         "Rapid Support Forces", "Sudanese Armed Forces"),
    Case("fighting/x-in-fighting-with-y", "Ukrainian soldiers have been killed in fighting with Russian troops.",
         "Ukrainian soldiers", "Russian troops"),
    Case("fighting/x-killed-and-injured-in-fighting-with-y",
         "Ukrainian soldiers have been killed and more injured in fighting with Russian troops.",
         "Ukrainian soldiers", "Russian troops"),
    Case("fighting/x-killed-and-injured-in-fighting-with-y",
         "Malian soldiers were killed and others wounded in clashes with Ansar Dine.", "Malian soldiers", "Ansar Dine"),
    Case("fighting/x-advanced-on-y-held-p", "Sudanese troops advanced on the RSF-held town of Nyala.",
         "Sudanese troops", "Rapid Support Forces"),
    Case("fighting/x-claims-to-have-advanced-on-y-held-p",
         "Ukrainian forces are claiming to have advanced on the Russian-held city of Melitopol.",
         "Ukrainian forces", "Russia"),
    Case("fighting/x-battle-to-retake-y-held-p",
         "Sudanese troops gained ground in the battle to retake Wad Madani, which is held by the Rapid Support Forces.",
         "Sudanese troops", "Rapid Support Forces"),

    # locatedNear (symmetric)
    Case("locatedNear/x-near-y", "Fighting raged in the village of Tadamon, near Damascus.", "Tadamon", "Damascus"),
    Case("locatedNear/x-near-y", "Fighting raged in Irpin, outside Kyiv.", "Irpin", "Kyiv"),
    Case("locatedNear/x-near-y", "Heavy shelling hit Chasiv Yar, close to Bakhmut.", "Chasiv Yar", "Bakhmut"),
    Case("locatedNear/x-n-km-direction-of-y", "Militants attacked Djibo, about 200 kilometers north of Ouagadougou.",
         "Djibo", "Ouagadougou"),
    Case("locatedNear/x-n-km-direction-of-y", "Drones struck Lashio, some 120 miles northeast of Mandalay.",
         "Lashio", "Mandalay"),
    Case("locatedNear/x-on-the-outskirts-of-y", "Refugees fled to Irpin, on the outskirts of Kyiv.", "Irpin", "Kyiv"),
    Case("locatedNear/x-on-the-outskirts-of-y", "Artillery hit Omdurman, on the edge of Khartoum.", "Omdurman", "Khartoum"),
    Case("locatedNear/x-a-town-to-the-west", "Residents fled Kramatorsk. Shelling hit Sloviansk, a town to the north.",
         "Sloviansk", "Kramatorsk"),
    Case("locatedNear/x-between-y-and-z", "Shelling hit Avdiivka, midway between Donetsk and Pokrovsk.", "Avdiivka", "Donetsk"),
    Case("locatedNear/x-between-y-and-z", "Shelling hit Avdiivka, midway between Donetsk and Pokrovsk.", "Avdiivka", "Pokrovsk"),
    Case("locatedNear/x-and-neighbouring-y", "Russian strikes hit Kherson and neighbouring Mykolaiv.", "Kherson", "Mykolaiv"),
    Case("locatedNear/x-and-neighbouring-y", "Fighting spread to Borno and neighboring Yobe state.", "Borno", "Yobe"),

    # spokesmanOf: the subject (a person) speaks for the object
    Case("spokesmanOf/x-a-spokesman-for-y", "Khine Thu Kha, a spokesman for the Arakan Army, said the town had fallen.",
         "Khine Thu Kha", "Arakan Army"),
    Case("spokesmanOf/x-a-spokesman-for-y",
         "Bayan Omer, a senior spokeswoman for the Rapid Support Forces, denied the claims.",
         "Bayan Omer", "Rapid Support Forces"),
    Case("spokesmanOf/x-a-y-spokesman", "Hassan Ibrahim, an RSF spokesman, told reporters the city was calm.",
         "Hassan Ibrahim", "Rapid Support Forces"),
    Case("spokesmanOf/x-a-y-spokesman",
         "Nabil Abdallah, a Sudanese Armed Forces spokesman, said the army had retaken the bridge.",
         "Nabil Abdallah", "Sudanese Armed Forces"),
    Case("spokesmanOf/y-spokesman-x",
         "Tatmadaw spokesman Major General Zaw Min Tun said the attack had been repelled.", "Zaw Min Tun", "Tatmadaw"),
    Case("spokesmanOf/y-spokesman-x", "Ukrainian military spokesman Yuriy Ihnat said the drones were shot down.",
         "Yuriy Ihnat", "Ukrainian military"),
    Case("spokesmanOf/a-spokesman-for-y-x",
         "A spokesman for the Kachin Independence Army, Colonel Naw Bu, said the base had fallen.",
         "Naw Bu", "Kachin Independence Army"),
    Case("spokesmanOf/a-spokesman-for-y-x", "A spokesperson for the Taliban, Zabihullah Mujahid, rejected the report.",
         "Zabihullah Mujahid", "Taliban"),
    Case("spokesmanOf/x-is-spokesman-for-y", "Khine Thu Kha is the spokesman for the Arakan Army.",
         "Khine Thu Kha", "Arakan Army"),
    Case("spokesmanOf/x-is-spokesman-for-y", "Khine Thu Kha remains the spokesman of the Arakan Army.",
         "Khine Thu Kha", "Arakan Army"),
]


# ---------------------------------------------------------------- near misses: the relation must NOT come out

NEGATIVE = [
    Case("fighting/x-joined-offensive-verb-against-y", "Kurdish fighters have joined the talks with Islamic State.",
         "Kurdish fighters", "Islamic State"),
    Case("locatedNear/x-located-between-y-and-z", "Clashes in Bakhmut between Russia and Ukraine intensified.",
         "Bakhmut", "Russia"),
    Case("spokesmanOf/x-served-as-spokesman-for-y", "Khine Thu Kha has served as commander for the Arakan Army since 2019.",
         "Khine Thu Kha", "Arakan Army"),
    Case("backedBy/x-supplies-y-with-weapons", "The United Nations provided the Arakan Army with food aid.",
         "Arakan Army", "United Nations"),
    Case("backedBy/accused-x-of-backing-y", "Sudan accused the United Arab Emirates of meeting the Rapid Support Forces.",
         "Rapid Support Forces", "United Arab Emirates"),
    Case("backedBy/x-denied-backing-y", "Russia denied that talks with the Tatmadaw were planned.", "Tatmadaw", "Russia"),
    Case("fighting/x-recaptured-p-from-y-object", "Somali troops have recaptured Jilib with help from Kenyan troops.",
         "Somali troops", "Kenyan troops"),
    # "-linked", "-sanctioned by", a claim being backed, backing talks: not backing of the group
    Case("backedBy/x-backed-y", "The al-Qaida-linked Ansar Dine fighters attacked the convoy.", "Ansar Dine", "al-Qaeda"),
    Case("backedBy/y-backed-by-x", "The Tatmadaw, sanctioned by the European Union, bombed the village.",
         "Tatmadaw", "European Union"),
    Case("backedBy/y-is-backed-by-x", "The claim by the Arakan Army was backed by China.", "Arakan Army", "China"),
    Case("backedBy/x-backs-y", "Russia backs talks with the Tatmadaw.", "Tatmadaw", "Russia"),
    # direction: Iran supplies Russia, so Iran is not backed by Russia
    Case("backedBy/x-supplies-y-with-weapons", "Russia was supplied with drones by Iran.", "Iran", "Russia"),
    Case("backedBy/with-the-support-of-x",
         "The Rapid Support Forces advanced on El Fasher without the support of the United Arab Emirates.",
         "Rapid Support Forces", "United Arab Emirates"),
    # the group is in the same sentence and the assistance goes to civilians
    Case("backedBy/assistance-provided-by-x",
         "The Arakan Army said assistance is being provided by the United Nations to civilians.",
         "Arakan Army", "United Nations"),

    # alliance, talks, places: not fighting
    Case("fighting/x-offensive-against-y", "Russia's offensive alongside the Wagner Group stalled.", "Russia", "Wagner Group"),
    Case("fighting/x-joined-offensive-against-y",
         "The Syrian Democratic Forces launched an operation with the US-led coalition.",
         "Syrian Democratic Forces", "US-led coalition"),
    Case("fighting/x-fought-y", "The Tatmadaw shelled Sittwe.", "Tatmadaw", "Sittwe"),
    Case("fighting/x-fought-with-y", "The Tatmadaw fought alongside the Wagner Group.", "Tatmadaw", "Wagner Group"),
    Case("fighting/x-fought-with-y", "Colombian troops fought with the support of the United States.",
         "Colombian troops", "United States"),
    Case("fighting/x-drove-y-from-p", "The Nigerian army pushed for talks with Boko Haram.", "Nigerian army", "Boko Haram"),
    Case("fighting/y-was-driven-from-p-by-x", "Chibok was attacked by Boko Haram.", "Boko Haram", "Chibok"),
    Case("fighting/y-did-and-was-driven-by-x",
         "Boko Haram held Chibok for months, but was joined by Islamic State fighters.", "Boko Haram", "Islamic State"),
    Case("fighting/x-recaptured-p-from-y", "Somali troops recaptured Jilib alongside Kenyan troops.",
         "Somali troops", "Kenyan troops"),
    Case("fighting/y-holding-out-against-x", "The Arakan Army is holding talks with the Tatmadaw.", "Arakan Army", "Tatmadaw"),
    Case("fighting/x-formed-to-battle-y", "The Kachin Independence Army was formed to support the Arakan Army.",
         "Kachin Independence Army", "Arakan Army"),
    Case("fighting/fighting-between-x-and-y",
         "Talks between the Rapid Support Forces and the Sudanese Armed Forces resumed in Jeddah.",
         "Rapid Support Forces", "Sudanese Armed Forces"),
    Case("fighting/x-in-fighting-with-y", "Ukrainian soldiers were killed in fighting alongside Georgian fighters.",
         "Ukrainian soldiers", "Georgian fighters"),
    Case("fighting/x-killed-and-injured-in-fighting-with-y",
         "Ukrainian soldiers have been killed and more injured in fighting alongside Georgian fighters.",
         "Ukrainian soldiers", "Georgian fighters"),
    Case("fighting/x-advanced-on-y-held-p", "Sudanese troops advanced on Nyala with Eritrean troops.",
         "Sudanese troops", "Eritrean troops"),
    Case("fighting/x-advanced-on-y-held-p",
         "Sudanese troops advanced on Nyala, which the Rapid Support Forces had abandoned.",
         "Sudanese troops", "Rapid Support Forces"),
    Case("fighting/x-claims-to-have-advanced-on-y-held-p",
         "Ukrainian forces are claiming to have advanced on Melitopol alongside Georgian fighters.",
         "Ukrainian forces", "Georgian fighters"),
    Case("fighting/x-battle-to-retake-y-held-p",
         "Sudanese troops, backed by Eritrean fighters, gained ground in the battle to retake Wad Madani.",
         "Sudanese troops", "Eritrean fighters"),

    # located in, a person near a place, no antecedent place: not locatedNear
    Case("locatedNear/x-near-y", "Jamal Hassan, a commander based near Gao, was killed.", "Jamal Hassan", "Gao"),
    Case("locatedNear/x-near-y", "Clashes erupted in Ménaka, a district in Mali.", "Ménaka", "Mali"),
    Case("locatedNear/x-n-km-direction-of-y", "Militants attacked Djibo, in the north of Burkina Faso.",
         "Djibo", "Burkina Faso"),
    Case("locatedNear/x-on-the-outskirts-of-y", "Refugees from Irpin camped on the outskirts of Kyiv.", "Irpin", "Kyiv"),
    Case("locatedNear/x-a-town-to-the-west",
         "Kramatorsk was quiet. Shelling hit Sloviansk, a town to the north of Donetsk.", "Sloviansk", "Kramatorsk"),
    Case("locatedNear/x-between-y-and-z", "Istanbul hosted talks between Kyiv and Moscow.", "Istanbul", "Kyiv"),
    Case("locatedNear/x-and-neighbouring-y", "Fighting spread from Kherson and nearby villages to Mykolaiv.",
         "Kherson", "Mykolaiv"),

    # a leader, a commander, someone talking to a spokesman: not spokesmanOf
    Case("spokesmanOf/x-a-spokesman-for-y", "Ahmed Saleh, a commander of the Houthis, said the port was quiet.",
         "Ahmed Saleh", "Houthis"),
    Case("spokesmanOf/x-a-y-spokesman", "Hassan Ibrahim, an RSF commander, told reporters the city was calm.",
         "Hassan Ibrahim", "Rapid Support Forces"),
    Case("spokesmanOf/y-spokesman-x",
         "Colonel Ahmed Idris told the Sudanese Armed Forces spokesman that the bridge was closed.",
         "Ahmed Idris", "Sudanese Armed Forces"),
    Case("spokesmanOf/a-spokesman-for-y-x",
         "A spokesman for the Kachin Independence Army said Colonel Naw Bu had been killed.",
         "Naw Bu", "Kachin Independence Army"),
    Case("spokesmanOf/x-is-spokesman-for-y", "Khine Thu Kha met the spokesman for the Arakan Army.",
         "Khine Thu Kha", "Arakan Army"),
    Case("spokesmanOf/x-is-spokesman-for-y", "Khine Thu Kha is a commander of the Arakan Army.",
         "Khine Thu Kha", "Arakan Army"),
]


@pytest.mark.parametrize("case", POSITIVE, ids=str)
def test_pattern_finds_relation(nlp, case: Case):
    doc = nlp(case.text)
    hits = [r for r in doc._.relations
            if (r["subject"], r["predicate"], r["object"]) == (case.subject, case.predicate, case.object)]
    assert hits, f"missing {case.subject} {case.predicate} {case.object}; got {sorted(triples(doc))}"
    assert case.pattern in {r["pattern"] for r in hits}, [r["pattern"] for r in hits]
    assert case.subject in doc._.entities and case.object in doc._.entities


@pytest.mark.parametrize("case", NEGATIVE, ids=str)
def test_near_miss_gives_no_relation(nlp, case: Case):
    doc = nlp(case.text)
    # both sides are found as entities, so the miss is the pattern's doing, not the entity finder's
    assert case.subject in doc._.entities, sorted(doc._.entities)
    assert case.object in doc._.entities, sorted(doc._.entities)
    assert not related(doc, case.subject, case.predicate, case.object), related(doc, case.subject, case.predicate,
                                                                               case.object)


# ---------------------------------------------------------------- the tables cover every pattern

@pytest.mark.parametrize("pattern_id", all_pattern_ids())
def test_every_pattern_has_a_positive_case(pattern_id: str):
    assert pattern_id in {c.pattern for c in POSITIVE}, f"add a positive sentence for {pattern_id} to POSITIVE"


@pytest.mark.parametrize("pattern_id", all_pattern_ids())
def test_every_pattern_has_a_near_miss(pattern_id: str):
    assert pattern_id in {c.pattern for c in NEGATIVE}, f"add a near-miss sentence for {pattern_id} to NEGATIVE"


def test_tables_name_only_existing_patterns():
    known = set(all_pattern_ids())
    assert {c.pattern for c in POSITIVE + NEGATIVE} <= known


# ---------------------------------------------------------------- modality and polarity

def only(doc, subject: str, predicate: str, object_: str) -> dict:
    hits = [r for r in doc._.relations if (r["subject"], r["predicate"], r["object"]) == (subject, predicate, object_)]
    assert len(hits) == 1, doc._.relations
    return hits[0]


@pytest.mark.parametrize("text, subject, predicate, object_, modality, polarity", [
    ("Iran arms the Houthis.", "Houthis", "backedBy", "Iran", "asserted", "positive"),
    # negation and denial
    ("Turkey is not backing the Syrian National Army.", "Syrian National Army", "backedBy", "Turkey",
     "asserted", "negative"),
    ("Turkey does not support the Syrian National Army.", "Syrian National Army", "backedBy", "Turkey",
     "asserted", "negative"),
    ("Moscow has denied that Russia arms the Tatmadaw.", "Tatmadaw", "backedBy", "Russia", "asserted", "negative"),
    ("The Kachin Independence Army did not attack the Tatmadaw.", "Kachin Independence Army", "fighting", "Tatmadaw",
     "asserted", "negative"),
    ("Khine Thu Kha is not the spokesman for the Arakan Army.", "Khine Thu Kha", "spokesmanOf", "Arakan Army",
     "asserted", "negative"),
    # allegation
    ("Sudan claims the United Arab Emirates is funding the Rapid Support Forces.", "Rapid Support Forces", "backedBy",
     "United Arab Emirates", "alleged", "positive"),
    ("Kyiv alleges that Iran is supplying Russia with drones.", "Russia", "backedBy", "Iran", "alleged", "positive"),
    # report
    ("The spokesman said Russia backs the Tatmadaw.", "Tatmadaw", "backedBy", "Russia", "reported", "positive"),
    ("Analysts say China supports the Arakan Army.", "Arakan Army", "backedBy", "China", "reported", "positive"),
    ("According to the United Nations, Russia supplies the Tatmadaw with fighter jets.", "Tatmadaw", "backedBy",
     "Russia", "reported", "positive"),
    # hypothesis
    ("China could arm the Arakan Army.", "Arakan Army", "backedBy", "China", "hypothetical", "positive"),
    ("If talks fail, Russia would support the Tatmadaw.", "Tatmadaw", "backedBy", "Russia", "hypothetical", "positive"),
])
def test_modality_and_polarity(nlp, text, subject, predicate, object_, modality, polarity):
    relation = only(nlp(text), subject, predicate, object_)
    assert (relation["modality"], relation["polarity"]) == (modality, polarity)


def test_confidence_is_lowered_by_modality(nlp):
    asserted = only(nlp("Russia backs the Tatmadaw."), "Tatmadaw", "backedBy", "Russia")
    reported = only(nlp("The spokesman said Russia backs the Tatmadaw."), "Tatmadaw", "backedBy", "Russia")
    hypothetical = only(nlp("Russia could back the Tatmadaw."), "Tatmadaw", "backedBy", "Russia")
    assert asserted["confidence"] > reported["confidence"] > hypothetical["confidence"]


def test_relation_carries_its_sentence_offsets(nlp):
    text = "Floods hit Rakhine. The Tatmadaw attacked the Kachin Independence Army."
    doc = nlp(text)
    relation = only(doc, "Tatmadaw", "fighting", "Kachin Independence Army")
    assert text[relation["start_char"]:relation["end_char"]] == "The Tatmadaw attacked the Kachin Independence Army."


# ---------------------------------------------------------------- coordination: one relation per conjunct

@pytest.mark.parametrize("text, subject, objects", [
    ("The Tatmadaw is battling the Arakan Army, the Kachin Independence Army and the Ta'ang National Liberation Army.",
     "Tatmadaw", ["Arakan Army", "Kachin Independence Army", "Ta'ang National Liberation Army"]),
    ("Boko Haram is fighting Nigerian troops, Chadian soldiers and Cameroonian forces.",
     "Boko Haram", ["Nigerian troops", "Chadian soldiers", "Cameroonian forces"]),
    ("JNIM is battling Malian troops, Wagner fighters and Burkinabe soldiers.",
     "Jama'at Nusrat al-Islam wal-Muslimin", ["Malian troops", "Wagner Group", "Burkinabe soldiers"]),
])
def test_coordinated_objects_each_get_a_relation(nlp, text, subject, objects):
    doc = nlp(text)
    fighting = {(r["subject"], r["object"]) for r in doc._.relations if r["predicate"] == "fighting"}
    assert fighting == {(subject, o) for o in objects}


def test_coordinated_places_between(nlp):
    doc = nlp("Shelling hit Avdiivka, midway between Donetsk and Pokrovsk.")
    near = {(r["subject"], r["object"]) for r in doc._.relations if r["predicate"] == "locatedNear"}
    assert near == {("Avdiivka", "Donetsk"), ("Avdiivka", "Pokrovsk")}


def test_denied_backing_is_kept_negative_and_accusation_alleged(nlp):
    denied = only(nlp("Russia denied supporting the Tatmadaw."), "Tatmadaw", "backedBy", "Russia")
    assert denied["polarity"] == "negative"
    accused = only(nlp("Sudan accused the United Arab Emirates of arming the Rapid Support Forces."),
                   "Rapid Support Forces", "backedBy", "United Arab Emirates")
    assert (accused["modality"], accused["polarity"]) == ("alleged", "positive")
