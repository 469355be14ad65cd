from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from otklik.accounts.models import Membership
from otklik.accounts.selectors import organizations_in_scope, scoped_get_or_404, user_can_access_org
from otklik.appeals.selectors import widget_use
from otklik.orgs.current import request_region
from otklik.orgs.models import Organization
from otklik.orgs.selectors import organization_ancestors


@login_required
def organization_list(request):
    query = (request.GET.get("q") or "").strip()[:200]
    orgs = (
        organizations_in_scope(user=request.user)
        .filter(region=request_region(request))
        .select_related("territory", "parent")
    )
    if query:
        orgs = orgs.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code__icontains=query)
        )
    page = Paginator(orgs.order_by("path"), 50).get_page(request.GET.get("page"))
    return render(request, "orgs/organization_list.html", {"page": page, "q": query})


@login_required
def organization_detail(request, code: str):
    org = scoped_get_or_404(
        Organization.objects.filter(region=request_region(request)).select_related(
            "territory", "parent", "region"
        ),
        user=request.user,
        code=code,
    )
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            # an ancestor outside the person's scope is named, not linked: the link would be a 404
            "ancestors": [
                (a, user_can_access_org(user=request.user, org=a)) for a in organization_ancestors(org=org)
            ],
            "children": org.children.order_by("name"),
            "staff": Membership.objects.filter(organization=org).select_related("user").order_by("role"),
            "site_url": settings.SITE_URL,
            "widget": widget_use(organization=org),
        },
    )
