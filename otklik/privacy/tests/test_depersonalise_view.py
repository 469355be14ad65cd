"""«Обезличить по запросу гражданина» on the staff card of a finished appeal (152-ФЗ art. 9 p. 2, 21)."""

from datetime import timedelta

import time_machine

from otklik.accounts.roles import Role
from otklik.appeals.models import Appeal, AppealEvent, Attachment
from otklik.privacy.tests.base import RATED, files_on_disk, full_appeal, snapshot
from otklik.testing import make_org, make_region, make_staff

LATER = RATED + timedelta(days=40)


def _post(client, appeal, **data):
    with time_machine.travel(LATER, tick=False):
        return client.post(
            f"/staff/appeals/{appeal.number}/action/", {"action": "depersonalise", **data}, follow=True
        )


def test_coordinator_depersonalises_on_request_and_the_card_says_so(
    region, login, django_capture_on_commit_callbacks
):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    client = login(region.coordinator)
    page = client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    assert "Обезличить по запросу гражданина" in page
    files = files_on_disk(appeal)
    voice = Attachment.objects.get(appeal=appeal, content_type="audio/ogg")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, appeal, reason="Заявление от 20.04.2020, вх. № 17")
    page = response.content.decode()
    assert "Персональные данные обращения обезличены: контакты удалены" in page
    assert "Персональные данные обезличены 20.04.2020 09:30" in page  # the region's time
    assert "Обезличить по запросу гражданина" not in page
    assert "m.ivanova" not in page and "Иванова" not in page
    appeal.refresh_from_db()
    assert appeal.depersonalised_at == LATER and appeal.contact_email == ""
    assert [f.exists() for f in files] == [False, False, False]
    event = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert (event.kind, event.actor, event.text) == (
        "depersonalised",
        region.coordinator,
        "Персональные данные обезличены по запросу гражданина (152-ФЗ, ст. 21). "
        "Основание: Заявление от 20.04.2020, вх. № 17",
    )
    # The deleted voice message is listed, not served.
    assert client.get(f"/staff/appeals/{appeal.number}/files/{voice.pk}/").status_code == 404


def test_refusals_change_nothing(region, login, django_capture_on_commit_callbacks):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    before = snapshot(appeal)
    client = login(region.coordinator)
    assert "Укажите основание" in _post(client, appeal, reason=" ").content.decode()
    # An executor of the appeal's own organization may work on it but not destroy its data.
    executor = login(region.executor_a)
    assert "Это действие вам недоступно." in _post(executor, appeal, reason="просьба").content.decode()
    assert snapshot(appeal) == before


def test_an_appeal_under_consideration_cannot_be_depersonalised(
    region, login, django_capture_on_commit_callbacks
):
    appeal = full_appeal(region, django_capture_on_commit_callbacks, rating=1)  # escalated: open
    before = snapshot(appeal)
    client = login(region.coordinator)
    assert (
        "Обезличить по запросу гражданина"
        not in client.get(f"/staff/appeals/{appeal.number}/").content.decode()
    )
    assert "Обращение ещё рассматривается" in _post(client, appeal, reason="просьба").content.decode()
    assert snapshot(appeal) == before


def test_outsiders_get_403_or_404_and_nothing_changes(
    region, login, client, django_capture_on_commit_callbacks
):
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    before = snapshot(appeal)
    # Another municipal body's executor does not see the appeal at all.
    assert _post(login(region.executor_b), appeal, reason="просьба").status_code == 404
    # An analyst reads figures, never acts on appeals.
    assert _post(login(region.analyst), appeal, reason="просьба").status_code == 403
    # A coordinator of another region: the appeal is not in their region.
    other = make_region()
    stranger = make_staff(make_org(other, "ministry"), Role.COORDINATOR)
    assert _post(login(stranger), appeal, reason="просьба").status_code == 404
    client.logout()
    response = client.post(
        f"/staff/appeals/{appeal.number}/action/", {"action": "depersonalise", "reason": "x"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert snapshot(appeal) == before
    assert Appeal.objects.get(pk=appeal.pk).depersonalised_at is None


def test_the_citizens_page_of_a_depersonalised_answer_takes_no_rating(
    region, client, django_capture_on_commit_callbacks
):
    """An answer never rated is depersonalised after its period; a rating then would reopen an appeal
    that has nobody to answer to."""
    appeal = full_appeal(region, django_capture_on_commit_callbacks)
    Appeal.objects.filter(pk=appeal.pk).update(status="answered", closed_at=None, rating=None)
    with time_machine.travel(appeal.answered_at + timedelta(days=1827), tick=False):
        from otklik.privacy.services import appeal_depersonalise

        assert appeal_depersonalise(appeal_id=appeal.pk) is True
    url = f"/appeal/{appeal.number}/?s={appeal.secret}"
    page = client.get(url).content.decode()
    assert "Оцените ответ" not in page
    assert (
        "Персональные данные обезличены: Персональные данные обезличены по истечении срока хранения." in page
    )
    assert "Иванова" not in page and "акт.png" not in page
    response = client.post(url, {"s": appeal.secret, "rating": "1", "comment": ""})
    assert response.status_code == 400
    assert "оценить ответ уже нельзя" in response.content.decode()
    assert Appeal.objects.filter(pk=appeal.pk).values_list("status", "rating").get() == ("answered", None)
