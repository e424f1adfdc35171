from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kpis import api as kpis_api
from shopmgr.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("catalog/", include("catalog.urls")),
    path("kpis/", include("kpis.urls")),
    path("pricing/", include("pricing.urls")),
    path("returns/", include("returns.urls")),
    path("receivables/", include("returns.receivables.urls")),
    path("api/kpis/", kpis_api.kpis_api, name="api-kpis"),
    path("admin/", admin.site.urls),
]
