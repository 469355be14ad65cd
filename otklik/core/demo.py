"""The demo seeding framework: `otklik seed_demo` asks every installed app for its part.

An app contributes by having a module `<app>/demo.py` with `ORDER` (an int; lower runs first) and
`seed(ctx: DemoContext) -> None`. Apps share what they made through the context.
"""

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

DEMO_PASSWORD = "otklik-demo-2026"  # noqa: S105 - printed by make demo on purpose


@dataclass
class DemoContext:
    rng: random.Random
    stdout: Any
    region: Any = None
    orgs: dict = field(default_factory=dict)
    territories: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def say(self, text: str) -> None:
        self.stdout.write(text)


def demo_contributors() -> list:
    """The `demo` modules of installed apps, in their declared order."""
    modules = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, "seed"):
            modules.append(module)
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 100))
