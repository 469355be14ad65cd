"""Warm the per-process models of a web or bot process in the background, right after it starts.

The answer engine's index, the appeal topic classifier and the executor router are built per process
on first use, and the names model that depersonalises texts (public reports, quotes) is loaded on
first use; without this, the first citizen or analyst after a restart waits for them (seconds). A
daemon thread builds them for every region while the server already accepts requests; a failure
only leaves them to be built on first use, as before.
"""

import logging
import threading

log = logging.getLogger("otklik.warmup")


def _warm() -> None:
    from django.db import close_old_connections, connection

    try:
        from otklik.appeals import executors
        from otklik.appeals.classifier import suggest_topic
        from otklik.kb.engine import registry
        from otklik.nlp.anonymize import NER_MODEL
        from otklik.orgs.models import Region

        for region_id in Region.objects.values_list("pk", flat=True):
            registry.engine(region_id)
            suggest_topic(region_id=region_id, text="прогрев классификатора")
            executors.warm(region_id)
        NER_MODEL.get()
        log.info("models warmed")
    except Exception:  # noqa: BLE001 - warming is an optimisation; first use builds them anyway
        log.warning("warm-up failed; models will be built on first use", exc_info=True)
    finally:
        close_old_connections()
        connection.close()


def _import_in_this_thread() -> None:
    """Import every module the server and the warm-up need before the thread starts. Two threads
    importing scikit-learn at once (the warm-up, and the first request loading the URLconf) can
    meet one of its modules half-initialised: «cannot import name 'clone' from partially initialized
    module 'sklearn.base'», a 500 for the first citizen."""
    from django.urls import get_resolver

    from otklik.appeals import classifier, executors  # noqa: F401
    from otklik.kb import engine  # noqa: F401
    from otklik.nlp import anonymize  # noqa: F401

    get_resolver().url_patterns  # noqa: B018 - imports every view


def start() -> threading.Thread:
    _import_in_this_thread()
    thread = threading.Thread(target=_warm, name="otklik-warmup", daemon=True)
    thread.start()
    return thread
