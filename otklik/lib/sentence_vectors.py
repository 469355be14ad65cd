"""This process's sentence-vector model (`nlp.vectors`), set up from the settings before first use."""

from django.conf import settings

from otklik.nlp import vectors


def configure() -> None:
    """Cap the model's threads (it uses every core unless told otherwise, and this process shares
    them) and keep knowledge-base vectors on disk, so that restarts and the nightly rebuild
    re-embed only texts that changed."""
    vectors.set_threads(settings.NLP_THREADS)
    vectors.set_cache(settings.NLP_VECTOR_CACHE)


def enabled() -> bool:
    """Sentence vectors are switched on (`OTKLIK_NLP_VECTORS`) and the model loads here."""
    if not settings.NLP_VECTORS:
        return False
    configure()
    return vectors.available()
