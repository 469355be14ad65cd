"""A region's structure moves by one YAML file: import creates or updates by code, export gives the
same file back, and a bad file changes nothing and says what is wrong."""

import io

import pytest
from django.core.management import CommandError, call_command

from otklik.orgs.demo import DATA
from otklik.orgs.models import Organization, Region, Territory
from otklik.orgs.transfer import RegionFileError, region_export, region_import, region_parse

SMALL = """
region: {code: zar, name: Заречная область, timezone: Europe/Moscow, appeal_prefix: ZR}
territories:
  - {code: T1, name: Заречный район, population: 12000, pupils: 1500, aliases: [Заречье]}
organizations:
  - {code: zar-min, name: Министерство образования Заречной области, kind: ministry}
  - {code: zar-uo, name: Управление образования Заречья, kind: municipal_body, parent: zar-min, territory: T1,
     email: uo@zar.example}
  - {code: zar-s1, name: Школа № 1, kind: school, parent: zar-uo, territory: T1}
"""


def test_a_new_region_is_imported_with_its_tree(db):
    result = region_import(region_parse(SMALL.encode()))
    assert (result.region_created, result.territories, result.organizations_created) == (True, 1, 3)
    region = Region.objects.get(code="zar")
    assert (region.timezone, region.appeal_prefix) == ("Europe/Moscow", "ZR")
    school = Organization.objects.get(code="zar-s1")
    uo = Organization.objects.get(code="zar-uo")
    assert school.parent == uo and school.path.startswith(uo.path) and school.territory.aliases == ["Заречье"]


def test_importing_again_updates_by_code_and_moves_in_the_tree(db):
    region_import(region_parse(SMALL.encode()))
    changed = SMALL.replace(
        "Школа № 1, kind: school, parent: zar-uo", "Школа № 1 им. Пушкина, kind: school, parent: zar-min"
    )
    result = region_import(region_parse(changed.encode()))
    assert (result.region_created, result.organizations_created, result.organizations_updated) == (
        False,
        0,
        3,
    )
    school = Organization.objects.get(code="zar-s1")
    assert school.name == "Школа № 1 им. Пушкина" and school.parent.code == "zar-min"
    assert school.path == f"{school.parent.path}{school.pk}/"
    assert Organization.objects.filter(region__code="zar").count() == 3


def test_the_demo_file_round_trips(db):
    region_import(region_parse(DATA.read_bytes()))
    first = region_export(Region.objects.get())
    region_import(region_parse(first.encode()))  # re-import: updates only
    assert region_export(Region.objects.get()) == first
    assert Territory.objects.count() == len(region_parse(first.encode())["territories"])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "Файл пуст"),
        (b"region: [", "не читается как YAML"),
        (b"\xff\xfe", "не в кодировке UTF-8"),
        (b"organizations: []", "нет раздела region"),
        (SMALL.replace("Europe/Moscow", "Mars/Olympus").encode(), "неизвестный часовой пояс"),
        (SMALL.replace("kind: school", "kind: castle").encode(), "вид «castle» неизвестен"),
        (SMALL.replace("parent: zar-uo", "parent: nobody").encode(), "вышестоящая nobody"),
        (SMALL.replace("territory: T1}", "territory: T9}").encode(), "территории T9 нет"),
        (SMALL.replace("uo@zar.example", "not-an-email").encode(), "неверный e-mail"),
        (SMALL.replace("population: 12000", "population: -5").encode(), "целым неотрицательным"),
        (SMALL.replace("code: zar-s1", "code: zar-uo").encode(), "код zar-uo повторяется"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_written(db, content, problem):
    with pytest.raises(RegionFileError) as refused:
        region_import(region_parse(content))
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    assert not Region.objects.filter(code="zar").exists()


def test_an_organization_code_of_another_region_is_refused_and_nothing_is_written(db):
    region_import(region_parse(SMALL.encode()))
    other = (
        SMALL.replace("code: zar,", "code: zar2,").replace("zar-min", "zar2-min").replace("zar-uo", "zar2-uo")
    )
    with pytest.raises(RegionFileError, match="уже есть в регионе"):
        region_import(region_parse(other.encode()))
    assert not Region.objects.filter(code="zar2").exists()  # the whole import was rolled back


def test_the_command_imports_exports_and_explains(db, tmp_path):
    source = tmp_path / "zar.yaml"
    source.write_text(SMALL, encoding="utf-8")
    out = io.StringIO()
    call_command("region", "import", str(source), stdout=out)
    assert "Регион «Заречная область» создан: территорий 1, организаций новых 3" in out.getvalue()
    target = tmp_path / "out.yaml"
    call_command("region", "export", str(target), "--region", "zar", stdout=io.StringIO())
    assert "Управление образования Заречья" in target.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("kind: school", "kind: castle"), encoding="utf-8")
    with pytest.raises(CommandError, match="Регион не загружен"):
        call_command("region", "import", str(bad))
    with pytest.raises(CommandError, match="не найден"):
        call_command("region", "import", str(tmp_path / "missing.yaml"))
