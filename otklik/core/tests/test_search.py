"""Case-insensitive search works for Russian on every database (SQLite folds only ASCII by itself)."""

from otklik.core.sqlite import like
from otklik.orgs.models import Organization


def test_like_folds_russian_case_and_yo():
    assert like("%госуслугах%", "Подайте заявление на Госуслугах.")
    assert like("%ЕЛКА%", "Новогодняя ёлка")
    assert like("a\\%b", "a%b", "\\") and not like("a\\%b", "axb", "\\")
    assert like("шк_ла", "школа") and not like("шк_ла", "шкала-1")
    assert like(None, "x") is None


def test_icontains_finds_cyrillic_in_any_case(personas):
    assert set(Organization.objects.filter(name__icontains="управление образования")) == {
        personas.body_a,
        personas.body_b,
    }
    assert Organization.objects.filter(name__icontains="ШКОЛА № 1").get() == personas.school_a
