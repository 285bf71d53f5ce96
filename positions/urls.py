from django.urls import path

from positions.views import audit, card, edit, history, list, lookup, people, proposals, quality, team, template

app_name = "positions"
urlpatterns = [
    path("positions/", list.position_list, name="list"),
    path("positions/new/", edit.position_new, name="new"),  # before the card: "new" is a reserved code
    path("positions/<poscode:code>/", card.position_detail, name="detail"),
    path("positions/<poscode:code>/edit/", edit.position_edit, name="edit"),
    path("positions/<poscode:code>/duplicate/", edit.position_duplicate, name="duplicate"),
    path("positions/<poscode:code>/delete/", edit.position_delete, name="delete"),
    path("positions/<poscode:code>/move/", edit.position_move, name="move"),
    path("positions/<poscode:code>/holders/", people.assign_to_position, name="assign"),
    path("positions/<poscode:code>/history/", history.position_history, name="history"),
    path("positions/<poscode:code>/acknowledge/", card.position_acknowledge, name="acknowledge"),
    path("positions/<poscode:code>/history/<int:version_id>/restore/", history.position_restore, name="restore"),
    path("people/", people.person_list, name="people"),
    path("people/new/", people.person_new, name="person-new"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("assignments/<int:pk>/end/", people.end, name="end-assignment"),
    path("team/", team.my_team, name="team"),
    path("audit/", audit.audit_log, name="audit"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/decide/", proposals.proposal_decide, name="proposal-decide"),
    path("proposals/<int:pk>/withdraw/", proposals.proposal_withdraw, name="proposal-withdraw"),
    path("quality/", quality.worklist_page, name="quality"),
    path("lookup/positions/", lookup.position_suggestions, name="lookup-positions"),
    path("lookup/people/", lookup.person_suggestions, name="lookup-people"),
    path("settings/jd-template/", template.jd_template, name="jd-template"),
]
