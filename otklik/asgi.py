import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otklik.settings")
application = get_asgi_application()

if os.environ.get("OTKLIK_WARMUP", "1") == "1":
    from otklik.core.warmup import start

    start()
