from django.urls import path

from compliance import views

app_name = "compliance"
urlpatterns = [
    path("offender/<int:offender_pk>/", views.offender_compliance, name="offender"),
    path("actions/<int:pk>/", views.action_detail, name="detail"),
    path("actions/<int:pk>/decide/", views.action_decide, name="decide"),
    path("actions/<int:pk>/issue/", views.warning_issue, name="issue"),
    path("actions/<int:pk>/approve/", views.breach_approve, name="approve"),
    path("actions/<int:pk>/lay/", views.breach_lay, name="lay"),
    path("actions/<int:pk>/withdraw/", views.action_withdraw, name="withdraw"),
    path("actions/<int:pk>/done/", views.action_done, name="done"),
    path("actions/<int:pk>/letter.pdf", views.warning_letter, name="letter"),
]
