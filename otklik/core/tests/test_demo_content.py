"""The demo content is plainly fictional and its territories are found in appeal texts."""

from pathlib import Path

import pytest
import yaml

from otklik.nlp.toponyms import ToponymMatcher

ROOT = Path(__file__).resolve().parents[2]
REGION = ROOT / "orgs" / "demo" / "region.yaml"
DEMO_FILES = sorted([*ROOT.glob("*/demo/*.yaml"), *ROOT.glob("*/demo.py")])


def _territories() -> list[dict]:
    return yaml.safe_load(REGION.read_text(encoding="utf-8"))["territories"]


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_demo_content_uses_no_real_place_or_phone_code(path):
    text = path.read_text(encoding="utf-8")
    # names of real towns the demo region once borrowed, and Yekaterinburg's phone and postal codes
    real_names = ["Северск", "Северский", "Озёрный", "Озерный", "Лесогорск", "Степнов", "Каменск", "Заречный"]
    for real in [*real_names, "Приречн", "(343)", " 620"]:
        assert real not in text, f"{path.name}: {real}"


def test_demo_phones_use_the_fictional_code():
    region = yaml.safe_load(REGION.read_text(encoding="utf-8"))
    phones = [o["phone"] for o in region["organizations"] if o.get("phone")]
    assert phones and all(p.startswith("+7 (000) ") for p in phones)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Живём в Демограде, ребёнка не берут в первый класс", "T01"),
        ("В Северодемске не ходит школьный автобус", "T02"),
        ("школа № 2 г. Северодемска", "T02"),
        ("Очередь в детский сад в Озёрнодемском районе не двигается", "T03"),
        ("пос. Озёрнодемский, ул. Гагарина: холодно в школе", "T03"),
        ("В Лесодемске закрыли столовую", "T04"),
        ("Детский сад Лесодемского округа требует деньги", "T04"),
        ("с. Ключедемское, ул. Садовая — нет учителя физики", "T05"),
        ("Ключедемского района школа без тьютора", "T05"),
        ("В Степнодемке нет автобуса до школы", "T06"),
        ("Школа Степнодемского округа не отвечает", "T06"),
        ("В Камнедемске задерживают зарплату учителям", "T07"),
        ("Камнедемского района колледж без общежития", "T07"),
        ("Потеряли аттестат, школа в Заречнодемске закрыта", "T08"),
        ("Управление образования города Заречнодемска не отвечает", "T08"),
    ],
)
def test_intake_finds_a_demo_territory_in_any_case_form(text, code):
    # the same gazetteer as otklik.appeals.classifier: each territory's name and aliases
    matcher = ToponymMatcher({t["code"]: [t["name"], *t.get("aliases", [])] for t in _territories()})
    found = matcher.find(text)
    assert found is not None and found.code == code


def test_demo_topic_codes_are_strings_in_the_yaml():
    data = yaml.safe_load((ROOT / "routing" / "demo" / "topics.yaml").read_text(encoding="utf-8"))
    codes = []

    def walk(nodes):
        for node in nodes:
            codes.append(node["code"])
            walk(node.get("children") or [])

    walk(data["topics"])
    assert codes and all(isinstance(c, str) for c in codes)
    rules = yaml.safe_load((ROOT / "routing" / "demo" / "routing.yaml").read_text(encoding="utf-8"))["rules"]
    assert all(isinstance(r["topic"], str) for r in rules)
