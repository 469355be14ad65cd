"""Per-region models: the first fit in the caller, refits in the background while the old model answers."""

import threading

from otklik.lib.per_region import PerRegion


class _Trainer:
    """Fits "models" numbered 1, 2, …; a fit can be held until released, or made to fail."""

    def __init__(self):
        self.fits = 0
        self.history = 100
        self.release = threading.Event()
        self.release.set()
        self.fail = False

    def train(self, region_id):
        assert self.release.wait(5)
        if self.fail:
            raise RuntimeError("fit failed")
        self.fits += 1
        return {"model": self.fits, "history": self.history}


def _models(trainer, background=True, done=None):
    return PerRegion(
        train=trainer.train,
        history_size=lambda region_id: trainer.history,
        check_every_s=-1,  # count the history on every call
        background=lambda: background,
        thread_done=done or (lambda: None),
    )


def test_refit_runs_in_the_background_while_the_old_model_answers():
    trainer = _Trainer()
    closed = []
    models = _models(trainer, done=lambda: closed.append(True))
    assert models.get(1)["model"] == 1  # the first fit is made in the caller
    trainer.history = 200  # grown by more than a tenth
    trainer.release.clear()  # the refit will wait
    assert models.get(1)["model"] == 1  # answered at once by the old model
    assert models.get(1)["model"] == 1  # and no second refit is started meanwhile
    trainer.release.set()
    models.join(5)
    assert models.get(1)["model"] == 2 and trainer.fits == 2
    assert closed == [True]  # the thread cleaned up after itself


def test_small_growth_does_not_refit_and_regions_are_separate():
    trainer = _Trainer()
    models = _models(trainer)
    models.get(1)
    trainer.history = 105  # less than a tenth plus the slack
    assert models.get(1)["model"] == 1 and trainer.fits == 1
    assert models.get(2)["model"] == 2  # another region has its own model


def test_a_failed_refit_keeps_the_previous_model():
    trainer = _Trainer()
    models = _models(trainer)
    models.get(1)
    trainer.history, trainer.fail = 500, True
    models.get(1)
    models.join(5)
    assert models.get(1)["model"] == 1  # (this call starts another refit, which fails too)
    models.join(5)
    trainer.fail = False
    models.get(1)
    models.join(5)
    assert models.get(1)["model"] == 2  # the next check tries again


def test_without_background_the_caller_refits():
    trainer = _Trainer()
    models = _models(trainer, background=False)
    models.get(1)
    trainer.history = 200
    assert models.get(1)["model"] == 2
