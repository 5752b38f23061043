from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from dealership import api, rest, views
from dealership.views import directory, sms

# The apps above the core are reached by dotted path only, so this package imports none of them.

api_patterns = [
    path("", RedirectView.as_view(pattern_name="api_docs"), name="api_root"),
    path("auth/token/", rest.TokenView.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    *api.urlpatterns,
    path("", include("parts.api")),
    path("", include("service_desk.api")),
    path("", include("workshop.api")),
    path("", include("customer_care.api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("customers/", directory.customer_list, name="customer_list"),
    path("customers/new/", directory.customer_create, name="customer_create"),
    path("customers/picker/", directory.customer_picker, name="customer_picker"),
    path("customers/<int:pk>/", directory.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", directory.customer_edit, name="customer_edit"),
    path("customers/<int:customer_pk>/vehicles/new/", directory.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:pk>/edit/", directory.vehicle_edit, name="vehicle_edit"),
    path("sms/", sms.sms_list, name="sms_list"),
    path("sms/<int:pk>/", sms.sms_detail, name="sms_detail"),
    path("sms/<int:pk>/send-again/", sms.sms_send_again, name="sms_send_again"),
    path("sms/<int:pk>/mark-sent/", sms.sms_mark_sent, name="sms_mark_sent"),
    path("sms/templates/", sms.sms_template_list, name="sms_template_list"),
    path("sms/templates/<int:pk>/", sms.sms_template_edit, name="sms_template_edit"),
    path("sms/templates/<int:pk>/preview/", sms.sms_template_preview, name="sms_template_preview"),
    path("sms/policy/", sms.sms_policy, name="sms_policy"),
    path("sms/test/", sms.sms_test, name="sms_test"),
    path("parts/", include("parts.urls")),
    path("desk/", include("service_desk.urls")),
    path("workshop/", include("workshop.urls")),
    path("care/", include("customer_care.urls")),
    path("reports/", include("customer_care.report_urls")),
    path("", include("service_desk.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
]
