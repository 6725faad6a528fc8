from django.urls import path

from jaring.desk import cashier, receipt, register, till, views, void, worklist

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", register.register, name="register"),
    path("register/nik", register.nik_preview, name="nik"),
    path("register/area", register.area, name="area"),
    path("register/price", register.price, name="price"),
    path("pay/", cashier.pay, name="pay"),
    path("deposit/", cashier.deposit, name="deposit"),
    path("till/", till.till, name="till"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("deposit/preview", cashier.deposit_preview_fragment, name="deposit_preview"),
    path("receipt/<int:pk>/", receipt.receipt, name="receipt"),
    path("receipt/<int:pk>.pdf", receipt.receipt_pdf, name="receipt_pdf"),
    path("receipt/<int:pk>/void", void.void, name="void"),
    path("p/<str:number>/", views.participant, name="participant"),
    path("p/<str:number>/card.pdf", views.card, name="card"),
    path("p/<str:number>/jht.pdf", views.jht, name="jht"),
]
