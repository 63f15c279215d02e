from django.urls import path

from parcelguard.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.partner_new, name="partner-new"),
    path("<int:pk>/", views.partner_detail, name="partner"),
    path("<int:pk>/contacts/", views.contact_new, name="contact-new"),
    path("memoranda/new/", views.memorandum_new, name="memorandum-new"),
    path("memoranda/<int:pk>/document", views.memorandum_file, name="memorandum-file"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting-record"),
    path("meetings/<int:pk>/minutes", views.meeting_minutes_file, name="meeting-minutes"),
    path("actions/<int:pk>/", views.action_act, name="action-act"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/new/", views.transfer_new, name="transfer-new"),
    path("transfers/incoming/", views.transfer_incoming, name="transfer-incoming"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/act/", views.transfer_act, name="transfer-act"),
    path("transfers/<int:pk>/letter.pdf", views.transfer_letter, name="transfer-letter"),
    path("transfers/<int:pk>/bundle.zip", views.transfer_bundle, name="transfer-bundle"),
]
