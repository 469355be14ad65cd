from django.db import models

from otklik.core.models import TimeStampedModel


class Region(TimeStampedModel):
    """A subject of the Russian Federation served by this installation."""

    code = models.SlugField("код", max_length=20, unique=True)
    name = models.CharField("название", max_length=200)
    short_name = models.CharField("краткое название", max_length=100, blank=True)
    timezone = models.CharField("часовой пояс", max_length=64, help_text="Например, Asia/Yekaterinburg.")
    appeal_prefix = models.CharField("префикс номеров обращений", max_length=10)
    hosts = models.CharField(
        "адреса сайта",
        max_length=500,
        blank=True,
        help_text="Имена хостов через пробел или запятую (например, otklik.example.ru): граждане, "
        "открывшие сайт по такому адресу, попадают в этот регион. Пусто — регион выбирают на главной.",
    )

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def host_names(self) -> set[str]:
        return {h.strip().lower() for h in self.hosts.replace(",", " ").split() if h.strip()}


class Territory(TimeStampedModel):
    """A municipal district or city district of a region."""

    class Kind(models.TextChoices):
        CITY_DISTRICT = "city_district", "городской округ"
        MUNICIPAL_DISTRICT = "municipal_district", "муниципальный район/округ"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="territories", verbose_name="регион"
    )
    code = models.CharField("код", max_length=20)
    name = models.CharField("название", max_length=200)
    kind = models.CharField("вид", max_length=30, choices=Kind.choices, default=Kind.MUNICIPAL_DISTRICT)
    population = models.PositiveIntegerField("население", default=0)
    pupils = models.PositiveIntegerField("обучающихся", default=0)
    children_preschool = models.PositiveIntegerField("детей дошкольного возраста", default=0)
    map_polygon = models.JSONField("контур на схеме", default=list, blank=True)
    aliases = models.JSONField("другие названия", default=list, blank=True)

    class Meta:
        verbose_name = "территория"
        verbose_name_plural = "территории"
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="territory_code_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class Organization(TimeStampedModel):
    """A node of the organization tree: ministry → municipal bodies → schools, kindergartens, colleges.

    `path` is a materialised path of ancestor ids ("/1/5/17/") kept by services so that a subtree
    is one indexed prefix query; the parent is where a poorly rated answer escalates to.
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", "министерство"
        MUNICIPAL_BODY = "municipal_body", "муниципальный орган управления образованием"
        SCHOOL = "school", "школа"
        KINDERGARTEN = "kindergarten", "детский сад"
        COLLEGE = "college", "колледж / техникум"
        ADDITIONAL = "additional", "дополнительное образование"
        OTHER = "other", "другая организация"

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organizations", verbose_name="регион"
    )
    code = models.CharField("код", max_length=40, unique=True)
    name = models.CharField("полное название", max_length=400)
    short_name = models.CharField("краткое название", max_length=200, blank=True)
    kind = models.CharField("вид", max_length=30, choices=Kind.choices)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name="территория",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="вышестоящая организация",
    )
    path = models.CharField("путь в дереве", max_length=400, db_index=True, editable=False, default="/")
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    address = models.CharField("адрес", max_length=400, blank=True)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def lineage_ids(self) -> list[int]:
        """Ids from the top of the tree down to this organization itself (read from `path`)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]
