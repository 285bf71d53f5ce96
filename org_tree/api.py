"""JSON for the staffing table: /api/staffing/ gives the same figures as /staffing/."""

from org_tree.forms import DepartmentFilterForm
from org_tree.staffing import staffing_table, totals
from positions.api import api_reader_required, error, respond


@api_reader_required
def staffing(request):
    form = DepartmentFilterForm(request.GET)
    if not form.is_valid():
        return error(400, *form.error_list())
    rows = staffing_table(under=form.cleaned_data.get("department"))
    total = totals(rows)
    return respond(
        {
            "results": [row.as_json() for row in rows],
            "totals": {
                "headcount": total.headcount,
                "filled": total.filled,
                "vacant": total.vacant,
                "over": total.over,
            },
        }
    )
