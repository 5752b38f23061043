"""The pages customers and the showroom screen reach without logging in, at the site's root."""

from django.urls import path

from service_desk.views import public

urlpatterns = [
    path("prices/", public.price_board, name="price_board"),
    path("o/<str:token>/", public.customer_order, name="customer_order"),
]
