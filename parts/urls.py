from django.urls import path

from parts import views

urlpatterns = [
    path("", views.part_list, name="part_list"),
    path("new/", views.part_create, name="part_create"),
    path("import/", views.part_import, name="part_import"),
    path("<int:pk>/", views.part_detail, name="part_detail"),
    path("<int:pk>/edit/", views.part_edit, name="part_edit"),
    path("<int:pk>/receive/", views.part_receive, name="part_receive"),
    path("<int:pk>/adjust/", views.part_adjust, name="part_adjust"),
    path("<int:pk>/return/", views.part_return, name="part_return"),
    path("backorders/", views.backorder_list, name="backorder_list"),
    path("backorders/mine/", views.backorder_mine, name="backorder_mine"),
    path("backorders/new/", views.backorder_create, name="backorder_create"),
    path("backorders/calls/", views.backorder_calls, name="backorder_calls"),
    path("backorders/calls/<int:pk>/made/", views.backorder_call_made, name="backorder_call_made"),
    path("backorders/<int:pk>/", views.backorder_detail, name="backorder_detail"),
    path("backorders/<int:pk>/arrived/", views.backorder_arrived, name="backorder_arrived"),
    path("backorders/<int:pk>/collected/", views.backorder_collected, name="backorder_collected"),
    path("backorders/<int:pk>/new-date/", views.backorder_new_date, name="backorder_new_date"),
    path("backorders/<int:pk>/cancel/", views.backorder_cancel, name="backorder_cancel"),
    path("sales/", views.sale_list, name="sale_list"),
    path("sales/new/", views.sale_create, name="sale_create"),
    path("sales/<int:pk>/", views.sale_detail, name="sale_detail"),
    path("gifts/", views.gift_list, name="gift_list"),
    path("gifts/new/", views.gift_edit, name="gift_create"),
    path("gifts/<int:pk>/edit/", views.gift_edit, name="gift_edit"),
    path("gifts/<int:pk>/give/", views.gift_give, name="gift_give"),
    path("gifts/<int:pk>/restock/", views.gift_restock, name="gift_restock"),
]
